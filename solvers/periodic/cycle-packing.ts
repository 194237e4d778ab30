/**
 * Packing heuristics for the assignment solver, on the task cycles alone (links ignored): LPT,
 * MULTIFIT, and the min-max contiguous partition of the tasks in layer-major order (a
 * fine-grained pipeline). Each gives one candidate assignment (assignment.ts).
 */
import type { TaskGraph } from '../../lib/model/types';
import { minMaxBlocks, prefixSums } from '../contiguous-partition';
import { maxOf } from '../../lib/model/extrema';

/** Longest Processing Time first: largest task to the least loaded processor. O(n log n + nN). */
export function lptAssignment(cycles: readonly number[], procs: number): number[] {
  const order = cycles.map((_, v) => v).sort((a, b) => cycles[b] - cycles[a] || a - b);
  const load = new Array<number>(procs).fill(0);
  const proc = new Array<number>(cycles.length).fill(0);
  for (const v of order) {
    let best = 0;
    for (let p = 1; p < procs; p++) if (load[p] < load[best]) best = p;
    proc[v] = best;
    load[best] += cycles[v];
  }
  return proc;
}

/** First-fit decreasing into `procs` bins of capacity C, or null. O(nN). */
function ffd(cycles: readonly number[], order: readonly number[], procs: number, C: number): number[] | null {
  const load = new Array<number>(procs).fill(0);
  const proc = new Array<number>(cycles.length).fill(0);
  for (const v of order) {
    let p = 0;
    while (p < procs && load[p] + cycles[v] > C) p++;
    if (p === procs) return null;
    proc[v] = p;
    load[p] += cycles[v];
  }
  return proc;
}

/**
 * MULTIFIT (Coffman, Garey, Johnson 1978): binary search on a bin capacity with first-fit
 * decreasing. O(k·nN) for k iterations.
 */
export function multifitAssignment(cycles: readonly number[], procs: number, iterations = 24): number[] {
  const order = cycles.map((_, v) => v).sort((a, b) => cycles[b] - cycles[a] || a - b);
  const W = cycles.reduce((a, b) => a + b, 0);
  const cmax = maxOf(cycles, 0);
  let lo = Math.max(Math.ceil(W / procs), cmax);
  let hi = Math.max(Math.ceil((2 * W) / procs), cmax);
  let best = ffd(cycles, order, procs, hi) ?? lptAssignment(cycles, procs);
  for (let i = 0; i < iterations && lo < hi; i++) {
    const mid = Math.floor((lo + hi) / 2);
    const r = ffd(cycles, order, procs, mid);
    if (r) {
      best = r;
      hi = mid;
    } else lo = mid + 1;
  }
  return best;
}

/**
 * Min-max partition of a task sequence into at most `procs` contiguous blocks (block k on
 * processor k; blocks may stay empty). Exact DP (`minMaxBlocks`), O(n²·N).
 */
export function contiguousAssignment(cycles: readonly number[], sequence: readonly number[], procs: number): number[] {
  const n = sequence.length;
  const pre = prefixSums(sequence.map((v) => cycles[v]));
  const { bounds } = minMaxBlocks(n, Math.min(procs, n), (i, j) => pre[j] - pre[i], true);
  const proc = new Array<number>(cycles.length).fill(0);
  for (let k = 0; k + 1 < bounds.length; k++) for (let x = bounds[k]; x < bounds[k + 1]; x++) proc[sequence[x]] = k;
  return proc;
}

/**
 * Tasks in layer-major order: layer 1's tasks, then layer 2's, …, the Loss last; inside a layer
 * Ba2_l first (so a cut just after it moves it to layer l−1's block, LayerPipe's inter-layer
 * move), then F, Ba1, Bw, U, by timestep. Graphs without layers keep their task order.
 */
export function layerMajorOrder(g: TaskGraph): number[] {
  const rank: Record<string, number> = { Ba2: 0, F: 1, Ba1: 2, Ba: 2, B: 3, Bw: 3, U: 4, Loss: 5, task: 0 };
  const key = (v: number) => {
    const t = g.tasks[v];
    const layer = t.kind === 'Loss' || t.layer < 1 ? g.layers + 1 : t.layer;
    return [layer, rank[t.kind] ?? 0, t.timestep ?? 0, v];
  };
  return g.tasks
    .map((_, v) => v)
    .sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
      return 0;
    });
}
