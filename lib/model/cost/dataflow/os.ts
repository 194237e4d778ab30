/**
 * Output-stationary dataflow (SCALE-Sim analytic model: Samajdar et al., "SCALE-Sim: Systolic
 * CNN Accelerator Simulator"): each PE accumulates one output; an R×C tile covers N-rows by
 * M-columns of the output and the K reduction streams through. Per fold: 2R + C − 2
 * fill/drain (the R drain cycles of the outputs kept) plus K.
 *
 * SRAM traffic, counted as SCALE-Sim v2's scalesim/compute/systolic_compute_os.py counts the
 * requests of its demand matrices (ifmap = Bᵀ, filter = A, ofmap = C; Sr = N, Sc = M, T = K),
 * valid elements only:
 *   readA  = ceil(N/R)·M·K    A streamed again for every row fold; a column fold reads only its
 *                             M-columns (create_filter_demand_mat: K × the fold's valid M)
 *   readB  = ceil(M/C)·K·N    B streamed again for every column fold (create_ifmap_demand_mat:
 *                             K × the fold's valid N)
 *   writeC = M·N              each output written once, when its fold drains; the reduction is
 *                             never cut, so there are no partial sums. SCALE-Sim v2 also adds
 *                             rows + cols of the padded tile per fold to its ofmap count (the
 *                             second `ofmap_writes +=` of create_ofmap_demand_mat: a sum of two
 *                             dimensions, no address); that term is not counted here — v1's
 *                             sram_traffic_os.py gen_write_trace writes each output once.
 */
import type { ArrayDims, FoldCost, GemmShape, GemmTraffic } from './types';

export function osCost({ M, K, N }: GemmShape, { rows: R, cols: C }: ArrayDims): FoldCost {
  const folds = Math.ceil(N / R) * Math.ceil(M / C);
  return { folds, cycles: folds * (2 * R + C + K - 2) };
}

export function osTraffic({ M, K, N }: GemmShape, { rows: R, cols: C }: ArrayDims): GemmTraffic {
  return { readA: Math.ceil(N / R) * M * K, readB: Math.ceil(M / C) * K * N, writeC: M * N };
}
