// CSV import of the region tree, designed for an operator pasting a spreadsheet: comma or tab separated,
// English or Chinese headers and level names, all or nothing, errors naming the row.
//
// Two layouts (header row required):
//   path[,level]          某省/某市/某县/某镇/某村  — every step down is created when missing; a level not
//                         given is one below its parent's (a root defaults to province).
//   name,parent[,level]   parent is the parent's name, or its path when names repeat; empty for a root.
// Regions that already exist (same name under the same parent) are kept, so re-importing a file is harmless.
import { parse } from 'csv-parse/sync';
import type { Db } from '../db/connection.ts';
import { AppError, badRequest } from '../errors.ts';
import { createRegion, LEVELS, levelRank, listRegions, type Level, type Region } from './regions.ts';

const HEADER_ALIASES: Record<string, 'path' | 'name' | 'parent' | 'level'> = {
  path: 'path',
  fullpath: 'path',
  路径: 'path',
  完整路径: 'path',
  区域路径: 'path',
  name: 'name',
  名称: 'name',
  名字: 'name',
  区域: 'name',
  区域名称: 'name',
  地区: 'name',
  parent: 'parent',
  parentname: 'parent',
  parentpath: 'parent',
  上级: 'parent',
  上级区域: 'parent',
  父级: 'parent',
  level: 'level',
  级别: 'level',
  层级: 'level',
  类型: 'level',
};

const LEVEL_ALIASES: Record<string, Level> = {
  nation: 'nation',
  全国: 'nation',
  国家: 'nation',
  province: 'province',
  省: 'province',
  自治区: 'province',
  直辖市: 'province',
  prefecture: 'prefecture',
  city: 'prefecture',
  市: 'prefecture',
  地级市: 'prefecture',
  州: 'prefecture',
  自治州: 'prefecture',
  地区: 'prefecture',
  盟: 'prefecture',
  county: 'county',
  district: 'county',
  县: 'county',
  区: 'county',
  县级市: 'county',
  旗: 'county',
  自治县: 'county',
  township: 'township',
  town: 'township',
  乡: 'township',
  镇: 'township',
  乡镇: 'township',
  街道: 'township',
  苏木: 'township',
  village: 'village',
  community: 'village',
  村: 'village',
  行政村: 'village',
  社区: 'village',
  居委会: 'village',
  嘎查: 'village',
};

const PATH_SEPARATOR = /\s*[/>＞／]\s*/;

export function parseLevel(text: string): Level | undefined {
  return LEVEL_ALIASES[text.trim().toLowerCase()];
}

/** One region the import will create; `parent` is an existing region id or the index of an earlier planned region. */
export interface PlannedRegion {
  row: number;
  name: string;
  level: Level;
  parent: { existing: number } | { planned: number } | null;
}

export interface ImportPlan {
  create: PlannedRegion[];
  /** Rows that named regions already present. */
  existing: number;
}

class RowError extends Error {
  constructor(
    readonly row: number,
    message: string,
  ) {
    super(message);
  }
}

interface Node {
  key: string;
  parentKey: string | null;
  name: string;
  level: Level;
  existingId?: number;
  /** Set for planned nodes: the CSV line that brings it in, and its index in the plan. */
  row?: number;
  levelGiven?: boolean;
  plannedIndex?: number;
}

/** Pure: turns CSV text and the current regions into a plan, or throws a 400 naming the bad rows. */
export function planRegionImport(text: string, current: Array<Pick<Region, 'id' | 'parentId' | 'name' | 'level'>>): ImportPlan {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter =
    firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : firstLine.includes('，') && !firstLine.includes(',') ? '，' : ',';
  let records: string[][];
  try {
    records = parse(text, { bom: true, delimiter, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw badRequest(`The CSV cannot be read${line ? ` near line ${line}` : ''}: ${(err as Error).message}`, 'bad_csv');
  }
  if (records.length < 2) throw badRequest('The CSV needs a header row and at least one region row.', 'bad_csv');
  const header = records[0].map((h) => HEADER_ALIASES[h.toLowerCase().replace(/[\s_-]/g, '')]);
  const col = (k: 'path' | 'name' | 'parent' | 'level') => header.indexOf(k);
  const mode = col('path') >= 0 ? 'path' : col('name') >= 0 ? 'name' : undefined;
  if (!mode)
    throw badRequest(
      `Unknown header "${records[0].join(',')}": use "path,level" (e.g. 某省/某市/某县/某镇/某村) or "name,parent,level".`,
      'bad_csv',
    );

  // The tree as it stands, plus what the file adds.
  const nodes = new Map<string, Node>();
  const children = new Map<string, Map<string, string>>();
  const byName = new Map<string, string[]>();
  const planned: Node[] = [];
  const childKey = (parentKey: string | null) => parentKey ?? 'root';
  const add = (n: Node) => {
    nodes.set(n.key, n);
    if (!children.has(childKey(n.parentKey))) children.set(childKey(n.parentKey), new Map());
    children.get(childKey(n.parentKey))!.set(n.name, n.key);
    byName.set(n.name, [...(byName.get(n.name) ?? []), n.key]);
  };
  for (const r of current)
    add({ key: `id:${r.id}`, parentKey: r.parentId === null ? null : `id:${r.parentId}`, name: r.name, level: r.level, existingId: r.id });

  let existingRows = 0;
  const errors: RowError[] = [];

  /** Finds or plans the child `name` of parentKey. */
  function child(parentKey: string | null, name: string, level: Level | undefined, row: number, isRowTarget: boolean): string {
    const found = children.get(childKey(parentKey))?.get(name);
    if (found) {
      const node = nodes.get(found)!;
      if (level && node.level !== level) {
        if (node.existingId !== undefined || node.levelGiven)
          throw new RowError(row, `"${name}" is already a ${node.level}, this row says ${level}.`);
        node.level = level; // a level inferred from an earlier path step, now stated
        node.levelGiven = true;
      }
      if (isRowTarget && node.existingId !== undefined) existingRows++;
      return found;
    }
    const parent = parentKey === null ? undefined : nodes.get(parentKey)!;
    const inferred = parent ? LEVELS[levelRank(parent.level) + 1] : 'province';
    const finalLevel = level ?? inferred;
    if (!finalLevel) throw new RowError(row, `"${name}" would sit below village "${parent!.name}", and villages are the lowest level.`);
    const node: Node = {
      key: `new:${planned.length}`,
      parentKey,
      name,
      level: finalLevel,
      row,
      levelGiven: !!level,
      plannedIndex: planned.length,
    };
    planned.push(node);
    add(node);
    return node.key;
  }

  const rows = records.slice(1).map((cells, i) => ({ line: i + 2, cells }));
  const cell = (cells: string[], k: 'path' | 'name' | 'parent' | 'level') => (col(k) >= 0 ? (cells[col(k)] ?? '').trim() : '');
  const levelOf = (cells: string[], line: number): Level | undefined => {
    const text = cell(cells, 'level');
    if (!text) return undefined;
    const level = parseLevel(text);
    if (!level) throw new RowError(line, `level "${text}" is not one of ${LEVELS.join(', ')} (or 省 市 县 乡 镇 村).`);
    return level;
  };

  if (mode === 'path') {
    for (const { line, cells } of rows) {
      try {
        const parts = cell(cells, 'path').split(PATH_SEPARATOR).filter(Boolean);
        if (!parts.length) throw new RowError(line, 'path is empty.');
        const level = levelOf(cells, line);
        let key: string | null = null;
        parts.forEach((part, i) => {
          const last = i === parts.length - 1;
          key = child(key, part, last ? level : undefined, line, last);
        });
      } catch (err) {
        if (err instanceof RowError) errors.push(err);
        else throw err;
      }
    }
  } else {
    // Rows may name a parent defined further down: resolve in passes until nothing changes.
    let pending = rows;
    for (;;) {
      const next: typeof rows = [];
      const unresolved: RowError[] = [];
      for (const r of pending) {
        try {
          const name = cell(r.cells, 'name');
          if (!name) throw new RowError(r.line, 'name is empty.');
          if (PATH_SEPARATOR.test(name)) throw new RowError(r.line, `name "${name}" contains a path separator (/ or >).`);
          const parentText = cell(r.cells, 'parent');
          let parentKey: string | null = null;
          if (parentText) {
            const matches = resolveParent(parentText);
            if (matches.length > 1)
              throw new RowError(
                r.line,
                `parent "${parentText}" matches ${matches.length} regions: write its path instead, e.g. ${pathOf(matches[0])}.`,
              );
            if (!matches.length) {
              unresolved.push(new RowError(r.line, `parent "${parentText}" is neither an existing region nor a row of this file.`));
              next.push(r);
              continue;
            }
            parentKey = matches[0];
          }
          child(parentKey, name, levelOf(r.cells, r.line), r.line, true);
        } catch (err) {
          if (err instanceof RowError) errors.push(err);
          else throw err;
        }
      }
      if (!next.length) break;
      if (next.length === pending.length) {
        errors.push(...unresolved);
        break;
      }
      pending = next;
    }
  }

  function pathOf(key: string): string {
    const names: string[] = [];
    for (let k: string | null = key; k; k = nodes.get(k)!.parentKey) names.unshift(nodes.get(k)!.name);
    return names.join('/');
  }
  function resolveParent(text: string): string[] {
    const parts = text.split(PATH_SEPARATOR).filter(Boolean);
    if (parts.length === 1) return byName.get(parts[0]) ?? [];
    // A path: its first name anywhere, then step down.
    return (byName.get(parts[0]) ?? []).flatMap((start) => {
      let key: string | undefined = start;
      for (const part of parts.slice(1)) key = key && children.get(key)?.get(part);
      return key ? [key] : [];
    });
  }

  // Levels may have been stated after a child was planned: check every planned region against its parent now.
  for (const n of planned) {
    const parent = n.parentKey === null ? undefined : nodes.get(n.parentKey)!;
    if (parent && levelRank(n.level) <= levelRank(parent.level))
      errors.push(
        new RowError(
          n.row!,
          `"${n.name}" (${n.level}) cannot sit under ${parent.level} "${parent.name}": a child's level must be below its parent's.`,
        ),
      );
  }

  if (errors.length) {
    errors.sort((a, b) => a.row - b.row);
    const shown = errors.slice(0, 10).map((e) => `Row ${e.row}: ${e.message}`);
    if (errors.length > 10) shown.push(`... and ${errors.length - 10} more`);
    throw new AppError(400, 'bad_csv_rows', `Nothing was imported. ${shown.join(' ')}`);
  }

  return {
    existing: existingRows,
    create: planned.map((n) => {
      const parent = n.parentKey === null ? undefined : nodes.get(n.parentKey)!;
      return {
        row: n.row!,
        name: n.name,
        level: n.level,
        parent: !parent ? null : parent.existingId !== undefined ? { existing: parent.existingId } : { planned: parent.plannedIndex! },
      };
    }),
  };
}

/** Plans and applies an import in one transaction: every row or none. */
export function importRegionsCsv(db: Db, text: string): { created: number; existing: number; regions: Region[] } {
  if (!text.trim()) throw badRequest('The body is empty: send the CSV as text/csv.', 'bad_csv');
  return db.transaction(() => {
    const plan = planRegionImport(text, listRegions(db));
    const ids: number[] = [];
    const regions = plan.create.map((p) => {
      const parentId = p.parent === null ? null : 'existing' in p.parent ? p.parent.existing : ids[p.parent.planned];
      try {
        const region = createRegion(db, { name: p.name, level: p.level, parentId });
        ids.push(region.id);
        return region;
      } catch (err) {
        if (err instanceof AppError) throw new AppError(400, 'bad_csv_rows', `Nothing was imported. Row ${p.row}: ${err.message}`);
        throw err;
      }
    });
    return { created: regions.length, existing: plan.existing, regions };
  })();
}
