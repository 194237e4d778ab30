/**
 * Input-stationary dataflow (SCALE-Sim analytic model, design §4): the K×N input operand is
 * pinned K-rows by N-columns at a time and the M rows of the weights stream through.
 * Per fold: 2R + C − 2 fill/drain plus M.
 */
import type { ArrayDims, FoldCost, GemmShape } from './types';

export function isCost({ M, K, N }: GemmShape, { rows: R, cols: C }: ArrayDims): FoldCost {
  const folds = Math.ceil(K / R) * Math.ceil(N / C);
  return { folds, cycles: folds * (2 * R + C + M - 2) };
}
