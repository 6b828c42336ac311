// ECharts for the report pages only (loaded with them, never on first load): just the chart types used.
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export type Chart = echarts.ECharts;

export function mountChart(el: HTMLElement): Chart {
  const chart = echarts.init(el, undefined, { renderer: 'canvas' });
  const resize = () => chart.resize();
  window.addEventListener('resize', resize);
  const dispose = chart.dispose.bind(chart);
  chart.dispose = () => {
    window.removeEventListener('resize', resize);
    dispose();
  };
  return chart;
}
