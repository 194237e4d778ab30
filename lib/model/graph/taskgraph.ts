/**
 * Structural helpers over a TaskGraph: adjacency in compressed (CSR) form, index by id,
 * topological order of the zero-delay subgraph, delay rewriting, and the graphlib view.
 *
 * Algorithms work on integer task indices and these flat arrays (cache-friendly, O(V+E));
 * graphlib is used where its algorithms fit (cycle reporting, DOT-like round trips).
 */
import { Graph, alg } from '@dagrejs/graphlib';
import type { Edge, Task, TaskGraph, TaskId } from '../types';
import { fail } from '../errors';

/** Outgoing and incoming edge lists in CSR form: edges of node v are ids[start[v] .. start[v+1]). */
export interface Adjacency {
  n: number;
  outStart: Int32Array;
  outEdges: Int32Array; // indices into graph.edges
  inStart: Int32Array;
  inEdges: Int32Array;
}

const adjCache = new WeakMap<TaskGraph, Adjacency>();

/** Adjacency of the graph (all edges, any delay). Cached per graph object: treat graphs as immutable. */
export function adjacency(g: TaskGraph): Adjacency {
  const hit = adjCache.get(g);
  if (hit) return hit;
  const n = g.tasks.length;
  const outDeg = new Int32Array(n + 1);
  const inDeg = new Int32Array(n + 1);
  for (const e of g.edges) {
    outDeg[e.from + 1]++;
    inDeg[e.to + 1]++;
  }
  for (let i = 0; i < n; i++) {
    outDeg[i + 1] += outDeg[i];
    inDeg[i + 1] += inDeg[i];
  }
  const outEdges = new Int32Array(g.edges.length);
  const inEdges = new Int32Array(g.edges.length);
  const oFill = outDeg.slice(0, n);
  const iFill = inDeg.slice(0, n);
  g.edges.forEach((e, k) => {
    outEdges[oFill[e.from]++] = k;
    inEdges[iFill[e.to]++] = k;
  });
  const adj = { n, outStart: outDeg, outEdges, inStart: inDeg, inEdges };
  adjCache.set(g, adj);
  return adj;
}

/** Map from task id to index. */
export function indexById(g: TaskGraph): Map<TaskId, number> {
  const m = new Map<TaskId, number>();
  g.tasks.forEach((t, i) => m.set(t.id, i));
  return m;
}

/**
 * Topological order of the subgraph of zero-delay edges (Kahn, smallest index first among
 * ready nodes so the order is deterministic and keeps the given order where it is already
 * topological). Returns null if that subgraph has a cycle.
 */
export function topoOrder(g: TaskGraph): number[] | null {
  const n = g.tasks.length;
  const indeg = new Int32Array(n);
  for (const e of g.edges) if (e.delay === 0) indeg[e.to]++;
  const adj = adjacency(g);
  // Min-heap would give smallest-index-first; a sorted ready list via a binary heap:
  const heap: number[] = [];
  const push = (x: number) => {
    heap.push(x);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p] <= heap[i]) break;
      [heap[p], heap[i]] = [heap[i], heap[p]];
      i = p;
    }
  };
  const pop = () => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let s = i;
        if (l < heap.length && heap[l] < heap[s]) s = l;
        if (r < heap.length && heap[r] < heap[s]) s = r;
        if (s === i) break;
        [heap[s], heap[i]] = [heap[i], heap[s]];
        i = s;
      }
    }
    return top;
  };
  for (let v = 0; v < n; v++) if (indeg[v] === 0) push(v);
  const order: number[] = [];
  while (heap.length > 0) {
    const v = pop();
    order.push(v);
    for (let k = adj.outStart[v]; k < adj.outStart[v + 1]; k++) {
      const e = g.edges[adj.outEdges[k]];
      if (e.delay === 0 && --indeg[e.to] === 0) push(e.to);
    }
  }
  return order.length === n ? order : null;
}

/** Topological order or a one-line error naming a zero-delay cycle. */
export function requireTopoOrder(g: TaskGraph, where = g.name): number[] {
  const order = topoOrder(g);
  if (order) return order;
  const cyc = zeroDelayCycle(g);
  fail(where, `the graph has a cycle with no delay: ${cyc.join(' → ')}`);
}

/** One cycle of the zero-delay subgraph, as task ids (empty if none). Uses graphlib. */
export function zeroDelayCycle(g: TaskGraph): TaskId[] {
  const gl = toGraphlib(g, (e) => e.delay === 0);
  const cycles = alg.findCycles(gl);
  if (cycles.length === 0) return [];
  const c = cycles[0].slice().reverse();
  return [...c, c[0]];
}

/** graphlib view of the graph (node labels are the tasks, edge labels the edges). */
export function toGraphlib(g: TaskGraph, keep: (e: Edge) => boolean = () => true): Graph<string, Task, Edge> {
  const gl = new Graph<string, Task, Edge>({ directed: true, multigraph: true });
  for (const t of g.tasks) gl.setNode(t.id, t);
  g.edges.forEach((e, k) => {
    if (keep(e)) gl.setEdge(g.tasks[e.from].id, g.tasks[e.to].id, e, String(k));
  });
  return gl;
}

/**
 * The same graph with per-layer extra staleness d_l: each loop edge of layer l gets delay
 * 1 + d_l. `staleness[l-1]` is d_l.
 */
export function withStaleness(g: TaskGraph, staleness: readonly number[]): TaskGraph {
  for (const [i, d] of staleness.entries()) {
    if (!Number.isInteger(d) || d < 0) fail(`staleness[${i}]`, `must be a non-negative integer, got ${d}`);
  }
  return {
    ...g,
    edges: g.edges.map((e) => (e.loopLayer !== undefined ? { ...e, delay: 1 + (staleness[e.loopLayer - 1] ?? 0) } : e)),
  };
}

/** Per-layer staleness currently encoded in the loop edges (d_l = delay - 1). */
export function stalenessOf(g: TaskGraph): number[] {
  const d = new Array<number>(g.layers).fill(0);
  for (const e of g.edges) if (e.loopLayer !== undefined) d[e.loopLayer - 1] = Math.max(d[e.loopLayer - 1], e.delay - 1);
  return d;
}

export function totalWork(g: TaskGraph): number {
  let w = 0;
  for (const t of g.tasks) w += t.cycles;
  return w;
}
