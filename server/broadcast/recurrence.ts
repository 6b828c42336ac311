// When a recurring slot airs (PURE): days of the week + a time, or a cron expression, evaluated in the
// province's zone so "every Monday 19:30" stays 19:30 local across DST changes.
import { DateTime } from 'luxon';
import { CronExpressionParser } from 'cron-parser';

export interface Recurrence {
  /** ISO weekdays, 1 = Monday .. 7 = Sunday. */
  days?: number[] | null;
  /** 'HH:MM' local. */
  time?: string | null;
  cron?: string | null;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** A sentence for a person when the rule is unusable, else null. */
export function recurrenceProblem(r: Recurrence): string | null {
  if (r.cron) {
    if (r.days?.length || r.time) return 'Give either days + time or a cron expression, not both.';
    if (r.cron.trim().split(/\s+/).length !== 5)
      return 'cron must have 5 fields: minute hour day-of-month month day-of-week (e.g. "30 19 * * 1-5").';
    try {
      CronExpressionParser.parse(r.cron, { tz: 'UTC' });
    } catch (err) {
      return `cron "${r.cron}" is not valid: ${(err as Error).message}`;
    }
    return null;
  }
  if (!r.days || r.days.length === 0) return 'Give days (1 = Monday .. 7 = Sunday) and time, or a cron expression.';
  if (r.days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) return 'days must be numbers from 1 (Monday) to 7 (Sunday).';
  if (!r.time || !TIME.test(r.time)) return 'time must be HH:MM (24 h, in the province time zone), e.g. "19:30".';
  return null;
}

/** Start instants (epoch ms) of the occurrences in [fromMs, toMs), ascending. */
export function occurrences(r: Recurrence, fromMs: number, toMs: number, zone: string): number[] {
  if (toMs <= fromMs) return [];
  if (r.cron) {
    const out: number[] = [];
    // cron-parser's `next` is strictly after currentDate: start one ms early to include `fromMs`.
    const it = CronExpressionParser.parse(r.cron, { tz: zone, currentDate: new Date(fromMs - 1), endDate: new Date(toMs) });
    while (it.hasNext()) {
      const at = it.next().getTime();
      if (at >= toMs) break;
      out.push(at);
    }
    return out;
  }
  const [hour, minute] = r.time!.split(':').map(Number);
  const days = new Set(r.days ?? []);
  const out: number[] = [];
  let day = DateTime.fromMillis(fromMs, { zone }).startOf('day').minus({ days: 1 });
  const last = DateTime.fromMillis(toMs, { zone }).startOf('day');
  while (day <= last) {
    if (days.has(day.weekday)) {
      // A local time skipped by a DST jump is moved forward by luxon; an ambiguous one takes the first.
      const at = DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour, minute }, { zone }).toMillis();
      if (at >= fromMs && at < toMs) out.push(at);
    }
    day = day.plus({ days: 1 });
  }
  return out;
}
