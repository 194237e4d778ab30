/**
 * Weight-stationary dataflow (SCALE-Sim analytic model: Samajdar et al., "SCALE-Sim: Systolic
 * CNN Accelerator Simulator"): the operand A is pinned to the array, K-rows by M-columns at
 * a time, and the N columns of the other operand B stream through. Per fold: R cycles to
 * load, R + C − 2 of skew fill and drain, N streamed.
 *
 * SRAM traffic, counted as SCALE-Sim v2's scalesim/compute/systolic_compute_ws.py counts the
 * requests of its demand matrices (filter = A, ifmap = B, ofmap = C; Sr = K, Sc = M, T = N),
 * valid elements only — the −1 padding of a partial fold is no request:
 *   readA  = M·K              each weight loaded once, by the one fold that holds it
 *                             (create_filter_demand_mat: the fold's valid K-rows × M-columns)
 *   readB  = ceil(M/C)·K·N    B streamed again for every column fold; a row fold reads only its
 *                             K-rows (create_ifmap_demand_mat: N × the fold's valid K)
 *   writeC = ceil(K/R)·M·N    every row fold writes its partial sums of all N × the fold's valid
 *                             M (create_ofmap_demand_mat). Partial sums are NOT read back to be
 *                             accumulated: SCALE-Sim counts no such read (v2's ofmap buffer is
 *                             write-only; v1's sram_traffic_ws.py gen_trace_ifmap_partial leaves
 *                             the partial-sum reads out as "do not support right now").
 */
import type { ArrayDims, FoldCost, GemmShape, GemmTraffic } from './types';

export function wsCost({ M, K, N }: GemmShape, { rows: R, cols: C }: ArrayDims): FoldCost {
  const folds = Math.ceil(K / R) * Math.ceil(M / C);
  return { folds, cycles: folds * (2 * R + C + N - 2) };
}

export function wsTraffic({ M, K, N }: GemmShape, { rows: R, cols: C }: ArrayDims): GemmTraffic {
  return { readA: M * K, readB: Math.ceil(M / C) * K * N, writeC: Math.ceil(K / R) * M * N };
}
