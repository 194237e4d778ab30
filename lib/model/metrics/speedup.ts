/**
 * Speedup of a method over a baseline (README, The model): P_baseline / P_method, both periods of
 * validated schedules on the same cost model and the same N (cycles per minibatch).
 */
import type { Cycles } from '../types';

export function speedup(baselinePeriod: Cycles, methodPeriod: Cycles): number {
  if (!(baselinePeriod > 0) || !(methodPeriod > 0)) throw new Error(`speedup: periods must be positive, got ${baselinePeriod} / ${methodPeriod}`);
  return baselinePeriod / methodPeriod;
}

/** gap = (value − bound) / bound (0 when the bound is 0 and the value too). */
export function gapTo(value: number, bound: number): number {
  if (bound <= 0) return value <= 0 ? 0 : Infinity;
  return (value - bound) / bound;
}
