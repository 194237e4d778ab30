/**
 * Iteration bound T∞ of a graph with delays: the maximum over directed cycles C of
 *     Σ_{v ∈ C} cycles_v / Σ_{e ∈ C} delay_e
 * (the maximum cycle ratio). No periodic schedule, on any number of processors, has a period
 * below it: going once round C takes Σ cycles of work in sequence and spans Σ delays
 * iterations. With integer cycles and periods, ceil(T∞) is a bound too.
 *
 * Algorithm: Howard's policy iteration (Cochet-Terrasson, Cohen, Gaubert, McGettrick, Quadrat
 * 1998; the fastest in practice in Dasdan's 2004 study) on the cyclic part of the graph,
 * followed by an exact certificate:
 *  1. Tarjan's SCCs; only edges inside a strongly connected component lie on cycles. O(n + e).
 *  2. Howard in floating point. A policy picks one out-edge per node; in the policy graph
 *     every node reaches exactly one cycle, whose ratio λ and the relative values x follow in
 *     O(n). Improvement: switch a node to a successor with a larger λ, else (same λ) to one with
 *     a larger t − λ·τ + x. Each iteration is O(n + e); the number of iterations has no good
 *     worst-case bound (it is finite: policies never repeat) but is small in practice —
 *     typically a handful.
 *  3. Exact check. The candidate cycle's ratio is recomputed as integers num/den (cycles and
 *     delays are integers). With integer edge weights den·t(e) − num·τ(e), a cycle with a
 *     larger ratio is exactly a positive-weight cycle; Bellman–Ford (longest paths from a
 *     virtual source, a cycle in the predecessor graph = a positive cycle) finds one or proves
 *     there is none in O(n·e) worst case, usually a few passes. A cycle found replaces the
 *     candidate and the check repeats, so the answer is exact even if floating point misled
 *     Howard (ratios strictly increase, there are finitely many cycles).
 *
 * Why not Karp: Karp's algorithm computes the maximum cycle MEAN (every edge delay 1). Ratios
 * need either the graph unrolled by delays (an edge of delay w becomes w edges: O(n'·e') with
 * n' = n + Σ delays) or a parametric search (Lawler), both slower in practice than Howard.
 *
 * A cycle with zero total delay makes T∞ infinite (no period is possible): InputError naming
 * it. An acyclic graph has T∞ = 0 (reported with an empty cycle).
 */
import type { TaskGraph, TaskId } from '../types';
import { requireTopoOrder } from '../graph/taskgraph';

export interface IterationBound {
  /** T∞ = cycles / delays of the critical cycle (0 when the graph has no cycle). */
  value: number;
  /** The critical cycle's tasks in edge order, starting at its smallest task index (first not repeated). */
  cycle: TaskId[];
  /** Σ cycles of the critical cycle's tasks (numerator, not reduced). */
  cycles: number;
  /** Σ delays of its edges (denominator, not reduced). */
  delays: number;
}

export function iterationBound(g: TaskGraph, where = g.name): IterationBound {
  requireTopoOrder(g, where); // zero-delay cycle → InputError naming it
  const n = g.tasks.length;
  const comp = scc(g);
  // Edges on cycles: both ends in one component (self-loops included).
  const edges: number[] = [];
  g.edges.forEach((e, k) => {
    if (comp[e.from] === comp[e.to]) edges.push(k);
  });
  if (edges.length === 0) return { value: 0, cycle: [], cycles: 0, delays: 0 };

  const t = (k: number) => g.tasks[g.edges[k].from].cycles;
  const tau = (k: number) => g.edges[k].delay;

  let cyc = howard(g, n, edges);
  for (;;) {
    const better = positiveCycle(g, n, edges, cyc.num, cyc.den);
    if (!better) break;
    const num = better.reduce((a, k) => a + t(k), 0);
    const den = better.reduce((a, k) => a + tau(k), 0);
    if (!(num * cyc.den > cyc.num * den)) throw new Error('iterationBound: certificate cycle is not better (bug)');
    cyc = { edges: better, num, den };
  }
  // Rotate to start at the smallest task index, for a deterministic report.
  const nodes = cyc.edges.map((k) => g.edges[k].from);
  let r = 0;
  for (let i = 1; i < nodes.length; i++) if (nodes[i] < nodes[r]) r = i;
  const rotated = [...nodes.slice(r), ...nodes.slice(0, r)];
  return { value: cyc.num / cyc.den, cycle: rotated.map((v) => g.tasks[v].id), cycles: cyc.num, delays: cyc.den };
}

interface Cycle {
  /** Edge indices in order round the cycle. */
  edges: number[];
  num: number;
  den: number;
}

/** Strongly connected components (iterative Tarjan): component id per node. O(n + e). */
export function scc(g: TaskGraph): Int32Array {
  const n = g.tasks.length;
  const outStart = new Int32Array(n + 1);
  for (const e of g.edges) outStart[e.from + 1]++;
  for (let i = 0; i < n; i++) outStart[i + 1] += outStart[i];
  const succ = new Int32Array(g.edges.length);
  const fill = outStart.slice(0, n);
  for (const e of g.edges) succ[fill[e.from]++] = e.to;

  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const comp = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  const callV: number[] = [];
  const callI: number[] = [];
  let counter = 0;
  let nComp = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] >= 0) continue;
    callV.push(root);
    callI.push(outStart[root]);
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (callV.length > 0) {
      const top = callV.length - 1;
      const v = callV[top];
      const i = callI[top];
      if (i < outStart[v + 1]) {
        callI[top] = i + 1;
        const w = succ[i];
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          callV.push(w);
          callI.push(outStart[w]);
        } else if (onStack[w] && index[w] < low[v]) low[v] = index[w];
      } else {
        callV.pop();
        callI.pop();
        if (callV.length > 0) {
          const parent = callV[callV.length - 1];
          if (low[v] < low[parent]) low[parent] = low[v];
        }
        if (low[v] === index[v]) {
          let w: number;
          do {
            w = stack.pop()!;
            onStack[w] = 0;
            comp[w] = nComp;
          } while (w !== v);
          nComp++;
        }
      }
    }
  }
  return comp;
}

/**
 * Howard's policy iteration for the maximum cycle ratio over `edges` (every node touched by
 * them has an out-edge among them). Returns the best policy cycle found; exactness is the
 * caller's certificate's job.
 */
function howard(g: TaskGraph, n: number, edges: number[]): Cycle {
  const E = g.edges;
  const tOf = (k: number) => g.tasks[E[k].from].cycles;
  const inGraph = new Uint8Array(n);
  for (const k of edges) inGraph[E[k].from] = 1;
  // Initial policy: per node the out-edge of smallest delay (its t is the same for all out-edges).
  const pol = new Int32Array(n).fill(-1);
  for (const k of edges) {
    const u = E[k].from;
    if (pol[u] < 0 || E[k].delay < E[pol[u]].delay) pol[u] = k;
  }
  const nodes: number[] = [];
  for (let v = 0; v < n; v++) if (inGraph[v]) nodes.push(v);
  let scale = 1;
  for (const v of nodes) scale += Math.abs(g.tasks[v].cycles);
  const eps = 1e-9 * scale;

  const lam = new Float64Array(n);
  const x = new Float64Array(n);
  const state = new Int32Array(n); // 0 unvisited, >0 visit stamp
  let best: Cycle = { edges: [], num: 0, den: 1 };
  const maxIter = 50 * nodes.length + 100;

  for (let iter = 0; iter < maxIter; iter++) {
    // --- value determination on the policy graph ---
    state.fill(0);
    const done = new Uint8Array(n);
    best = { edges: [], num: -1, den: 1 };
    // reverse policy lists
    const revStart = new Int32Array(n + 1);
    for (const v of nodes) revStart[E[pol[v]].to + 1]++;
    for (let i = 0; i < n; i++) revStart[i + 1] += revStart[i];
    const rev = new Int32Array(nodes.length);
    const rf = revStart.slice(0, n);
    for (const v of nodes) rev[rf[E[pol[v]].to]++] = v;
    let stamp = 0;
    for (const s0 of nodes) {
      if (done[s0]) continue;
      stamp++;
      let v = s0;
      while (state[v] === 0 && !done[v]) {
        state[v] = stamp;
        v = E[pol[v]].to;
      }
      if (done[v] || state[v] !== stamp) {
        // reached an already-evaluated tree; its values are set, mark this path via BFS below
        continue;
      }
      // v is on a new cycle: measure it.
      const cyc: number[] = [];
      let num = 0;
      let den = 0;
      let u = v;
      do {
        const k = pol[u];
        cyc.push(k);
        num += tOf(k);
        den += E[k].delay;
        u = E[k].to;
      } while (u !== v);
      const l = num / den; // den > 0: zero-delay cycles were rejected before
      if (best.num < 0 || num * best.den > best.num * den) best = { edges: cyc, num, den };
      // Propagate λ and x backwards from the handle v over the reverse policy tree.
      lam[v] = l;
      x[v] = 0;
      done[v] = 1;
      const queue = [v];
      for (let q = 0; q < queue.length; q++) {
        const w = queue[q];
        for (let j = revStart[w]; j < revStart[w + 1]; j++) {
          const p = rev[j];
          if (done[p]) continue;
          const k = pol[p];
          lam[p] = l;
          x[p] = tOf(k) - l * E[k].delay + x[w];
          done[p] = 1;
          queue.push(p);
        }
      }
    }
    // --- policy improvement ---
    // λ values are correctly rounded quotients num/den, so equal ratios compare equal exactly;
    // the x values carry rounding, hence the tolerance there. A missed improvement only costs
    // a certificate round.
    let changed = false;
    for (const k of edges) {
      const u = E[k].from;
      if (lam[E[k].to] > lam[E[pol[u]].to]) {
        pol[u] = k;
        changed = true;
      }
    }
    if (!changed) {
      for (const k of edges) {
        const u = E[k].from;
        const v = E[k].to;
        if (lam[v] !== lam[u]) continue;
        const cur = pol[u];
        const val = tOf(k) - lam[u] * E[k].delay + x[v];
        const curVal = tOf(cur) - lam[u] * E[cur].delay + x[E[cur].to];
        if (val > curVal + eps) {
          pol[u] = k;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return best;
}

/**
 * A cycle (edge indices in order) whose ratio exceeds num/den, or null if none: Bellman–Ford
 * longest paths with integer weights den·t(e) − num·τ(e) from a virtual source. After each
 * pass the predecessor graph is searched for a cycle (one exists iff a positive cycle was
 * relaxed around). Uses doubles when every path sum stays a safe integer, else BigInt.
 */
function positiveCycle(g: TaskGraph, n: number, edges: number[], num: number, den: number): number[] | null {
  const E = g.edges;
  const d = gcd(num, den) || 1;
  const a = den / d;
  const b = num / d;
  let mag = 0;
  for (const k of edges) mag += a * g.tasks[E[k].from].cycles + b * E[k].delay;
  const safe = Number.isSafeInteger(mag) && mag < 2 ** 52;
  const w: Array<number | bigint> = edges.map((k) =>
    safe
      ? a * g.tasks[E[k].from].cycles - b * E[k].delay
      : BigInt(a) * BigInt(g.tasks[E[k].from].cycles) - BigInt(b) * BigInt(E[k].delay),
  );
  const zero = safe ? 0 : BigInt(0);
  const dist: Array<number | bigint> = new Array(n).fill(zero);
  const pred = new Int32Array(n).fill(-1); // index into `edges`
  for (let pass = 0; pass <= n; pass++) {
    let updated = false;
    for (let j = 0; j < edges.length; j++) {
      const e = E[edges[j]];
      const cand = safe ? (dist[e.from] as number) + (w[j] as number) : (dist[e.from] as bigint) + (w[j] as bigint);
      if (cand > dist[e.to]) {
        dist[e.to] = cand;
        pred[e.to] = j;
        updated = true;
      }
    }
    if (!updated) return null;
    const c = predecessorCycle(g, n, edges, pred);
    if (c) return c;
  }
  // n + 1 passes with updates always leave a cycle in the predecessor graph.
  const c = predecessorCycle(g, n, edges, pred);
  if (!c) throw new Error('iterationBound: Bellman–Ford did not converge (bug)');
  return c;
}

/** A cycle of the predecessor graph (edge indices in forward order), or null. O(n). */
function predecessorCycle(g: TaskGraph, n: number, edges: number[], pred: Int32Array): number[] | null {
  const E = g.edges;
  const mark = new Int32Array(n); // 0 unseen, else walk id
  for (let s = 0; s < n; s++) {
    if (mark[s] || pred[s] < 0) continue;
    let v = s;
    while (v >= 0 && mark[v] === 0) {
      mark[v] = s + 1;
      v = pred[v] >= 0 ? E[edges[pred[v]]].from : -1;
    }
    if (v >= 0 && mark[v] === s + 1) {
      // v is on a cycle found by this walk; collect it backwards.
      const back: number[] = [];
      let u = v;
      do {
        const j = pred[u];
        back.push(edges[j]);
        u = E[edges[j]].from;
      } while (u !== v);
      return back.reverse();
    }
  }
  return null;
}

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}
