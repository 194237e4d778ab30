/** A line chart with one series per label (e.g. speedup against processor count per network). */
import { esc, n, niceTicks, SERIES_COLOURS, svgDocument } from './svg';
import { maxOf, minOf } from '../../lib/model/extrema';

export interface Series {
  label: string;
  points: { x: number; y: number }[];
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Horizontal reference lines (e.g. the paper's 1.6× average). */
  references?: { y: number; label: string }[];
}

export function lineChartSvg(series: Series[], opts: LineChartOptions): string {
  const width = opts.width ?? 720;
  const height = opts.height ?? 440;
  const left = 64;
  const right = 170;
  const top = 40;
  const bottom = 56;
  const pw = width - left - right;
  const ph = height - top - bottom;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).concat((opts.references ?? []).map((r) => r.y));
  const xMin = minOf(xs);
  const xMax = maxOf(xs);
  const yMin = 0;
  const yMax = maxOf(ys, 1) * 1.1;
  const X = (v: number) => left + (xMax === xMin ? pw / 2 : ((v - xMin) / (xMax - xMin)) * pw);
  const Y = (v: number) => top + ph - ((v - yMin) / (yMax - yMin)) * ph;
  const body: string[] = [];
  body.push(`<text x="${n(left)}" y="22" font-size="14" font-weight="bold">${esc(opts.title)}</text>`);
  for (const t of niceTicks(yMin, yMax, 6)) {
    body.push(`<line x1="${n(left)}" y1="${n(Y(t))}" x2="${n(left + pw)}" y2="${n(Y(t))}" stroke="#e0e0e0"/>`);
    body.push(`<text x="${n(left - 6)}" y="${n(Y(t) + 4)}" text-anchor="end" font-size="10">${t}</text>`);
  }
  const xTicks = [...new Set(xs)].sort((a, b) => a - b);
  for (const t of xTicks) {
    body.push(`<line x1="${n(X(t))}" y1="${n(top + ph)}" x2="${n(X(t))}" y2="${n(top + ph + 5)}" stroke="#333"/>`);
    body.push(`<text x="${n(X(t))}" y="${n(top + ph + 18)}" text-anchor="middle" font-size="10">${t}</text>`);
  }
  body.push(`<line x1="${n(left)}" y1="${n(top + ph)}" x2="${n(left + pw)}" y2="${n(top + ph)}" stroke="#333"/>`);
  body.push(`<line x1="${n(left)}" y1="${n(top)}" x2="${n(left)}" y2="${n(top + ph)}" stroke="#333"/>`);
  body.push(`<text x="${n(left + pw / 2)}" y="${n(height - 14)}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  body.push(`<text x="16" y="${n(top + ph / 2)}" text-anchor="middle" transform="rotate(-90 16 ${n(top + ph / 2)})">${esc(opts.yLabel)}</text>`);
  for (const r of opts.references ?? []) {
    body.push(`<line x1="${n(left)}" y1="${n(Y(r.y))}" x2="${n(left + pw)}" y2="${n(Y(r.y))}" stroke="#888" stroke-dasharray="5,4"/>`);
    body.push(`<text x="${n(left + pw - 4)}" y="${n(Y(r.y) - 4)}" text-anchor="end" font-size="10" fill="#555">${esc(r.label)}</text>`);
  }
  series.forEach((s, i) => {
    const c = SERIES_COLOURS[i % SERIES_COLOURS.length];
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    body.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts.map((p) => `${n(X(p.x))},${n(Y(p.y))}`).join(' ')}"/>`);
    for (const p of pts) body.push(`<circle cx="${n(X(p.x))}" cy="${n(Y(p.y))}" r="3.5" fill="${c}"><title>${esc(`${s.label}: ${p.x} → ${p.y.toFixed(2)}`)}</title></circle>`);
    const ly = top + 10 + i * 20;
    body.push(`<line x1="${n(left + pw + 14)}" y1="${n(ly)}" x2="${n(left + pw + 34)}" y2="${n(ly)}" stroke="${c}" stroke-width="2"/>`);
    body.push(`<text x="${n(left + pw + 40)}" y="${n(ly + 4)}" font-size="11">${esc(s.label)}</text>`);
  });
  return svgDocument(width, height, body, opts.title);
}
