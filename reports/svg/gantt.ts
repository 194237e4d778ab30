/**
 * Gantt chart of one period of a periodic schedule: one row per processor, each task drawn at
 * its offset start mod P (a task that wraps past the period end is drawn in two pieces), the
 * label showing the task and the iteration it belongs to relative to the first task.
 */
import type { Schedule, TaskGraph } from '../../lib/model/types';
import { esc, KIND_COLOURS, n, niceTicks, svgDocument } from './svg';

export interface GanttOptions {
  title: string;
  width?: number;
  rowHeight?: number;
}

export function ganttSvg(g: TaskGraph, s: Schedule, opts: GanttOptions): string {
  const P = s.kind === 'periodic' ? s.period! : s.makespan!;
  const width = opts.width ?? 900;
  const rowH = opts.rowHeight ?? 34;
  const left = 70;
  const right = 20;
  const top = 44;
  const plotW = width - left - right;
  const procs = s.procs;
  const height = top + procs * rowH + 80;
  const x = (t: number) => left + (t / P) * plotW;
  const byId = new Map(g.tasks.map((t) => [t.id, t]));
  const body: string[] = [];
  body.push(`<text x="${n(left)}" y="20" font-size="14" font-weight="bold">${esc(opts.title)}</text>`);
  for (let p = 0; p < procs; p++) {
    const y = top + p * rowH;
    body.push(`<rect x="${n(left)}" y="${n(y)}" width="${n(plotW)}" height="${n(rowH - 6)}" fill="#f3f3f3"/>`);
    body.push(`<text x="${n(left - 8)}" y="${n(y + rowH / 2)}" text-anchor="end">P${p}</text>`);
  }
  const sorted = [...s.tasks].sort((a, b) => a.processor - b.processor || a.start - b.start || (a.id < b.id ? -1 : 1));
  for (const st of sorted) {
    const task = byId.get(st.id);
    if (!task) continue;
    const colour = KIND_COLOURS[task.kind] ?? '#999999';
    const y = top + st.processor * rowH;
    const off = s.kind === 'periodic' ? ((st.start % P) + P) % P : st.start;
    const iter = s.kind === 'periodic' ? Math.floor(st.start / P) : 0;
    const pieces: [number, number][] = off + task.cycles <= P ? [[off, off + task.cycles]] : [[off, P], [0, off + task.cycles - P]];
    for (const [a, b] of pieces) {
      body.push(
        `<rect x="${n(x(a))}" y="${n(y)}" width="${n(Math.max(0.5, x(b) - x(a)))}" height="${n(rowH - 6)}" fill="${colour}" stroke="#ffffff" stroke-width="0.5"><title>${esc(`${st.id} (iteration +${iter}): start ${st.start}, ${task.cycles} cycles`)}</title></rect>`,
      );
      const w = x(b) - x(a);
      const label = iter > 0 ? `${st.id}·${iter}` : st.id;
      if (w > label.length * 6.5 + 4) {
        body.push(`<text x="${n((x(a) + x(b)) / 2)}" y="${n(y + rowH / 2)}" text-anchor="middle" fill="#ffffff" font-size="10">${esc(label)}</text>`);
      }
    }
  }
  const axisY = top + procs * rowH + 4;
  body.push(`<line x1="${n(left)}" y1="${n(axisY)}" x2="${n(left + plotW)}" y2="${n(axisY)}" stroke="#333"/>`);
  for (const t of niceTicks(0, P, 8)) {
    if (t > P) continue;
    body.push(`<line x1="${n(x(t))}" y1="${n(axisY)}" x2="${n(x(t))}" y2="${n(axisY + 5)}" stroke="#333"/>`);
    body.push(`<text x="${n(x(t))}" y="${n(axisY + 18)}" text-anchor="middle" font-size="10">${t}</text>`);
  }
  body.push(`<text x="${n(left + plotW / 2)}" y="${n(axisY + 36)}" text-anchor="middle">cycles within one period (P = ${P})</text>`);
  // Legend of the kinds present.
  const kinds = [...new Set(g.tasks.map((t) => t.kind))];
  let lx = left;
  const ly = axisY + 52;
  for (const k of kinds) {
    body.push(`<rect x="${n(lx)}" y="${n(ly)}" width="12" height="12" fill="${KIND_COLOURS[k] ?? '#999999'}"/>`);
    body.push(`<text x="${n(lx + 16)}" y="${n(ly + 10)}" font-size="11">${esc(k)}</text>`);
    lx += 26 + k.length * 8;
  }
  return svgDocument(width, height, body, opts.title);
}
