/**
 * Timing helpers the pipeline baselines share: ASAP start times along fixed per-processor
 * sequences, and the period those start times need. (The staleness read off start times is
 * lib/model/schedule/placement.ts `minimalStaleness`.) Durations are per processor
 * (`taskCycles`, lib/model/durations.ts).
 */
import { taskCycles } from '../../lib/model/durations';
import type { Cycles, Edge, Machine, TaskGraph } from '../../lib/model/types';
import { transferCycles } from '../../lib/model/machine';
import { adjacency, kahnOrder } from '../../lib/model/graph/taskgraph';
import { edgeNeed } from '../../lib/model/schedule/placement';

/**
 * Earliest start times when every processor runs its tasks in the given sequence (each sequence a
 * list of task indices; every task in exactly one) and every zero-delay edge u → v waits for
 * u's end plus the transfer between their processors. Tasks start as soon as both hold. Throws if
 * the sequences contradict the zero-delay edges (a bug in the caller). O(V + E).
 */
export function asapAlongSequences(g: TaskGraph, m: Machine, proc: readonly number[], sequences: readonly number[][]): Cycles[] {
  const n = g.tasks.length;
  const adj = adjacency(g);
  const nextOnProc = new Int32Array(n).fill(-1);
  for (const seq of sequences) for (let i = 1; i < seq.length; i++) nextOnProc[seq[i - 1]] = seq[i];
  // Precedence: the zero-delay edges, then the processor sequences. Start times are longest
  // paths, so any topological order gives the same ones.
  const order = kahnOrder(
    n,
    (u, visit) => {
      for (let k = adj.outStart[u]; k < adj.outStart[u + 1]; k++) {
        const e = g.edges[adj.outEdges[k]];
        if (e.delay === 0) visit(e.to);
      }
      if (nextOnProc[u] >= 0) visit(nextOnProc[u]);
    },
    'fifo',
  );
  if (!order) throw new Error(`asapAlongSequences: processor sequences contradict the precedence edges of ${g.name}`);
  const ready = new Float64Array(n);
  const start = new Array<number>(n).fill(-1);
  const relax = (v: number, t: number) => {
    if (t > ready[v]) ready[v] = t;
  };
  for (const u of order) {
    start[u] = ready[u];
    const end = start[u] + taskCycles(g.tasks[u], proc[u], m);
    for (let k = adj.outStart[u]; k < adj.outStart[u + 1]; k++) {
      const e = g.edges[adj.outEdges[k]];
      if (e.delay === 0) relax(e.to, end + transferCycles(m, e.bytes, proc[u], proc[e.to]));
    }
    if (nextOnProc[u] >= 0) relax(nextOnProc[u], end);
  }
  return start;
}

/**
 * Smallest period for fixed start times: every processor's tasks fit in one window of length P
 * (so their intervals cannot overlap modulo P), and every edge with delay w > 0 whose loop layer
 * is not in `free` holds: start_v + w·P ≥ end_u + comm(u, v). O(V + E).
 */
export function periodForStarts(g: TaskGraph, m: Machine, proc: readonly number[], start: readonly number[], free: (e: Edge) => boolean = () => false): Cycles {
  let P = 0;
  const lo = new Map<number, number>();
  const hi = new Map<number, number>();
  g.tasks.forEach((t, i) => {
    const p = proc[i];
    lo.set(p, Math.min(lo.get(p) ?? Infinity, start[i]));
    hi.set(p, Math.max(hi.get(p) ?? -Infinity, start[i] + taskCycles(t, p, m)));
  });
  for (const [p, a] of lo) P = Math.max(P, hi.get(p)! - a);
  for (const e of g.edges) {
    if (e.delay <= 0 || free(e)) continue;
    P = Math.max(P, Math.ceil(edgeNeed(g, m, proc, start, e) / e.delay));
  }
  return P;
}
