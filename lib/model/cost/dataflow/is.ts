/**
 * Input-stationary dataflow (SCALE-Sim analytic model: Samajdar et al., "SCALE-Sim: Systolic
 * CNN Accelerator Simulator"): the K×N input operand B is pinned K-rows by N-columns at a
 * time and the M rows of the weights A stream through. Per fold: 2R + C − 2 fill/drain plus M.
 *
 * SRAM traffic, counted as SCALE-Sim v2's scalesim/compute/systolic_compute_is.py counts the
 * requests of its demand matrices (ifmap = B, filter = A, ofmap = C; Sr = K, Sc = N, T = M),
 * valid elements only:
 *   readA  = ceil(N/C)·M·K    A streamed again for every column fold; a row fold reads only its
 *                             K-rows (create_filter_demand_mat: the fold's valid K × M)
 *   readB  = K·N              each input loaded once, by the one fold that holds it
 *                             (create_ifmap_demand_mat: the fold's valid K × valid N)
 *   writeC = ceil(K/R)·M·N    every row fold writes its partial sums of M × the fold's valid N
 *                             (create_ofmap_demand_mat); not read back to be accumulated, as in
 *                             ws.ts (v1's sram_traffic_is.py gen_trace_filter_partial leaves the
 *                             partial-sum input trace as a TODO).
 * This is ws.ts with the operands' roles swapped: isTraffic(M, K, N) = wsTraffic(N, K, M)
 * with readA and readB exchanged.
 */
import type { ArrayDims, FoldCost, GemmShape, GemmTraffic } from './types';

export function isCost({ M, K, N }: GemmShape, { rows: R, cols: C }: ArrayDims): FoldCost {
  const folds = Math.ceil(K / R) * Math.ceil(N / C);
  return { folds, cycles: folds * (2 * R + C + M - 2) };
}

export function isTraffic({ M, K, N }: GemmShape, { rows: R, cols: C }: ArrayDims): GemmTraffic {
  return { readA: Math.ceil(N / C) * M * K, readB: K * N, writeC: Math.ceil(K / R) * M * N };
}
