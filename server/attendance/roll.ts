// Member rolls from CSV: parsing and checking are pure (text + the sites the caller may manage in, rows or
// row errors out); storing (all-or-nothing) is in tables.ts.
import { parse } from 'csv-parse/sync';
import { MEMBER_NO_RE } from '../../common/attendance.ts';

export interface RollRow {
  memberNo: string;
  name: string;
  siteId: number;
  category: string;
}
export interface RowError {
  row: number;
  message: string;
}

const HEADERS: Record<string, keyof Omit<RollRow, 'siteId'> | 'site'> = {
  memberno: 'memberNo',
  member_no: 'memberNo',
  'member number': 'memberNo',
  number: 'memberNo',
  no: 'memberNo',
  党员编号: 'memberNo',
  会员编号: 'memberNo',
  编号: 'memberNo',
  学员编号: 'memberNo',
  name: 'name',
  姓名: 'name',
  名字: 'name',
  site: 'site',
  siteid: 'site',
  site_id: 'site',
  'site id': 'site',
  站点: 'site',
  站点编号: 'site',
  终端站点: 'site',
  category: 'category',
  类别: 'category',
  类型: 'category',
  分类: 'category',
};
const ORDER = ['memberNo', 'name', 'site', 'category'] as const;

export interface SiteRef {
  id: number;
  name: string;
}

/**
 * Parses a roll: columns member number, name, site (id or exact name), category — with a header row in English or
 * Chinese (any order), or without a header in that order. `mayManage(siteId)` says whether the caller may import
 * into that site.
 */
export function parseRoll(
  text: string,
  sites: SiteRef[],
  mayManage: (siteId: number) => boolean,
): { rows: RollRow[]; errors: RowError[]; forbidden: RowError[] } {
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch (err) {
    return { rows: [], errors: [{ row: 0, message: `not readable as CSV: ${(err as Error).message}` }], forbidden: [] };
  }
  if (records.length === 0) return { rows: [], errors: [{ row: 0, message: 'the file has no rows.' }], forbidden: [] };
  const head = records[0].map((h) => HEADERS[h.toLowerCase()]);
  const hasHeader = head.filter(Boolean).length >= 2;
  const cols = hasHeader ? head : ORDER.slice();
  if (hasHeader && !['memberNo', 'name', 'site'].every((k) => cols.includes(k as never))) {
    return {
      rows: [],
      errors: [{ row: 1, message: 'the header must name the columns member number, name and site (category optional).' }],
      forbidden: [],
    };
  }
  const byId = new Map(sites.map((s) => [s.id, s]));
  const byName = new Map<string, SiteRef[]>();
  for (const s of sites) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  const rows: RollRow[] = [];
  const errors: RowError[] = [];
  const forbiddenRows: RowError[] = [];
  const seen = new Map<string, number>();
  records.slice(hasHeader ? 1 : 0).forEach((rec, i) => {
    const rowNo = i + (hasHeader ? 2 : 1);
    const get = (k: string) => {
      const idx = cols.indexOf(k as never);
      return idx >= 0 ? (rec[idx] ?? '').trim() : '';
    };
    const memberNo = get('memberNo');
    const name = get('name');
    const siteText = get('site');
    if (!MEMBER_NO_RE.test(memberNo))
      return errors.push({ row: rowNo, message: `member number "${memberNo}" must be 1-64 letters, digits or . _ - /.` });
    if (!name) return errors.push({ row: rowNo, message: `member ${memberNo} has no name.` });
    if (name.length > 100) return errors.push({ row: rowNo, message: `the name of member ${memberNo} is longer than 100 characters.` });
    let site: SiteRef | undefined;
    if (/^\d+$/.test(siteText) && byId.has(Number(siteText))) site = byId.get(Number(siteText));
    else {
      const named = byName.get(siteText) ?? [];
      if (named.length > 1) return errors.push({ row: rowNo, message: `several sites are named "${siteText}": use the site id.` });
      site = named[0];
    }
    if (!site) return errors.push({ row: rowNo, message: `no site "${siteText}" (give a site id or its exact name).` });
    if (!mayManage(site.id)) return forbiddenRows.push({ row: rowNo, message: `site "${site.name}" (${site.id}) is outside your region.` });
    const dup = seen.get(memberNo);
    if (dup) return errors.push({ row: rowNo, message: `member number ${memberNo} is already on row ${dup}.` });
    seen.set(memberNo, rowNo);
    rows.push({ memberNo, name, siteId: site.id, category: get('category') });
  });
  return { rows, errors, forbidden: forbiddenRows };
}
