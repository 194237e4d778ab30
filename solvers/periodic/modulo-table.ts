/**
 * Modulo reservation table (Rau 1994): per processor, the busy arcs of a circle of length P.
 * Arcs are kept as half-open [a, b) pieces inside [0, P) (a wrapping arc is two pieces); where a
 * task fits is decided by the circle's slot finder (circle-slots.ts). k = arcs on a processor:
 * `fits` O(k), `earliest` O(k²), `reserve`/`release` O(k).
 */
import { arcPieces, earliestFreeStart, fitsAt, freeStarts } from './circle-slots';

export class ModuloTable {
  readonly P: number;
  private readonly arcs: { a: number; b: number; task: number }[][];

  constructor(procs: number, P: number) {
    this.P = P;
    this.arcs = Array.from({ length: procs }, () => []);
  }

  /** Tasks whose arcs intersect [t, t + len) modulo P on processor p. */
  conflicts(p: number, t: number, len: number): number[] {
    const out: number[] = [];
    for (const [a, b] of arcPieces(t, len, this.P)) {
      for (const r of this.arcs[p]) if (r.a < b && a < r.b && !out.includes(r.task)) out.push(r.task);
    }
    return out;
  }

  fits(p: number, t: number, len: number): boolean {
    return fitsAt(this.arcs[p], t, len, this.P);
  }

  /** Smallest t in [est, est + P) with [t, t + len) free on p, or -1. */
  earliest(p: number, est: number, len: number): number {
    return earliestFreeStart(this.arcs[p], est, len, this.P) ?? -1;
  }

  /**
   * Every start in [est, est + P) worth trying, in increasing order: est itself and each arc
   * end (the starts that leave no gap on the left); only those where [t, t + len) is free.
   */
  starts(p: number, est: number, len: number): number[] {
    return freeStarts(this.arcs[p], est, len, this.P);
  }

  /** Lengths of the free arcs of processor p (a free arc across P and 0 counts once). O(k log k). */
  freeArcs(p: number): number[] {
    const P = this.P;
    const busy = this.arcs[p].map((r) => [r.a, r.b] as [number, number]).sort((x, y) => x[0] - y[0]);
    if (busy.length === 0) return [P];
    const merged: [number, number][] = [];
    for (const [a, b] of busy) {
      const last = merged[merged.length - 1];
      if (last && a <= last[1]) last[1] = Math.max(last[1], b);
      else merged.push([a, b]);
    }
    const free: number[] = [];
    for (let i = 1; i < merged.length; i++) free.push(merged[i][0] - merged[i - 1][1]);
    const wrap = P - merged[merged.length - 1][1] + merged[0][0];
    if (wrap > 0) free.push(wrap);
    return free.filter((f) => f > 0);
  }

  /** Whether tasks of these sizes still fit into p's free arcs (first-fit decreasing). */
  roomFor(p: number, sizes: readonly number[]): boolean {
    const free = this.freeArcs(p).sort((a, b) => b - a);
    for (const c of [...sizes].sort((a, b) => b - a)) {
      if (c <= 0) continue;
      const i = free.findIndex((f) => f >= c);
      if (i < 0) return false;
      free[i] -= c;
    }
    return true;
  }

  reserve(p: number, t: number, len: number, task: number): void {
    for (const [a, b] of arcPieces(t, len, this.P)) this.arcs[p].push({ a, b, task });
  }

  release(p: number, task: number): void {
    this.arcs[p] = this.arcs[p].filter((r) => r.task !== task);
  }
}
