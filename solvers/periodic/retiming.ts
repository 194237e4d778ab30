/**
 * Retiming, in two forms.
 *
 * 1. Multiprocessor form (what the pipeline solvers use). A placement fixes each task's
 *    processor and offset o_v ∈ [0, P); what is left is the iteration index q_v (the retiming):
 *    start_v = q_v·P + o_v. An edge u→v of delay w is legal iff
 *        q_v − q_u ≥ ceil((o_u + c_u + comm(u, v) − o_v) / P) − w,
 *    a system of difference constraints. Its least non-negative solution is a longest path
 *    (Bellman–Ford); a positive cycle means no retiming exists for these offsets and this P,
 *    and the cycle names the loop that binds. Going round a cycle, Σ w is invariant
 *    under retiming, which is why only the per-layer delays d_l can loosen a weight loop.
 *
 * 2. Classic Leiserson–Saxe (1991) retiming for a clock period: with W(u,v) = fewest delays on
 *    a u→v path and D(u,v) = most computation on such a path, a retiming r with
 *    w_r(e) = w(e) + r(v) − r(u) ≥ 0 achieves clock period c (longest zero-delay path) iff
 *    r(u) − r(v) ≤ w(e) for every edge and r(u) − r(v) ≤ W(u,v) − 1 whenever D(u,v) > c.
 *    `minPeriodRetiming` binary-searches c over the distinct D values. O(V³ log V).
 */
import type { Machine, TaskGraph, TaskId } from '../../lib/model/types';
import { fail } from '../../lib/model/errors';
import { adjacency, isLoopEdge, topoOrder } from '../../lib/model/graph/taskgraph';
import { constrainingEdges, edgeNeed, type PeriodicPlacement } from '../../lib/model/schedule/placement';
import { minOf } from '../../lib/model/extrema';

/** x[to] − x[from] ≥ k. `edge` is the graph edge it came from (for reports). */
export interface DiffConstraint {
  from: number;
  to: number;
  k: number;
  edge?: number;
}

export type LongestPath = { ok: true; x: number[] } | { ok: false; cycle: number[] };

/**
 * Least solution x ≥ lower (default 0) of x[to] − x[from] ≥ k for all constraints, by a
 * queue-based Bellman–Ford (longest paths). Every n relaxations the predecessor graph is
 * searched for a cycle (amortised O(1) per relaxation); a cycle there is a positive cycle of
 * the system, and one always appears if a positive cycle exists (Cherkassky–Goldberg), so the
 * loop terminates. On a positive cycle returns its constraint indices, in order. O(V·C) worst
 * case; near linear on acyclic systems.
 */
export function longestPath(n: number, cons: readonly DiffConstraint[], lower?: readonly number[]): LongestPath {
  const x = lower ? lower.slice() : new Array<number>(n).fill(0);
  const outStart = new Int32Array(n + 1);
  for (const c of cons) outStart[c.from + 1]++;
  for (let i = 0; i < n; i++) outStart[i + 1] += outStart[i];
  const fill = outStart.slice(0, n);
  const out = new Int32Array(cons.length);
  cons.forEach((c, i) => (out[fill[c.from]++] = i));
  const pred = new Int32Array(n).fill(-1);
  const inQueue = new Uint8Array(n);
  let queue: number[] = [];
  for (let v = 0; v < n; v++) {
    queue.push(v);
    inQueue[v] = 1;
  }
  let head = 0;
  let relaxations = 0;
  while (head < queue.length) {
    const u = queue[head++];
    inQueue[u] = 0;
    for (let k = outStart[u]; k < outStart[u + 1]; k++) {
      const c = cons[out[k]];
      const val = x[u] + c.k;
      if (val > x[c.to]) {
        x[c.to] = val;
        pred[c.to] = out[k];
        if (++relaxations % n === 0) {
          const cycle = predCycle(n, cons, pred);
          if (cycle) return { ok: false, cycle };
        }
        if (!inQueue[c.to]) {
          inQueue[c.to] = 1;
          queue.push(c.to);
        }
      }
    }
    if (head > 4096 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  }
  return { ok: true, x };
}

/** A cycle of the predecessor graph (constraint indices in order), or null. O(n). */
function predCycle(n: number, cons: readonly DiffConstraint[], pred: Int32Array): number[] | null {
  const mark = new Int32Array(n).fill(-1);
  for (let s = 0; s < n; s++) {
    if (mark[s] !== -1) continue;
    let v = s;
    while (v !== -1 && mark[v] === -1) {
      mark[v] = s;
      v = pred[v] === -1 ? -1 : cons[pred[v]].from;
    }
    if (v !== -1 && mark[v] === s) {
      const cycle: number[] = [];
      let u = v;
      do {
        cycle.push(pred[u]);
        u = cons[pred[u]].from;
      } while (u !== v);
      return cycle.reverse();
    }
  }
  return null;
}

/** Why a placement cannot be retimed: the edges of a positive cycle and the weight loops on it. */
export interface BindingCycle {
  edges: number[];
  tasks: TaskId[];
  /** Layers whose weight-loop edge lies on the cycle (the loops that bind). */
  loops: number[];
}

export type RetimeResult = { ok: true; start: number[]; q: number[] } | { ok: false; binding: BindingCycle };

/** The difference constraints of a placement's offsets (see the module comment). */
function offsetConstraints(
  g: TaskGraph,
  m: Machine,
  proc: readonly number[],
  offset: readonly number[],
  P: number,
  freeLoops: boolean,
): DiffConstraint[] {
  return constrainingEdges(g, freeLoops).map((k) => {
    const e = g.edges[k];
    return { from: e.from, to: e.to, k: Math.ceil(edgeNeed(g, m, proc, offset, e) / P) - e.delay, edge: k };
  });
}

/**
 * Iteration indices q (the least non-negative retiming) for given processors and offsets in
 * [0, P), or the binding cycle. O(V·E) worst case.
 */
export function retimeOffsets(
  g: TaskGraph,
  m: Machine,
  proc: readonly number[],
  offset: readonly number[],
  P: number,
  freeLoops: boolean,
): RetimeResult {
  const cons = offsetConstraints(g, m, proc, offset, P, freeLoops);
  const r = longestPath(g.tasks.length, cons);
  if (!r.ok) {
    const edges = r.cycle.map((c) => cons[c].edge!);
    const loops = [...new Set(edges.map((k) => g.edges[k].loopLayer).filter((l): l is number => l !== undefined))].sort((a, b) => a - b);
    return { ok: false, binding: { edges, tasks: edges.map((k) => g.tasks[g.edges[k].from].id), loops } };
  }
  return { ok: true, q: r.x, start: r.x.map((q, v) => q * P + offset[v]) };
}

/**
 * Shorten the weight loops of a legal placement with free loops: keep the offsets and the
 * iteration index of every task that has no constraining successor (the U_l), and move every
 * other task to its LATEST legal iteration (a reverse topological pass), so F_l and Ba2_l run as
 * late as their consumers allow and the span U_l − F_l, hence d_l, shrinks. Finally shift all
 * indices so the smallest is 0. Returns the placement unchanged if the constraining subgraph is
 * cyclic. O(V + E).
 */
export function compactLoops(g: TaskGraph, m: Machine, pl: PeriodicPlacement, freeLoops: boolean): PeriodicPlacement {
  const P = pl.period;
  const n = g.tasks.length;
  const offset = pl.start.map((s) => ((s % P) + P) % P);
  const q = pl.start.map((s, v) => (s - offset[v]) / P);
  const cons = offsetConstraints(g, m, pl.proc, offset, P, freeLoops);
  const outs: number[][] = g.tasks.map(() => []);
  cons.forEach((c, i) => outs[c.from].push(i));
  // A topological order of the constraint graph (its edges are the constraining edges); the
  // latest indices of the reverse pass do not depend on which one.
  const topo = topoOrder(g, (e) => !(freeLoops && isLoopEdge(e)), 'lifo');
  if (!topo) return pl;
  const nq = q.slice();
  for (let i = n - 1; i >= 0; i--) {
    const v = topo[i];
    if (outs[v].length === 0) continue;
    let late = Infinity;
    for (const c of outs[v]) late = Math.min(late, nq[cons[c].to] - cons[c].k);
    nq[v] = late;
  }
  const lo = minOf(nq);
  return { period: P, proc: pl.proc, start: nq.map((x, v) => (x - lo) * P + offset[v]) };
}

// ---------------------------------------------------------------------------------------------
// Classic Leiserson–Saxe retiming (clock period = longest zero-delay path, unlimited hardware).

/** Longest zero-delay path (Σ cycles) of g retimed by r (default r = 0). Throws on a zero-delay cycle. */
export function clockPeriod(g: TaskGraph, r?: readonly number[]): number {
  const w = (k: number) => g.edges[k].delay + (r ? r[g.edges[k].to] - r[g.edges[k].from] : 0);
  const topo = topoOrder(g, (_e, k) => w(k) === 0, 'lifo');
  if (!topo) fail(g.name, 'the retimed graph has a cycle with no delay');
  const adj = adjacency(g);
  const dist = g.tasks.map((t) => t.cycles);
  let best = 0;
  for (const v of topo) {
    best = Math.max(best, dist[v]);
    for (let k = adj.outStart[v]; k < adj.outStart[v + 1]; k++) {
      const ek = adj.outEdges[k];
      if (w(ek) !== 0) continue;
      const to = g.edges[ek].to;
      dist[to] = Math.max(dist[to], dist[v] + g.tasks[to].cycles);
    }
  }
  return best;
}

/**
 * Leiserson–Saxe W and D matrices: W[u][v] = fewest delays on a path u→v, D[u][v] = the most
 * computation (c_u + … + c_v) among the paths with W[u][v] delays. Floyd–Warshall on the pairs
 * (w, −d) compared lexicographically. O(V³). Unreachable pairs: W = Infinity.
 */
function wdMatrices(g: TaskGraph): { W: number[][]; D: number[][] } {
  const n = g.tasks.length;
  const W = Array.from({ length: n }, () => new Array<number>(n).fill(Infinity));
  const D = Array.from({ length: n }, () => new Array<number>(n).fill(-Infinity));
  // Path weight (w, −c_u) per edge; D = c_v − (sum of second components).
  const S = Array.from({ length: n }, () => new Array<number>(n).fill(Infinity));
  for (let v = 0; v < n; v++) {
    W[v][v] = 0;
    S[v][v] = 0;
  }
  for (const e of g.edges) {
    const a = e.delay;
    const b = -g.tasks[e.from].cycles;
    if (a < W[e.from][e.to] || (a === W[e.from][e.to] && b < S[e.from][e.to])) {
      W[e.from][e.to] = a;
      S[e.from][e.to] = b;
    }
  }
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      if (W[i][k] === Infinity) continue;
      for (let j = 0; j < n; j++) {
        if (W[k][j] === Infinity) continue;
        const a = W[i][k] + W[k][j];
        const b = S[i][k] + S[k][j];
        if (a < W[i][j] || (a === W[i][j] && b < S[i][j])) {
          W[i][j] = a;
          S[i][j] = b;
        }
      }
    }
  }
  for (let u = 0; u < n; u++) for (let v = 0; v < n; v++) if (W[u][v] !== Infinity) D[u][v] = g.tasks[v].cycles - S[u][v];
  return { W, D };
}

/**
 * A retiming r reaching clock period c, or null (FEAS by Bellman–Ford on the Leiserson–Saxe
 * constraints, normalised so min r = 0). O(V³).
 */
function retimeForClock(g: TaskGraph, c: number, wd = wdMatrices(g)): number[] | null {
  const n = g.tasks.length;
  const { W, D } = wd;
  for (const t of g.tasks) if (t.cycles > c) return null;
  // r(u) − r(v) ≤ b is r(v) − r(u) ≥ −b: a constraint u→v of weight −b in longest-path form.
  const cons: DiffConstraint[] = [];
  g.edges.forEach((e) => cons.push({ from: e.from, to: e.to, k: -e.delay }));
  for (let u = 0; u < n; u++) {
    for (let v = 0; v < n; v++) {
      if (W[u][v] !== Infinity && D[u][v] > c) cons.push({ from: u, to: v, k: -(W[u][v] - 1) });
    }
  }
  const res = longestPath(n, cons);
  if (!res.ok) return null;
  const r = res.x;
  const lo = minOf(r);
  return r.map((x) => x - lo);
}

/** Minimum clock period reachable by retiming, and a retiming reaching it. O(V³ log V). */
export function minPeriodRetiming(g: TaskGraph): { period: number; retiming: number[] } {
  const wd = wdMatrices(g);
  const values = new Set<number>();
  for (const row of wd.D) for (const d of row) if (d !== -Infinity) values.add(d);
  const sorted = [...values].sort((a, b) => a - b);
  let lo = 0;
  let hi = sorted.length - 1;
  let best = retimeForClock(g, sorted[hi], wd);
  if (!best) fail(g.name, 'no retiming exists (a cycle without delay)');
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const r = retimeForClock(g, sorted[mid], wd);
    if (r) {
      hi = mid;
      best = r;
    } else lo = mid + 1;
  }
  return { period: clockPeriod(g, best), retiming: best };
}

/** g with delays w_r(e) = w(e) + r(to) − r(from) (throws if one becomes negative). */
export function retimedGraph(g: TaskGraph, r: readonly number[]): TaskGraph {
  return {
    ...g,
    edges: g.edges.map((e) => {
      const d = e.delay + r[e.to] - r[e.from];
      if (d < 0) fail(g.name, `retiming makes edge ${g.tasks[e.from].id}→${g.tasks[e.to].id} negative (${d})`);
      return { ...e, delay: d };
    }),
  };
}
