import { formatRate } from '../../reporting/report-text.js';
import { type Html, html } from './html.js';

/**
 * The report's charts, drawn here as SVG markup: no script, no front-end build, nothing fetched.
 * Colours and sizes are SVG attributes, not `style`, which the pages' CSP (styles from 'self' only)
 * would refuse inline.
 */

export interface Bar {
  label: string;
  value: number;
}

const INK = '#1b1f24';
const MUTED = '#5b6470';
const GRID = '#dde1e6';
const FILL = '#2557d6';

/** A vertical bar per label (a day), with a value axis of four steps; `format` writes its values. */
export function columnChart(options: {
  title: string;
  bars: readonly Bar[];
  format: (value: number) => string;
  colour?: string;
}): Html {
  const { title, bars, format } = options;
  const width = 760;
  const height = 260;
  const left = 78;
  const bottom = 36;
  const top = 28;
  const plotW = width - left - 12;
  const plotH = height - top - bottom;
  const max = niceCeiling(Math.max(0, ...bars.map((b) => b.value)));
  const slot = bars.length ? plotW / bars.length : plotW;
  const barW = Math.max(2, slot * 0.7);
  const y = (v: number) => top + plotH - (max === 0 ? 0 : (v / max) * plotH);
  const steps = [0, 1, 2, 3, 4].map((i) => (max * i) / 4);
  // Every label when few, else about ten, so they never overlap.
  const every = Math.max(1, Math.ceil(bars.length / 10));
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${title}" xmlns="http://www.w3.org/2000/svg">
<title>${title}</title>
<text x="${left}" y="16" font-size="14" font-weight="600" fill="${INK}">${title}</text>
${steps.map(
  (v) => html`<line x1="${left}" x2="${width - 12}" y1="${y(v)}" y2="${y(v)}" stroke="${GRID}"/>
<text x="${left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end" fill="${MUTED}">${format(v)}</text>`,
)}
${bars.map((b, i) => {
  const x = left + i * slot + (slot - barW) / 2;
  return html`<rect x="${x.toFixed(1)}" y="${y(b.value).toFixed(1)}" width="${barW.toFixed(1)}" height="${(top + plotH - y(b.value)).toFixed(1)}" fill="${options.colour ?? FILL}"><title>${b.label}: ${format(b.value)}</title></rect>
${i % every === 0 && html`<text x="${(x + barW / 2).toFixed(1)}" y="${height - bottom + 16}" font-size="11" text-anchor="middle" fill="${MUTED}">${b.label}</text>`}`;
})}
<line x1="${left}" x2="${width - 12}" y1="${top + plotH}" y2="${top + plotH}" stroke="${MUTED}"/>
</svg>`;
}

/** A horizontal bar per label for a share (0..1): a rescue rate by decline code or by site. */
export function rateChart(options: { title: string; bars: readonly (Bar & { note: string })[] }): Html {
  const { title, bars } = options;
  const width = 760;
  const row = 26;
  const top = 30;
  const left = 210;
  const right = 150;
  const plotW = width - left - right;
  const height = top + Math.max(1, bars.length) * row + 26;
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${title}" xmlns="http://www.w3.org/2000/svg">
<title>${title}</title>
<text x="0" y="16" font-size="14" font-weight="600" fill="${INK}">${title}</text>
${[0, 0.25, 0.5, 0.75, 1].map(
  (t) =>
    html`<line x1="${left + t * plotW}" x2="${left + t * plotW}" y1="${top - 4}" y2="${height - 22}" stroke="${GRID}"/>
<text x="${left + t * plotW}" y="${height - 8}" font-size="11" text-anchor="middle" fill="${MUTED}">${t * 100} %</text>`,
)}
${bars.length === 0 && html`<text x="${left}" y="${top + 16}" font-size="12" fill="${MUTED}">Nothing handed over in this period.</text>`}
${bars.map((b, i) => {
  const yy = top + i * row;
  const w = Math.max(0, Math.min(1, b.value)) * plotW;
  return html`<text x="${left - 8}" y="${yy + 15}" font-size="12" text-anchor="end" fill="${INK}">${clip(b.label, 30)}</text>
<rect x="${left}" y="${yy + 3}" width="${w.toFixed(1)}" height="${row - 8}" fill="${FILL}"><title>${b.label}: ${formatRate(b.value)} (${b.note})</title></rect>
<text x="${(left + w + 6).toFixed(1)}" y="${yy + 15}" font-size="12" fill="${INK}">${formatRate(b.value)} · ${b.note}</text>`;
})}
</svg>`;
}

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/** The smallest 1, 2 or 5 × 10^n at or above `value`, so the axis reads in round steps. */
function niceCeiling(value: number): number {
  if (value <= 0) return 0;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= value) return m * power;
  return 10 * power;
}
