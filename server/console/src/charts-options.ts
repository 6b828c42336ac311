// ECharts options for the report charts: plain data, so pages build them without loading the chart library.
type Option = Record<string, unknown>;

export function barOption(names: string[], series: Array<{ name: string; values: number[] }>): Option {
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: 64 },
    xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 8 ? 30 : 0 } },
    yAxis: { type: 'value' },
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.values, barMaxWidth: 36 })),
  };
}

export function lineOption(days: string[], series: Array<{ name: string; values: number[] }>): Option {
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: 32 },
    xAxis: { type: 'category', data: days.map((d) => d.slice(5)), boundaryGap: false },
    yAxis: { type: 'value' },
    series: series.map((s) => ({ type: 'line', name: s.name, data: s.values, smooth: true, areaStyle: { opacity: 0.08 } })),
  };
}
