// The default report range (the last 7 days, province time) and the days inside a range.
import { addDays, provinceDay } from './format.ts';

export const lastDays = (n: number): [string, string] => {
  const today = provinceDay(Date.now());
  return [addDays(today, -(n - 1)), today];
};

export function daysOf(range: [string, string]): string[] {
  const out: string[] = [];
  for (let d = range[0]; d <= range[1] && out.length < 400; d = addDays(d, 1)) out.push(d);
  return out;
}
