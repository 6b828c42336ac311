// Renders a report table as CSV (UTF-8 with a BOM so Excel opens Chinese text; csv-stringify quoting) or as a
// printable HTML page with an inline SVG bar chart (no external assets). Pure: table in, text out.
import { stringify } from 'csv-stringify/sync';
import { csvCell } from '../../common/csv-cell.ts';

export type Cell = string | number | boolean | null;

export interface Column {
  key: string;
  label: string;
  kind?: 'text' | 'number' | 'percent' | 'bool';
}

export interface Table {
  title: string;
  /** Lines under the title: range, region, time zone, totals. */
  notes: string[];
  columns: Column[];
  rows: Array<Record<string, Cell>>;
  /** Optional per-row indent (tree reports). */
  indentKey?: string;
  chart?: Chart;
  /** More charts after the first (e.g. one per question), each with its own bars. */
  charts?: Chart[];
}

export interface Chart {
  title: string;
  labelKey: string;
  valueKey: string;
  unit: string;
  max?: number;
  /** Bars to draw instead of one per row (e.g. only the top level of a tree). */
  data?: Array<{ label: string; value: number }>;
  /** Values are shares (0..1), shown as percentages. */
  percent?: boolean;
  /** A target drawn as a dashed line across the bars. */
  target?: number;
}

export function toCsv(table: Table): string {
  const head = table.columns.map((c) => c.label);
  const body = table.rows.map((r) =>
    table.columns.map((c) => {
      const v = r[c.key];
      if (v === null || v === undefined) return '';
      if (typeof v === 'boolean') return v ? 'yes' : 'no';
      // Text from sites and imported rolls must not run as a spreadsheet formula when opened in Excel.
      return csvCell(v);
    }),
  );
  return '\uFEFF' + stringify([head, ...body]);
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function cellText(v: Cell | undefined, col: Column): string {
  if (v === null || v === undefined) return '—';
  if (col.kind === 'percent' && typeof v === 'number') return `${Math.round(v * 100)}%`;
  if (typeof v === 'boolean') return v ? '✔' : '';
  return String(v);
}

/** Horizontal bars, one per row (largest first, at most 30), scaled to the largest value (or the target). */
export function barChartSvg(
  rows: Array<{ label: string; value: number }>,
  unit: string,
  opts: { max?: number; percent?: boolean; target?: number } = {},
): string {
  const top = [...rows].sort((a, b) => b.value - a.value).slice(0, 30);
  const scale = opts.max ?? Math.max(1e-9, opts.target ?? 0, ...top.map((r) => r.value));
  const rowH = 22,
    labelW = 220,
    barW = 420,
    width = labelW + barW + 90;
  const height = Math.max(1, top.length) * rowH + 10;
  const show = (v: number) => (opts.percent ? `${Math.round(v * 100)}%` : `${v} ${unit}`);
  const bars = top
    .map((r, i) => {
      const y = 5 + i * rowH;
      const w = Math.max(0, Math.min(1, r.value / scale)) * barW;
      const label = r.label.length > 24 ? r.label.slice(0, 23) + '…' : r.label;
      return (
        `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end">${esc(label)}</text>` +
        `<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="#b22222"/>` +
        `<text x="${labelW + w + 4}" y="${y + 15}">${esc(show(r.value))}</text>`
      );
    })
    .join('');
  const tx = opts.target != null ? labelW + Math.min(1, opts.target / scale) * barW : null;
  const target =
    tx == null
      ? ''
      : `<line x1="${tx.toFixed(1)}" y1="0" x2="${tx.toFixed(1)}" y2="${height}" stroke="#1f4e9c" stroke-dasharray="4 3"/>` +
        `<text x="${(tx + 3).toFixed(1)}" y="${height - 2}" fill="#1f4e9c">target ${esc(show(opts.target!))}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + (target ? 12 : 0)}" viewBox="0 0 ${width} ${height + (target ? 12 : 0)}" font-size="12" font-family="sans-serif" role="img">${bars}${target}</svg>`;
}

export function toHtml(table: Table): string {
  const chart = [table.chart, ...(table.charts ?? [])]
    .flatMap((c) =>
      c
        ? [
            `<h2>${esc(c.title)}</h2>` +
              barChartSvg(
                c.data ?? table.rows.map((r) => ({ label: String(r[c.labelKey] ?? ''), value: Number(r[c.valueKey] ?? 0) })),
                c.unit,
                { max: c.max, percent: c.percent, target: c.target },
              ),
          ]
        : [],
    )
    .join('\n');
  const head = table.columns.map((c) => `<th>${esc(c.label)}</th>`).join('');
  const body = table.rows
    .map(
      (r) =>
        '<tr>' +
        table.columns
          .map((c, i) => {
            const indent = i === 0 && table.indentKey ? Number(r[table.indentKey] ?? 0) : 0;
            const style = indent ? ` style="padding-left:${0.4 + indent * 1.2}em"` : '';
            const cls = c.kind === 'number' || c.kind === 'percent' ? ' class="n"' : '';
            return `<td${cls}${style}>${esc(cellText(r[c.key], c))}</td>`;
          })
          .join('') +
        '</tr>',
    )
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(table.title)}</title>
<style>
body{font-family:"WenQuanYi Zen Hei","Noto Sans CJK SC",sans-serif;margin:2em;color:#222}
h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.1em;margin:1.2em 0 .4em}
.notes{color:#555;margin:0 0 1em}table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .4em;text-align:left}th{background:#f3f3f3}td.n{text-align:right}
@media print{body{margin:0}button{display:none}tr{page-break-inside:avoid}}
</style></head><body>
<h1>${esc(table.title)}</h1>
<div class="notes">${table.notes.map((n) => `<div>${esc(n)}</div>`).join('')}</div>
<button onclick="window.print()">Print / 打印</button>
${chart}
<h2>Table</h2>
<table><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table>
</body></html>
`;
}
