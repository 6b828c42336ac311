// Dates and numbers as the console shows them: in the province's zone (from GET /api/config), Chinese formats.
import { ref } from 'vue';
import { lang } from './i18n.ts';

/** The province zone; set once from /api/config at start. */
export const provinceTz = ref('Asia/Shanghai');

const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang.value}|${provinceTz.value}|${JSON.stringify(opts)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang.value === 'zh-CN' ? 'zh-CN' : 'en-GB', { timeZone: provinceTz.value, hour12: false, ...opts });
    cache.set(key, f);
  }
  return f;
}

const toDate = (v: string | number | Date) => (v instanceof Date ? v : new Date(v));

/** 2026年11月29日 20:00 (zh) or 29 Nov 2026, 20:00 (en). */
export function dateTime(v: string | number | Date | null | undefined): string {
  if (v === null || v === undefined || v === '') return '—';
  return fmt({ year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(toDate(v));
}
export function time(v: string | number | Date): string {
  return fmt({ hour: '2-digit', minute: '2-digit' }).format(toDate(v));
}
export function dayLabel(v: string | number | Date): string {
  return fmt({ month: 'long', day: 'numeric', weekday: 'short' }).format(toDate(v));
}

/** Wall-clock parts of an instant in the province zone. */
export function zonedParts(ms: number): {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
} {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: provinceTz.value,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    weekday: 'short',
  }).formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '0';
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  return {
    year: +get('year'),
    month: +get('month'),
    day: +get('day'),
    hour: +get('hour'),
    minute: +get('minute'),
    second: +get('second'),
    weekday,
  };
}

/** The instant at a wall-clock time in the province zone (two passes settle the zone offset, DST included). */
export function zonedToMs(year: number, month: number, day: number, hour = 0, minute = 0): number {
  const wanted = Date.UTC(year, month - 1, day, hour, minute);
  let ms = wanted;
  for (let i = 0; i < 2; i++) {
    const p = zonedParts(ms);
    ms += wanted - Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  }
  return ms;
}

/** YYYY-MM-DD of an instant in the province zone. */
export function provinceDay(ms: number): string {
  const p = zonedParts(ms);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** Adds whole days to a YYYY-MM-DD. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Start of a province day, as an instant. */
export function dayStartMs(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return zonedToMs(y, m, d);
}

/** The Monday of the week holding this province day. */
export function mondayOf(day: string): string {
  const wd = new Date(`${day}T00:00:00Z`).getUTCDay();
  return addDays(day, -((wd + 6) % 7));
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${n} B`;
}

export const number = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined ? '—' : n.toLocaleString(lang.value, { maximumFractionDigits: digits, minimumFractionDigits: digits });

export const percent = (share: number | null | undefined): string =>
  share === null || share === undefined ? '—' : `${Math.round(share * 100)}%`;

/** An instant as the province's wall clock, 'YYYY-MM-DDTHH:mm' (what datetime pickers hold). */
export function wallTime(ms: number): string {
  const p = zonedParts(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** The instant of a province wall-clock 'YYYY-MM-DDTHH:mm'. */
export function wallTimeToMs(wall: string): number {
  const [day, hm = '00:00'] = wall.split('T');
  const [y, m, d] = day.split('-').map(Number);
  const [h, min] = hm.split(':').map(Number);
  return zonedToMs(y, m, d, h, min);
}
