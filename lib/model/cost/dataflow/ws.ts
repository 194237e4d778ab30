/**
 * Weight-stationary dataflow (SCALE-Sim analytic model, design §4): the K×M operand is
 * pinned to the array K-rows by M-columns at a time, and the N columns of the other operand
 * stream through. Per fold: R cycles to load, R + C − 2 of skew fill and drain, N streamed.
 */
import type { ArrayDims, FoldCost, GemmShape } from './types';

export function wsCost({ M, K, N }: GemmShape, { rows: R, cols: C }: ArrayDims): FoldCost {
  const folds = Math.ceil(K / R) * Math.ceil(M / C);
  return { folds, cycles: folds * (2 * R + C + N - 2) };
}
