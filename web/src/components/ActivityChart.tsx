// Activity per month as a bar chart. ECharts draws on a canvas (no inline style attributes
// or <style> elements, which the CSP forbids); a table with the same numbers is there for
// screen readers.
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

export default function ActivityChart({ data, label }: { data: { month: string; count: number }[]; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.setOption({
      animation: false,
      grid: { left: 32, right: 8, top: 12, bottom: 24 },
      tooltip: { trigger: 'axis' },
      xAxis: {
        type: 'category',
        data: data.map((d) => d.month.slice(2).replace('-', '/')),
        axisTick: { alignWithLabel: true },
      },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', name: 'Activities', data: data.map((d) => d.count), itemStyle: { color: '#2f6fae' } }],
    });
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => chart.resize());
    ro?.observe(el);
    return () => {
      ro?.disconnect();
      chart.dispose();
    };
  }, [data]);
  return (
    <figure className="chart">
      <div ref={ref} className="chart-canvas" role="img" aria-label={label} />
      <figcaption className="visually-hidden">
        <table>
          <caption>{label}</caption>
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col">Activities</th>
            </tr>
          </thead>
          <tbody>
            {data.map((d) => (
              <tr key={d.month}>
                <td>{d.month}</td>
                <td>{d.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </figcaption>
    </figure>
  );
}
