// Chart options and paging for the questionnaire results page: plain data, so the page builds them without the
// chart library (which arrives with ChartBox).
import type { QuestionResult } from '../../../common/api/questionnaires.ts';
import { barOption } from './charts-options.ts';

/** Regions stacked in one bar before the chart gets unreadable; beyond that one bar per option holds the total. */
const MAX_STACKED_REGIONS = 8;

/** A question's answer distribution: a bar per option, stacked by region when there are a few regions. */
export function answerChartOption(q: QuestionResult, totalLabel: string): Record<string, unknown> {
  const names = q.options.map((o) => o.text);
  const byRegion = q.byRegion.length > 1 && q.byRegion.length <= MAX_STACKED_REGIONS;
  const series = byRegion
    ? q.byRegion.map((r) => ({ name: r.regionName, values: q.options.map((o) => r.counts[o.index] ?? 0) }))
    : [{ name: totalLabel, values: q.options.map((o) => o.count) }];
  const option = barOption(names, series);
  if (byRegion) option.series = (option.series as Array<Record<string, unknown>>).map((s) => ({ ...s, stack: 'regions' }));
  return option;
}

/** One page (from 1) of rows already in hand. */
export function pageOf<T>(rows: T[], page: number, size: number): T[] {
  return rows.slice((page - 1) * size, page * size);
}
