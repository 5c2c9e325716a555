import { h, svg } from './dom.js';
import { metricLabel } from './format.js';

// Colour-blind-safe series colours (Okabe–Ito), each with its own dash pattern and point shape as well.
const SERIES = [
  { colour: '#0072B2', dash: '', shape: 'circle' },
  { colour: '#D55E00', dash: '6 3', shape: 'square' },
  { colour: '#009E73', dash: '2 3', shape: 'triangle' },
  { colour: '#CC79A7', dash: '8 3 2 3', shape: 'diamond' },
];

/**
 * A line chart of % within SLA per metric over periods, as inline SVG. `points`: [{ metric, period, value }] with
 * value null when nothing was decided in that period (a gap, not a zero).
 */
export function trendChart(points) {
  const periods = [...new Set(points.map((p) => p.period))].sort();
  const metrics = [...new Set(points.map((p) => p.metric))];
  if (periods.length === 0) return h('p', { class: 'message' }, 'Nothing was decided in this period.');
  const W = 720;
  const H = 260;
  const left = 44;
  const right = 12;
  const top = 12;
  const bottom = 40;
  const x = (i) =>
    left + (periods.length === 1 ? (W - left - right) / 2 : (i * (W - left - right)) / (periods.length - 1));
  const y = (v) => top + ((100 - v) * (H - top - bottom)) / 100;
  const chart = svg('svg', {
    class: 'trend',
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-label': summary(points, metrics),
  });
  for (const v of [0, 25, 50, 75, 100]) {
    chart.append(svg('line', { class: 'gridline', x1: left, x2: W - right, y1: y(v), y2: y(v) }));
    chart.append(svg('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, `${v}%`));
  }
  chart.append(svg('line', { class: 'axis', x1: left, x2: left, y1: top, y2: H - bottom }));
  chart.append(svg('line', { class: 'axis', x1: left, x2: W - right, y1: H - bottom, y2: H - bottom }));
  const step = Math.max(1, Math.ceil(periods.length / 8));
  periods.forEach((p, i) => {
    if (i % step === 0)
      chart.append(svg('text', { x: x(i), y: H - bottom + 16, 'text-anchor': 'middle' }, p.slice(5)));
  });
  metrics.forEach((metric, m) => {
    const style = SERIES[m % SERIES.length];
    const byPeriod = new Map(points.filter((p) => p.metric === metric).map((p) => [p.period, p.value]));
    let d = '';
    let pen = false;
    periods.forEach((p, i) => {
      const v = byPeriod.get(p);
      if (v === null || v === undefined) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
      pen = true;
      chart.append(marker(style, x(i), y(v), `${metricLabel(metric)} ${p}: ${Math.round(v)} %`));
    });
    if (d)
      chart.append(
        svg('path', {
          d,
          fill: 'none',
          stroke: style.colour,
          'stroke-width': 2,
          'stroke-dasharray': style.dash || undefined,
        }),
      );
  });
  const legend = h(
    'ul',
    { class: 'chart-legend' },
    metrics.map((metric, m) => {
      const style = SERIES[m % SERIES.length];
      const key = svg('svg', { width: 28, height: 12, 'aria-hidden': 'true' });
      key.append(
        svg('line', {
          x1: 0,
          x2: 28,
          y1: 6,
          y2: 6,
          stroke: style.colour,
          'stroke-width': 2,
          'stroke-dasharray': style.dash || undefined,
        }),
      );
      key.append(marker(style, 14, 6));
      return h('li', {}, key, ' ', metricLabel(metric));
    }),
  );
  return h('div', {}, chart, legend);
}

function marker(style, cx, cy, title) {
  const s = 4;
  const attrs = { fill: style.colour };
  let el;
  if (style.shape === 'circle') el = svg('circle', { ...attrs, cx, cy, r: s });
  else if (style.shape === 'square')
    el = svg('rect', { ...attrs, x: cx - s, y: cy - s, width: 2 * s, height: 2 * s });
  else if (style.shape === 'triangle')
    el = svg('polygon', {
      ...attrs,
      points: `${cx},${cy - s - 1} ${cx - s - 1},${cy + s} ${cx + s + 1},${cy + s}`,
    });
  else
    el = svg('polygon', {
      ...attrs,
      points: `${cx},${cy - s - 1} ${cx + s + 1},${cy} ${cx},${cy + s + 1} ${cx - s - 1},${cy}`,
    });
  if (title) el.append(svg('title', {}, title));
  return el;
}

function summary(points, metrics) {
  const parts = metrics.map((metric) => {
    const values = points
      .filter((p) => p.metric === metric && p.value !== null)
      .map((p) => Math.round(p.value));
    return values.length
      ? `${metricLabel(metric)} from ${values[0]} % to ${values[values.length - 1]} %`
      : null;
  });
  return `% within SLA over time: ${parts.filter(Boolean).join('; ') || 'no decided clocks'}`;
}
