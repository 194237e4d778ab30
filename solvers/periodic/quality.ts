/**
 * Ranking of candidate schedules of the periodic solvers: lexicographic (period, Σ d_l,
 * crossing bytes), or with a period tolerance that lets candidates close to the best period
 * compete on staleness first, then bytes. Staleness ranks before bytes so that among schedules
 * of equal period the default is never needlessly stale: every step of d_l costs accuracy
 * (the accuracy table), while bytes are held to their own budget (maxCommOverhead).
 */
import type { TaskGraph } from '../../lib/model/types';
import type { PeriodicPlacement } from '../../lib/model/schedule/placement';
import { crossingBytes } from './assignment-cost';
import { minOf } from '../../lib/model/extrema';

/** Quality of a result, compared lexicographically: period, then Σ d_l, then crossing bytes. */
export interface Quality {
  period: number;
  bytes: number;
  staleness: number;
}

export function compareQuality(a: Quality, b: Quality): number {
  return a.period - b.period || a.staleness - b.staleness || a.bytes - b.bytes;
}

export function qualityOf(g: TaskGraph, pl: PeriodicPlacement, staleness: number[]): Quality {
  return { period: pl.period, bytes: crossingBytes(g, pl.proc), staleness: staleness.reduce((a, b) => a + b, 0) };
}

/**
 * Index of the candidate to keep: the smallest period P* wins, except that candidates within
 * `tolerance`·P* of it (and never above `cap`, e.g. a baseline's period it must not exceed)
 * compete on Σ d_l, then crossing bytes, then period. tolerance 0 is the plain lexicographic
 * (period, Σ d_l, bytes) order. O(k).
 */
export function pickCandidate(qs: readonly Quality[], tolerance = 0, cap = Infinity): number {
  if (qs.length === 0) return -1;
  const window = periodWindow(qs, tolerance, cap);
  let best = -1;
  qs.forEach((q, i) => {
    if (q.period > window) return;
    if (best < 0) {
      best = i;
      return;
    }
    const b = qs[best];
    const d = q.staleness - b.staleness || q.bytes - b.bytes || q.period - b.period;
    if (d < 0) best = i;
  });
  return best;
}

/** The largest period that still competes in `pickCandidate` (the smallest period when tolerance is 0). */
export function periodWindow(qs: readonly Quality[], tolerance = 0, cap = Infinity): number {
  const Pmin = minOf(qs.map((q) => q.period));
  // The epsilon keeps 1000·(1 + 0.001) from flooring to 1000 in floating point.
  return Math.max(Pmin, Math.min(Math.floor(Pmin * (1 + tolerance) + 1e-9), cap));
}

/** Whether the key `a` comes before `b` (lexicographic, numbers; equal keys: false). */
export function lexLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}
