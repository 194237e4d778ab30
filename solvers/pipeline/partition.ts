/**
 * Contiguous stage partitions of a layer stack, for the pipeline baselines.
 *
 * Two planners:
 * - `minMaxPartition`: split L layers into exactly S contiguous, non-empty stages minimising the
 *   largest stage cost (GPipe's balance). Exact DP (`minMaxBlocks`, solvers/contiguous-partition.ts),
 *   O(L²·S) time, O(L·S) memory.
 * - `planPipeDream`: PipeDream's optimizer (Narayanan et al., SOSP'19; `optimizer_graph_hierarchical.py` in
 *   msr-fiddle/pipedream) restricted to a chain of layers: the pipeline's time per
 *   minibatch is the largest of (a) every stage's compute, divided by its replica count once the
 *   data-parallel all-reduce is added, and (b) every cut's link time. PipeDream's optimizer
 *   charges `2·activation/bandwidth` per cut (forward activations plus backward gradients over
 *   one link); our links are full duplex (lib/model/machine.ts), so the forward spikes (s → s+1) and
 *   the backward gradients (s+1 → s) use DIFFERENT links and the cut costs the busier of the
 *   two, ceil(bytes/bandwidth) cycles of link occupancy per minibatch (`cutLinkCycles`): exactly
 *   the link bound a periodic schedule must meet, so the planner's objective is the period of
 *   its pipeline. Straight pipeline (one processor per stage,
 *   S = min(N, L) stages) by default; with `replicate`, a stage may run on r ≥ 1 processors and all N
 *   processors are used (the best smaller count when the allowed replica counts cannot add up to N).
 *
 * Determinism: every DP scans candidate split points in increasing order and keeps the first
 * optimum (strict `<`), so among optimal partitions the one returned has, for each prefix, the
 * smallest last split point; the replica count is scanned from 1 upwards likewise.
 */
import type { TaskGraph } from '../../lib/model/types';
import { isHeterogeneous, onType } from '../../lib/model/durations';
import { fail } from '../../lib/model/errors';
import type { Stage } from '../../lib/model/graph/stages';
import { minMaxBlocks, prefixSums } from '../contiguous-partition';

export interface Partition {
  stages: Stage[];
  /** Cost of each stage (sum of its layer costs for `minMaxPartition`; the planner's stage time otherwise). */
  stageCosts: number[];
  /** The objective: the largest stage cost (planner: largest of stage and transfer times). */
  value: number;
}

function checkCosts(costs: readonly number[], where: string): void {
  if (costs.length === 0) fail(where, 'no layers to partition');
  costs.forEach((c, i) => {
    if (!Number.isFinite(c) || c < 0) fail(`${where}[${i}]`, `layer cost must be a finite non-negative number, got ${c}`);
  });
}

/**
 * Split `costs` (one per layer) into exactly `stages` contiguous non-empty stages minimising the
 * maximum stage sum. `1 ≤ stages ≤ costs.length`. O(L²·S). With `costsOfStage` (heterogeneous
 * machines: stage k runs on a processor of its own speed) stage k costs the sum of
 * `costsOfStage(k)` over its layers instead — speed-aware, so processor order matters.
 */
export function minMaxPartition(costs: readonly number[], stages: number, costsOfStage?: StageCosts): Partition {
  checkCosts(costs, 'costs');
  const L = costs.length;
  if (!Number.isInteger(stages) || stages < 1 || stages > L) fail('stages', `need 1..${L} stages, got ${stages}`);
  const pre = prefixSums(costs);
  const preOf = stagePrefixes(costsOfStage, stages, pre);
  const part = minMaxBlocks(L, stages, (i, j, k) => preOf[k][j] - preOf[k][i], false);
  const out = stagesOf(part.bounds);
  const stageCosts = out.map((s, k) => preOf[k][s.last + 1] - preOf[k][s.first]);
  return { stages: out, stageCosts, value: part.value };
}

/** Per-layer costs of stage k (heterogeneous machines: the costs on stage k's processor type). */
export type StageCosts = (stage: number) => readonly number[];

function stagePrefixes(costsOfStage: StageCosts | undefined, stages: number, pre: number[]): number[][] {
  return Array.from({ length: stages }, (_, k) => (costsOfStage ? prefixSums(costsOfStage(k)) : pre));
}

/**
 * The per-layer costs of stage k for a heterogeneous graph: `costsOf` the graph costed on the
 * type of processor `procOf(k)` (memoised per type); undefined on identical processors.
 */
export function stageCostsOnTypes(g: TaskGraph, procType: readonly number[] | undefined, procOf: (stage: number) => number, costsOf: (g: TaskGraph) => number[]): StageCosts | undefined {
  if (!procType || !isHeterogeneous(g)) return undefined;
  const memo = new Map<number, number[]>();
  return (k) => {
    const t = procType[procOf(k)];
    let c = memo.get(t);
    if (!c) memo.set(t, (c = costsOf(onType(g, t))));
    return c;
  };
}

/** Unreplicated stages from block bounds (layers bounds[k] .. bounds[k+1] − 1). */
function stagesOf(bounds: readonly number[]): Stage[] {
  const out: Stage[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) out.push({ first: bounds[k], last: bounds[k + 1] - 1, replicas: 1 });
  return out;
}

export interface PlannerInput {
  /** Per-layer compute per minibatch (PipeDream: F + Ba1 + Ba2 + Bw + U; the Loss added to the last layer). */
  compute: readonly number[];
  /**
   * Per cut between layer l and l+1 (length L−1): the cut's link time per minibatch — ours: the
   * busier of its two full-duplex links, ceil(bytes/bandwidth) (lib/model/graph/stages.ts `cutLinkCycles`;
   * spikes are bit-packed and gradients are not, so the directions differ); PipeDream's own
   * optimizer: `2·activation/bandwidth`.
   */
  transfer: readonly number[];
  /** Per-layer weight bytes |W|·bytesPerValue (needed with `replicate`). */
  weightBytes?: readonly number[];
  /** Cycles of an all-reduce of `bytes` over r replicas (needed with `replicate`). */
  allReduce?: (bytes: number, replicas: number) => number;
  /** Replica counts a stage may use (default: any); 1 is always allowed. */
  replicasAllowed?: (replicas: number) => boolean;
  /** Straight planner on heterogeneous machines: per-layer compute of stage k on its processor. */
  computeOfStage?: StageCosts;
}

/**
 * All-reduce time we charge a stage replicated r times, as a function of its weight bytes:
 * a ring all-reduce moves 2·(r−1)/r·|W|·bpv bytes in and out of every replica (reduce-scatter plus
 * all-gather); we send them as one transfer over one link: ceil(bytes/bandwidth) + latency
 * (0 for r = 1). PipeDream's optimizer charges 4·(r−1)·|W|/r bytes (fp32 weights, the same
 * 2·(r−1)/r ring factor) over the bandwidth; ours is the same with our bytes per value.
 */
export function ringAllReduceCycles(bandwidth: number, latency: number): (bytes: number, replicas: number) => number {
  return (bytes, r) => {
    if (r <= 1 || bytes <= 0) return 0;
    return Math.ceil((2 * (r - 1) * bytes) / r / bandwidth) + latency;
  };
}

/**
 * Stage time of layers i..j on r replicas: (compute + allReduce(|W_i..j|, r)) / r — PipeDream's
 * replicated-stage formula (each replica takes every r-th minibatch, then all replicas synchronise
 * their weights). For r = 1 it is the plain compute sum.
 */
function stageTime(pre: number[], preW: number[] | null, ar: PlannerInput['allReduce'], i: number, j: number, r: number): number {
  const compute = pre[j + 1] - pre[i];
  if (r === 1) return compute;
  const bytes = preW ? preW[j + 1] - preW[i] : 0;
  return (compute + (ar ? ar(bytes, r) : 0)) / r;
}

/**
 * PipeDream's planner on a chain. `procs` processors. Straight (default): exactly min(N, L)
 * stages, one processor each, DP over (prefix, stages) in O(L²·S). With `replicate`: all N
 * processors, stages with replica counts r_s (Σ r_s = N, or the best smaller sum when
 * `replicasAllowed` rules N out), DP over (prefix, machines) as in
 * PipeDream: A(j, m) = min over i < j, 1 ≤ r ≤ m of max(A(i, m − r), transfer(i−1→i)/r,
 * stageTime(i..j, r)), O(L²·N²). The transfer into a replicated stage is divided by its r (its
 * replicas receive alternate minibatches in parallel, PipeDream's `/m'`).
 */
export function planPipeDream(input: PlannerInput, procs: number, opts: { replicate?: boolean } = {}): Partition {
  const { compute, transfer } = input;
  checkCosts(compute, 'compute');
  const L = compute.length;
  if (transfer.length !== L - 1) fail('transfer', `need ${L - 1} cut transfer times, got ${transfer.length}`);
  if (!Number.isInteger(procs) || procs < 1) fail('--procs', `processor count must be a positive integer, got ${procs}`);
  const pre = prefixSums(compute);
  if (!opts.replicate) {
    // The min-max DP of minMaxPartition with the transfer into a stage as part of its cost.
    const S = Math.min(procs, L);
    const preOf = stagePrefixes(input.computeOfStage, S, pre);
    const part = minMaxBlocks(L, S, (i, j, k) => Math.max(i > 0 ? transfer[i - 1] : 0, preOf[k][j] - preOf[k][i]), false);
    const stages = stagesOf(part.bounds);
    return { stages, stageCosts: stages.map((s, k) => preOf[k][s.last + 1] - preOf[k][s.first]), value: part.value };
  }
  const wb = input.weightBytes;
  if (!wb || wb.length !== L) fail('weightBytes', `replication needs ${L} per-layer weight sizes`);
  const preW = prefixSums(wb);
  const N = procs;
  // A[j][m]: best time for the first j layers on exactly m processors; choice = (i, r).
  const A: Float64Array[] = [];
  const ci: Int32Array[] = [];
  const cr: Int32Array[] = [];
  for (let j = 0; j <= L; j++) {
    A.push(new Float64Array(N + 1).fill(Infinity));
    ci.push(new Int32Array(N + 1).fill(-1));
    cr.push(new Int32Array(N + 1).fill(-1));
  }
  A[0][0] = 0;
  for (let j = 1; j <= L; j++) {
    for (let m = 1; m <= N; m++) {
      let b = Infinity;
      let ai = -1;
      let ar = -1;
      for (let i = 0; i < j; i++) {
        for (let r = 1; r <= m; r++) {
          if (r > 1 && input.replicasAllowed && !input.replicasAllowed(r)) continue;
          const prev = A[i][m - r];
          if (prev === Infinity) continue;
          const tin = i > 0 ? transfer[i - 1] / r : 0;
          const v = Math.max(prev, tin, stageTime(pre, preW, input.allReduce, i, j - 1, r));
          if (v < b) {
            b = v;
            ai = i;
            ar = r;
          }
        }
      }
      A[j][m] = b;
      ci[j][m] = ai;
      cr[j][m] = ar;
    }
  }
  // Use all N processors (PipeDream's A(L, N)) when the allowed replica counts can add up to N;
  // else the best smaller machine count (PipeDream's "fewer machines" option; ties: the larger).
  let m = N;
  if (A[L][N] === Infinity) for (let k = N - 1; k >= 1; k--) if (A[L][k] < A[L][m]) m = k;
  const value = A[L][m];
  const stages: Stage[] = [];
  let j = L;
  while (j > 0) {
    const i = ci[j][m];
    const r = cr[j][m];
    stages.push({ first: i, last: j - 1, replicas: r });
    j = i;
    m -= r;
  }
  stages.reverse();
  return {
    stages,
    stageCosts: stages.map((s) => stageTime(pre, preW, input.allReduce, s.first, s.last, s.replicas)),
    value,
  };
}
