/**
 * Ranking of candidate schedules of the periodic solvers: lexicographic (period, crossing bytes,
 * Σ d_l), or with a period tolerance that lets candidates close to the best period compete on
 * bytes first.
 */
import type { TaskGraph } from '../../lib/model/types';
import type { PeriodicPlacement } from '../../lib/model/schedule/placement';
import { crossingBytes } from './assignment-cost';

/** Lexicographic quality of a result: period, then crossing bytes, then Σ d_l. */
export interface Quality {
  period: number;
  bytes: number;
  staleness: number;
}

export function compareQuality(a: Quality, b: Quality): number {
  return a.period - b.period || a.bytes - b.bytes || a.staleness - b.staleness;
}

export function qualityOf(g: TaskGraph, pl: PeriodicPlacement, staleness: number[]): Quality {
  return { period: pl.period, bytes: crossingBytes(g, pl.proc), staleness: staleness.reduce((a, b) => a + b, 0) };
}

/**
 * Index of the candidate to keep: the smallest period P* wins, except that candidates within
 * `tolerance`·P* of it (and never above `cap`, e.g. a baseline's period it must not exceed)
 * compete on crossing bytes, then Σ d_l, then period. tolerance 0 is the plain lexicographic
 * (period, bytes, Σ d_l) order. O(k).
 */
export function pickCandidate(qs: readonly Quality[], tolerance = 0, cap = Infinity): number {
  if (qs.length === 0) return -1;
  const Pmin = Math.min(...qs.map((q) => q.period));
  const window = Math.max(Pmin, Math.min(Math.floor(Pmin * (1 + tolerance)), cap));
  let best = -1;
  qs.forEach((q, i) => {
    if (q.period > window) return;
    if (best < 0) {
      best = i;
      return;
    }
    const b = qs[best];
    const d = q.bytes - b.bytes || q.staleness - b.staleness || q.period - b.period;
    if (d < 0) best = i;
  });
  return best;
}

/** Whether the key `a` comes before `b` (lexicographic, numbers; equal keys: false). */
export function lexLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}
