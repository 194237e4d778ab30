/**
 * Output-stationary dataflow (SCALE-Sim analytic model, design §4): each PE accumulates one
 * output; an R×C tile covers N-rows by M-columns of the output and the K reduction streams
 * through. Per fold: 2R + C − 2 fill/drain (the R drain cycles kept, see design §4) plus K.
 */
import type { ArrayDims, FoldCost, GemmShape } from './types';

export function osCost({ M, K, N }: GemmShape, { rows: R, cols: C }: ArrayDims): FoldCost {
  const folds = Math.ceil(N / R) * Math.ceil(M / C);
  return { folds, cycles: folds * (2 * R + C + K - 2) };
}
