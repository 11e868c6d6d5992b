// The per-key usage chart of the Audit page: KMS key use over time as
// stacked bars, one color per key, drawn as inline SVG (no library, and
// nothing a strict CSP refuses: attributes only, no style).

import { s, h } from './dom.js';

const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const otherColor = '#9e9e9e';
const width = 720;
const height = 240;
const pad = { left: 44, right: 12, top: 12, bottom: 36 };
const slots = 24;

// keyUses lists, per event, the KMS keys it used: [{ time (ms), arn }].
export function keyUses(events) {
  const uses = [];
  for (const e of events) {
    for (const r of e.Resources || []) {
      if (r.ResourceType === 'AWS::KMS::Key' && r.ResourceName) uses.push({ time: e.EventTime * 1000, arn: r.ResourceName });
    }
  }
  return uses;
}

// usageChart draws uses between from and to (ms). names.name(arn) labels
// a key. It returns a figure with the SVG and its legend.
export function usageChart(uses, names, from, to) {
  const figure = h('figure', { class: 'chart', 'data-testid': 'audit-chart' });
  if (uses.length === 0) {
    figure.append(h('p', { class: 'muted', 'data-testid': 'audit-chart-empty', text: 'No KMS key was used in these events.' }));
    return figure;
  }
  // Without bounds the chart ends now and spans at least the last hour.
  const end = to || Math.max(Date.now(), ...uses.map((u) => u.time));
  const start = from || Math.min(end - 3600_000, ...uses.map((u) => u.time));
  const step = (end - start) / slots;

  // The busiest keys get their own color, the rest share one.
  const totals = new Map();
  for (const u of uses) totals.set(u.arn, (totals.get(u.arn) || 0) + 1);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]);
  const shown = ranked.slice(0, palette.length).map(([arn]) => arn);
  const series = (arn) => (shown.includes(arn) ? arn : 'other');
  const counts = Array.from({ length: slots }, () => new Map());
  for (const u of uses) {
    const i = Math.min(slots - 1, Math.max(0, Math.floor((u.time - start) / step)));
    const k = series(u.arn);
    counts[i].set(k, (counts[i].get(k) || 0) + 1);
  }
  const peak = Math.max(1, ...counts.map((c) => [...c.values()].reduce((a, b) => a + b, 0)));
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const barW = plotW / slots;
  const color = (k) => (k === 'other' ? otherColor : palette[shown.indexOf(k)]);
  const label = (k) => (k === 'other' ? 'Other keys' : names.name(k));

  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'KMS key use over time', class: 'chart-svg' },
    s('title', { text: 'KMS key use over time' }));
  // Axes and the peak's gridline.
  svg.append(
    s('line', { x1: pad.left, y1: pad.top + plotH, x2: pad.left + plotW, y2: pad.top + plotH, stroke: '#888' }),
    s('line', { x1: pad.left, y1: pad.top, x2: pad.left, y2: pad.top + plotH, stroke: '#888' }),
    s('line', { x1: pad.left, y1: pad.top, x2: pad.left + plotW, y2: pad.top, stroke: '#ddd', 'stroke-dasharray': '4 4' }),
    s('text', { x: pad.left - 6, y: pad.top + 4, 'text-anchor': 'end', 'font-size': '11', fill: '#444', text: String(peak) }),
    s('text', { x: pad.left - 6, y: pad.top + plotH, 'text-anchor': 'end', 'font-size': '11', fill: '#444', text: '0' }),
    s('text', { x: pad.left, y: height - 10, 'font-size': '11', fill: '#444', text: timeLabel(start, end - start) }),
    s('text', { x: pad.left + plotW, y: height - 10, 'text-anchor': 'end', 'font-size': '11', fill: '#444', text: timeLabel(end, end - start) }));
  counts.forEach((c, i) => {
    let y = pad.top + plotH;
    const slotStart = start + i * step;
    for (const k of [...shown, 'other']) {
      const n = c.get(k);
      if (!n) continue;
      const bh = (n / peak) * plotH;
      y -= bh;
      svg.append(s('rect', {
        x: (pad.left + i * barW + 1).toFixed(1), y: y.toFixed(1), width: Math.max(1, barW - 2).toFixed(1), height: bh.toFixed(1),
        fill: color(k), 'data-testid': 'audit-chart-bar', 'data-key': k, 'data-count': String(n),
      }, s('title', { text: `${label(k)}: ${n} use${n === 1 ? '' : 's'} from ${new Date(slotStart).toLocaleString()}` })));
    }
  });
  const legend = h('ul', { class: 'legend', 'data-testid': 'audit-chart-legend' },
    [...shown, ...(ranked.length > shown.length ? ['other'] : [])].map((k) => {
      const swatch = s('svg', { viewBox: '0 0 10 10', width: '10', height: '10', 'aria-hidden': 'true' }, s('rect', { width: '10', height: '10', fill: color(k) }));
      const n = k === 'other' ? ranked.slice(shown.length).reduce((a, [, v]) => a + v, 0) : totals.get(k);
      return h('li', { 'data-testid': 'audit-chart-key', 'data-key': k, title: k }, swatch, ' ' + label(k) + ' · ' + n);
    }));
  figure.append(svg, legend, h('figcaption', { class: 'muted small', text: `KMS key use, ${slots} intervals of ${duration(step)}.` }));
  return figure;
}

function timeLabel(ms, span) {
  const d = new Date(ms);
  return span < 36 * 3600_000 ? d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' }) : d.toLocaleDateString();
}

function duration(ms) {
  if (ms < 90_000) return Math.round(ms / 1000) + ' s';
  if (ms < 90 * 60_000) return Math.round(ms / 60_000) + ' min';
  if (ms < 36 * 3600_000) return Math.round(ms / 3600_000) + ' h';
  return Math.round(ms / 86_400_000) + ' days';
}
