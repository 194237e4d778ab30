/**
 * Structural helpers over a TaskGraph: adjacency in compressed (CSR) form, index by id,
 * topological orders (Kahn's algorithm, the one implementation: any edge subset, any ready
 * discipline), the weight-loop edges, delay rewriting, and the graphlib view.
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
 * Which ready node Kahn's algorithm takes next. The order decides results downstream (ranks,
 * tie-breaks), so every caller names the discipline it relies on:
 * - 'smallest-first': the smallest index (a binary min-heap): deterministic, and keeps the given
 *   order wherever it is already topological;
 * - 'fifo': the node that became ready first (a queue);
 * - 'lifo': the node that became ready last (a stack).
 */
export type ReadyOrder = 'smallest-first' | 'fifo' | 'lifo';

/**
 * Kahn's algorithm on nodes 0..n−1 whose successors `forEachSucc(v, visit)` lists (in the order
 * that decides ties under 'fifo' and 'lifo'; a successor listed twice counts twice). Returns the
 * order, or null when the relation has a cycle. O(V + E) (+ log V per node for 'smallest-first').
 */
export function kahnOrder(n: number, forEachSucc: (v: number, visit: (w: number) => void) => void, ready: ReadyOrder): number[] | null {
  const indeg = new Int32Array(n);
  for (let v = 0; v < n; v++) forEachSucc(v, (w) => indeg[w]++);
  const queue = readyQueue(ready);
  for (let v = 0; v < n; v++) if (indeg[v] === 0) queue.push(v);
  const order: number[] = [];
  const release = (w: number) => {
    if (--indeg[w] === 0) queue.push(w);
  };
  while (queue.size() > 0) {
    const v = queue.pop();
    order.push(v);
    forEachSucc(v, release);
  }
  return order.length === n ? order : null;
}

interface ReadyQueue {
  push(v: number): void;
  pop(): number;
  size(): number;
}

function readyQueue(ready: ReadyOrder): ReadyQueue {
  const items: number[] = [];
  if (ready === 'lifo') return { push: (v) => void items.push(v), pop: () => items.pop()!, size: () => items.length };
  if (ready === 'fifo') {
    let head = 0;
    return { push: (v) => void items.push(v), pop: () => items[head++], size: () => items.length - head };
  }
  // Binary min-heap of node indices (distinct), so the smallest ready index comes first.
  const heap = items;
  return {
    push(x) {
      heap.push(x);
      let i = heap.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (heap[p] <= heap[i]) break;
        [heap[p], heap[i]] = [heap[i], heap[p]];
        i = p;
      }
    },
    pop() {
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
    },
    size: () => heap.length,
  };
}

const zeroDelay = (e: Edge): boolean => e.delay === 0;

/**
 * Topological order of the subgraph of the edges `keep` accepts (default: the zero-delay edges),
 * by Kahn's algorithm with the given ready discipline (default smallest index first, so the
 * order is deterministic and keeps the given order where it is already topological); successors
 * in edge order. Returns null if that subgraph has a cycle. O(V + E) (+ log V per node).
 */
export function topoOrder(g: TaskGraph, keep: (e: Edge, k: number) => boolean = zeroDelay, ready: ReadyOrder = 'smallest-first'): number[] | null {
  const adj = adjacency(g);
  return kahnOrder(
    g.tasks.length,
    (v, visit) => {
      for (let k = adj.outStart[v]; k < adj.outStart[v + 1]; k++) {
        const ek = adj.outEdges[k];
        const e = g.edges[ek];
        if (keep(e, ek)) visit(e.to);
      }
    },
    ready,
  );
}

/** Topological order or a one-line error naming a zero-delay cycle. */
export function requireTopoOrder(g: TaskGraph, where = g.name): number[] {
  const order = topoOrder(g);
  if (order) return order;
  const cyc = zeroDelayCycle(g);
  fail(where, `the graph has a cycle with no delay: ${cyc.join(' → ')}`);
}

/** One cycle of the zero-delay subgraph, as task ids (empty if none). Uses graphlib. */
function zeroDelayCycle(g: TaskGraph): TaskId[] {
  const gl = toGraphlib(g, (e) => e.delay === 0);
  const cycles = alg.findCycles(gl);
  if (cycles.length === 0) return [];
  const c = cycles[0].slice().reverse();
  return [...c, c[0]];
}

/** graphlib view of the graph (node labels are the tasks, edge labels the edges). */
function toGraphlib(g: TaskGraph, keep: (e: Edge) => boolean = () => true): Graph<string, Task, Edge> {
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

/** Whether `e` is a weight-loop edge (U_l → F_l or U_l → Ba2_l: it carries `loopLayer`). */
export const isLoopEdge = (e: Edge): boolean => e.loopLayer !== undefined;

/** Indices of the weight-loop edges by layer, in edge order (layers in first-appearance order). */
export function loopEdgesByLayer(g: TaskGraph): Map<number, number[]> {
  const by = new Map<number, number[]>();
  g.edges.forEach((e, k) => {
    if (e.loopLayer === undefined) return;
    let l = by.get(e.loopLayer);
    if (!l) by.set(e.loopLayer, (l = []));
    l.push(k);
  });
  return by;
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
