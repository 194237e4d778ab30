/**
 * A scatter plot for trade-offs (a Pareto front: period against communication overhead):
 * points grouped into classes, each class its own marker shape and colour; filled markers for
 * highlighted points (the front), hollow ones for the rest; optional labels beside points,
 * horizontal and vertical reference lines. The x axis may be symmetric-logarithmic, so that
 * overheads of 0.1 % and 50 % both stay readable.
 */
import { esc, n, niceTicks, SERIES_COLOURS, svgDocument } from './svg';
import { maxOf, minOf } from '../../lib/model/extrema';

export interface ScatterPoint {
  x: number;
  y: number;
  /** Index into `classes`. */
  cls: number;
  highlight?: boolean;
  label?: string;
  /** Tooltip text. */
  title?: string;
}

export interface ScatterOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Legend entries, one per class. */
  classes: string[];
  /** 'symlog': sign(x)·log10(1 + |x|/xLinear); linear below `xLinear` (default 0.1). */
  xScale?: 'linear' | 'symlog';
  xLinear?: number;
  /** Format of x tick labels (default: the number). */
  xTick?: (x: number) => string;
  hLines?: { y: number; label: string }[];
  vLines?: { x: number; label: string }[];
  width?: number;
  height?: number;
}

const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'triangle-down', 'cross'] as const;

function marker(shape: (typeof SHAPES)[number], x: number, y: number, r: number, colour: string, filled: boolean, title: string): string {
  const style = filled ? `fill="${colour}" stroke="${colour}"` : `fill="#ffffff" stroke="${colour}" stroke-width="1.5"`;
  const t = title ? `<title>${esc(title)}</title>` : '';
  const poly = (pts: [number, number][]) => `<polygon points="${pts.map(([a, b]) => `${n(a)},${n(b)}`).join(' ')}" ${style}>${t}</polygon>`;
  switch (shape) {
    case 'circle':
      return `<circle cx="${n(x)}" cy="${n(y)}" r="${n(r)}" ${style}>${t}</circle>`;
    case 'square':
      return `<rect x="${n(x - r)}" y="${n(y - r)}" width="${n(2 * r)}" height="${n(2 * r)}" ${style}>${t}</rect>`;
    case 'triangle':
      return poly([[x, y - r * 1.2], [x + r * 1.1, y + r * 0.8], [x - r * 1.1, y + r * 0.8]]);
    case 'triangle-down':
      return poly([[x, y + r * 1.2], [x + r * 1.1, y - r * 0.8], [x - r * 1.1, y - r * 0.8]]);
    case 'diamond':
      return poly([[x, y - r * 1.3], [x + r * 1.3, y], [x, y + r * 1.3], [x - r * 1.3, y]]);
    case 'cross':
      return `<path d="M${n(x - r)},${n(y - r)}L${n(x + r)},${n(y + r)}M${n(x - r)},${n(y + r)}L${n(x + r)},${n(y - r)}" stroke="${colour}" stroke-width="2" fill="none">${t}</path>`;
  }
}

/** Tick positions of a symlog axis between lo and hi: 0 and ±{1, 2, 5}·10^k from the linear threshold up. */
function symlogTicks(lo: number, hi: number, lin: number): number[] {
  const out = new Set<number>([0]);
  for (let mag = lin; mag <= Math.max(Math.abs(lo), Math.abs(hi)) * 10; mag *= 10) {
    for (const m of [1, 2, 5]) {
      const v = +(m * mag).toPrecision(6);
      if (v <= hi) out.add(v);
      if (-v >= lo) out.add(-v);
    }
  }
  return [...out].filter((v) => v >= lo && v <= hi).sort((a, b) => a - b);
}

export function scatterSvg(points: ScatterPoint[], opts: ScatterOptions): string {
  const width = opts.width ?? 760;
  const height = opts.height ?? 460;
  const left = 80;
  const right = 190;
  const top = 40;
  const bottom = 56;
  const pw = width - left - right;
  const ph = height - top - bottom;
  const lin = opts.xLinear ?? 0.1;
  const sx = opts.xScale === 'symlog' ? (v: number) => Math.sign(v) * Math.log10(1 + Math.abs(v) / lin) : (v: number) => v;
  const xs = points.map((p) => p.x).concat((opts.vLines ?? []).map((l) => l.x));
  const ys = points.map((p) => p.y).concat((opts.hLines ?? []).map((l) => l.y));
  const xLo = minOf(xs, 0);
  const xHi = maxOf(xs, xLo + lin);
  const yLo = 0;
  const yHi = maxOf(ys, 1) * 1.08;
  const a = sx(xLo);
  const b = sx(xHi);
  const pad = (b - a) * 0.04 || 1;
  const X = (v: number) => left + ((sx(v) - (a - pad)) / (b - a + 2 * pad)) * pw;
  const Y = (v: number) => top + ph - ((v - yLo) / (yHi - yLo)) * ph;
  const fmtX = opts.xTick ?? ((v: number) => String(v));
  const body: string[] = [];
  body.push(`<text x="${n(left)}" y="22" font-size="14" font-weight="bold">${esc(opts.title)}</text>`);
  for (const t of niceTicks(yLo, yHi, 6)) {
    body.push(`<line x1="${n(left)}" y1="${n(Y(t))}" x2="${n(left + pw)}" y2="${n(Y(t))}" stroke="#e6e6e6"/>`);
    body.push(`<text x="${n(left - 6)}" y="${n(Y(t) + 4)}" text-anchor="end" font-size="10">${t.toLocaleString('en-US')}</text>`);
  }
  // Symlog ticks crowd near 0: keep only those at least 34 px from the last one kept (0 always).
  const xTicks: number[] = [];
  for (const t of opts.xScale === 'symlog' ? symlogTicks(xLo, xHi, lin) : niceTicks(xLo, xHi, 6)) {
    const last = xTicks.at(-1);
    if (last !== undefined && X(t) - X(last) < 34) {
      if (t !== 0) continue;
      xTicks.pop();
    }
    xTicks.push(t);
  }
  for (const t of xTicks) {
    body.push(`<line x1="${n(X(t))}" y1="${n(top)}" x2="${n(X(t))}" y2="${n(top + ph)}" stroke="#f0f0f0"/>`);
    body.push(`<text x="${n(X(t))}" y="${n(top + ph + 18)}" text-anchor="middle" font-size="10">${esc(fmtX(t))}</text>`);
  }
  body.push(`<line x1="${n(left)}" y1="${n(top + ph)}" x2="${n(left + pw)}" y2="${n(top + ph)}" stroke="#333"/>`);
  body.push(`<line x1="${n(left)}" y1="${n(top)}" x2="${n(left)}" y2="${n(top + ph)}" stroke="#333"/>`);
  body.push(`<text x="${n(left + pw / 2)}" y="${n(height - 14)}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  body.push(`<text x="18" y="${n(top + ph / 2)}" text-anchor="middle" transform="rotate(-90 18 ${n(top + ph / 2)})">${esc(opts.yLabel)}</text>`);
  for (const l of opts.hLines ?? []) {
    body.push(`<line x1="${n(left)}" y1="${n(Y(l.y))}" x2="${n(left + pw)}" y2="${n(Y(l.y))}" stroke="#777" stroke-dasharray="6,4"/>`);
    body.push(`<text x="${n(left + pw - 4)}" y="${n(Y(l.y) - 4)}" text-anchor="end" font-size="10" fill="#444">${esc(l.label)}</text>`);
  }
  for (const l of opts.vLines ?? []) {
    body.push(`<line x1="${n(X(l.x))}" y1="${n(top)}" x2="${n(X(l.x))}" y2="${n(top + ph)}" stroke="#777" stroke-dasharray="2,3"/>`);
    body.push(`<text x="${n(X(l.x) + 4)}" y="${n(top + 12)}" font-size="10" fill="#444">${esc(l.label)}</text>`);
  }
  // Hollow (dominated) points first, highlighted ones on top.
  const ordered = [...points].sort((p, q) => Number(p.highlight ?? false) - Number(q.highlight ?? false));
  const placed: { x: number; y: number; w: number }[] = [];
  for (const p of ordered) {
    const colour = SERIES_COLOURS[p.cls % SERIES_COLOURS.length];
    body.push(marker(SHAPES[p.cls % SHAPES.length], X(p.x), Y(p.y), p.highlight ? 5 : 4, colour, p.highlight ?? false, p.title ?? ''));
    if (!p.label) continue;
    // Labels step down past the ones already placed that they would overlap (9 px text, ~5.5 px a character).
    const w = p.label.length * 5.5;
    const lx = X(p.x) + 7;
    let ly = Y(p.y) - 6;
    while (placed.some((q) => Math.abs(q.y - ly) < 10 && lx < q.x + q.w && q.x < lx + w)) ly += 10;
    placed.push({ x: lx, y: ly, w });
    body.push(`<text x="${n(lx)}" y="${n(ly)}" font-size="9" fill="#333">${esc(p.label)}</text>`);
  }
  opts.classes.forEach((c, i) => {
    const ly = top + 10 + i * 20;
    body.push(marker(SHAPES[i % SHAPES.length], left + pw + 24, ly, 5, SERIES_COLOURS[i % SERIES_COLOURS.length], true, ''));
    body.push(`<text x="${n(left + pw + 36)}" y="${n(ly + 4)}" font-size="11">${esc(c)}</text>`);
  });
  const ly = top + 10 + opts.classes.length * 20 + 6;
  body.push(marker('circle', left + pw + 24, ly, 5, '#555555', false, ''));
  body.push(`<text x="${n(left + pw + 36)}" y="${n(ly + 4)}" font-size="11">hollow: dominated</text>`);
  return svgDocument(width, height, body, opts.title);
}
