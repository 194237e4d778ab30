/**
 * From a fixed processor assignment to a legal periodic placement: offsets (timing-aware modulo
 * placement on the fixed processors, or back-to-back packing along the data flow), then
 * iteration indices by retiming (retiming.ts), then — with free loops — loop compaction and the
 * minimal staleness. `placeAssignment` finds the smallest period at which that works.
 */
import { onAssignment } from '../../lib/model/durations';
import type { Edge, Machine, TaskGraph } from '../../lib/model/types';
import { adjacency, isLoopEdge, stalenessOf, topoOrder } from '../../lib/model/graph/taskgraph';
import { linkPeriodBound } from '../../lib/model/metrics/communication';
import { minimalStaleness, type PeriodicPlacement } from '../../lib/model/schedule/placement';
import { assignmentPeriod, processorLoads } from './assignment-cost';
import { compactLoops, retimeOffsets, type BindingCycle } from './retiming';
import { moduloPlaceAt } from './modulo';
import { maxOf } from '../../lib/model/extrema';

export interface PlacedAssignment {
  placement: PeriodicPlacement;
  staleness: number[];
  /** How the offsets were made: 'modulo' (timing-aware) or 'packed' (back to back). */
  offsets: 'modulo' | 'packed';
}

export type PlaceResult = { ok: true; placed: PlacedAssignment } | { ok: false; binding: BindingCycle | null };

/**
 * Place a fixed assignment at period P (fails at once when a link of the assignment is busier
 * than P): (a) the modulo scheduler restricted to these processors
 * (starts right after the data arrive, so loops stay short), (b) back-to-back packing along the
 * data flow, then retiming. With free loops both are compacted and the smaller Σ d_l wins; with
 * fixed delays the first legal one is returned, else the binding cycle of (b).
 */
function placeAt(g: TaskGraph, m: Machine, proc: readonly number[], P: number, freeLoops: boolean): PlaceResult {
  // A link busier than P cannot be fixed by timing: the assignment needs a longer period.
  if (linkPeriodBound(g, m, proc) > P) return { ok: false, binding: null };
  const options: PlacedAssignment[] = [];
  const mod = moduloPlaceAt(g, m, P, { freeLoops, proc });
  if (mod) options.push(finishPlacement(g, m, mod, freeLoops, 'modulo'));
  const order = dataflowOrder(g, freeLoops) ?? g.tasks.map((_, v) => v);
  const load = processorLoads(g, proc, m.procs);
  let binding: BindingCycle | null = null;
  if (maxOf(load) <= P) {
    const off = packBackToBack(g, proc, m.procs, order);
    const r = retimeOffsets(g, m, [...proc], off, P, freeLoops);
    if (r.ok) options.push(finishPlacement(g, m, { period: P, proc: [...proc], start: r.start }, freeLoops, 'packed'));
    else binding = r.binding;
  }
  if (options.length === 0) return { ok: false, binding };
  options.sort((a, b) => sum(a.staleness) - sum(b.staleness));
  return { ok: true, placed: options[0] };
}

function finishPlacement(g: TaskGraph, m: Machine, pl: PeriodicPlacement, freeLoops: boolean, how: 'modulo' | 'packed'): PlacedAssignment {
  if (!freeLoops) return { placement: pl, staleness: stalenessOf(g), offsets: how };
  const c = compactLoops(g, m, pl, true);
  return { placement: c, staleness: minimalStaleness(g, m, c), offsets: how };
}

const sum = (a: readonly number[]) => a.reduce((x, y) => x + y, 0);

/**
 * Smallest period at which a fixed assignment places: with free loops its period
 * max(largest load, link bound) — the loops are free and the rest is a DAG, so packing and
 * retiming always succeed there; with fixed delays, steps of max(1, 2 %) from that value until
 * legal, then a binary search of the last step. Returns the binding cycle at the first value
 * when even `maxPeriod` fails.
 */
export function placeAssignment(
  g0: TaskGraph,
  m: Machine,
  proc: readonly number[],
  freeLoops: boolean,
  maxPeriod = Infinity,
): PlaceResult & { firstBinding?: BindingCycle | null } {
  const g = onAssignment(g0, m, proc); // the assignment fixes every task's duration
  const P0 = maxOf(g.tasks.map((t) => t.cycles), Math.max(1, assignmentPeriod(g, m, proc)));
  const first = placeAt(g, m, proc, P0, freeLoops);
  if (first.ok || freeLoops) return first;
  const limit = Math.min(maxPeriod, P0 * (g.tasks.length + 2));
  let P = P0;
  let failed = P0;
  let found: PlacedAssignment | null = null;
  while (P < limit) {
    P = Math.min(limit, Math.max(P + 1, Math.ceil(P * 1.02)));
    const r = placeAt(g, m, proc, P, freeLoops);
    if (r.ok) {
      found = r.placed;
      break;
    }
    failed = P;
  }
  if (!found) return { ok: false, binding: first.binding, firstBinding: first.binding };
  let lo = failed + 1;
  let hi = found.placement.period;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const r = placeAt(g, m, proc, mid, freeLoops);
    if (r.ok) {
      hi = mid;
      found = r.placed;
    } else lo = mid + 1;
  }
  return { ok: true, placed: found, firstBinding: first.binding };
}

/**
 * Offsets in [0, P) that pack each processor's tasks back to back in `order` (a priority list of
 * all tasks). Legal modulo P whenever every processor's load is ≤ P. O(n).
 */
function packBackToBack(g: TaskGraph, proc: ArrayLike<number>, procs: number, order: readonly number[]): number[] {
  const next = new Array<number>(procs).fill(0);
  const off = new Array<number>(g.tasks.length).fill(0);
  for (const v of order) {
    off[v] = next[proc[v]];
    next[proc[v]] += g.tasks[v].cycles;
  }
  return off;
}

/**
 * Top levels of the constraining subgraph (longest path from a source, task cycles only), used
 * to order tasks "along the data flow": sorted by top level, ties by position in a FIFO Kahn
 * order (which that order decides, so FIFO it stays). Returns null if that subgraph has a cycle.
 * O(V + E).
 */
function dataflowOrder(g: TaskGraph, freeLoops: boolean): number[] | null {
  const n = g.tasks.length;
  const adj = adjacency(g);
  const keep = (e: Edge) => (freeLoops ? !isLoopEdge(e) : e.delay === 0);
  const topo = topoOrder(g, keep, 'fifo');
  if (!topo) return null;
  const top = new Float64Array(n);
  for (const v of topo) {
    for (let k = adj.outStart[v]; k < adj.outStart[v + 1]; k++) {
      const e = g.edges[adj.outEdges[k]];
      if (keep(e)) top[e.to] = Math.max(top[e.to], top[v] + g.tasks[v].cycles);
    }
  }
  const rank = new Int32Array(n);
  topo.forEach((v, i) => (rank[v] = i));
  return topo.slice().sort((a, b) => top[a] - top[b] || rank[a] - rank[b]);
}
