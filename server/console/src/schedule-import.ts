// Which week a schedule CSV was exported from, so an import lands in the week on screen whether the file is the
// JSON export (which names its week) or the CSV one (which does not): the Monday of its earliest start.
// Pure: the zone arithmetic comes in as functions (format.ts's, in the page), so this runs apart from the browser.

/** Province calendar helpers: the day of an instant, and the Monday of a day (both YYYY-MM-DD). */
export interface WeekDays {
  provinceDay(ms: number): string;
  mondayOf(day: string): string;
}

/** Splits CSV text into records of cells (quotes with "" escapes, commas and newlines inside quotes). */
export function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let cell = '';
  let row: string[] = [];
  let quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      row.push(cell);
      if (row.some((x) => x.trim() !== '')) records.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  row.push(cell);
  if (row.some((x) => x.trim() !== '')) records.push(row);
  return records;
}

/** The province day of a start as written: an instant with an offset, or a province wall time 'YYYY-MM-DD HH:mm'. */
function startDay(start: string, provinceDay: WeekDays['provinceDay']): string | undefined {
  const s = start.trim();
  if (/(?:[zZ]|[+-]\d\d:?\d\d)$/.test(s)) {
    const ms = Date.parse(s);
    return Number.isFinite(ms) ? provinceDay(ms) : undefined;
  }
  return /^\d{4}-\d\d-\d\d/.test(s) ? s.slice(0, 10) : undefined;
}

/** Monday (YYYY-MM-DD, province) of the week holding the CSV's earliest start; undefined when none can be read. */
export function csvSourceWeek(text: string, { provinceDay, mondayOf }: WeekDays): string | undefined {
  const [header, ...rows] = csvRecords(text);
  const col = header?.findIndex((h) => h.trim().toLowerCase() === 'start') ?? -1;
  if (col < 0) return undefined;
  const days = rows
    .map((r) => startDay(r[col] ?? '', provinceDay))
    .filter((d): d is string => d !== undefined)
    .sort();
  return days.length ? mondayOf(days[0]) : undefined;
}
