/**
 * Longest paths through the zero-delay subgraph (one iteration), counting task cycles only.
 * Communication is left out on purpose: tasks may share a processor, so zero communication is
 * what makes these LOWER bounds. An edge cost can be supplied for heuristics (HEFT-style
 * ranks with mean communication), which then are priorities, not bounds.
 *
 * All three are one pass over a topological order: O(n + e). A zero-delay cycle is an
 * InputError naming it.
 */
import type { Cycles, Edge, TaskGraph } from '../types';
import { adjacency, requireTopoOrder } from '../graph/taskgraph';

export type EdgeCost = (e: Edge) => Cycles;
const noComm: EdgeCost = () => 0;

/**
 * Bottom level of every task: the longest path from the task's start to the end of the
 * iteration, its own cycles included (bl(v) = cycles_v + max over zero-delay successors of
 * edgeCost + bl(s)). List schedulers (HLFET) order by it.
 */
export function bottomLevels(g: TaskGraph, edgeCost: EdgeCost = noComm): Float64Array {
  const order = requireTopoOrder(g);
  const adj = adjacency(g);
  const bl = new Float64Array(g.tasks.length);
  for (let k = order.length - 1; k >= 0; k--) {
    const v = order[k];
    let best = 0;
    for (let j = adj.outStart[v]; j < adj.outStart[v + 1]; j++) {
      const e = g.edges[adj.outEdges[j]];
      if (e.delay !== 0) continue;
      const c = edgeCost(e) + bl[e.to];
      if (c > best) best = c;
    }
    bl[v] = g.tasks[v].cycles + best;
  }
  return bl;
}

/**
 * Top level of every task: its earliest start with unlimited processors (the longest path
 * from any entry to the task, its own cycles excluded).
 */
export function topLevels(g: TaskGraph, edgeCost: EdgeCost = noComm): Float64Array {
  const order = requireTopoOrder(g);
  const adj = adjacency(g);
  const tl = new Float64Array(g.tasks.length);
  for (const v of order) {
    let best = 0;
    for (let j = adj.inStart[v]; j < adj.inStart[v + 1]; j++) {
      const e = g.edges[adj.inEdges[j]];
      if (e.delay !== 0) continue;
      const c = tl[e.from] + g.tasks[e.from].cycles + edgeCost(e);
      if (c > best) best = c;
    }
    tl[v] = best;
  }
  return tl;
}

/** Length of the critical path of one iteration (zero-delay edges, task cycles only). */
export function criticalPath(g: TaskGraph): Cycles {
  let best = 0;
  for (const b of bottomLevels(g)) if (b > best) best = b;
  return best;
}

/** One critical path as task indices, entry first (ties: smallest index). */
export function criticalPathTasks(g: TaskGraph): number[] {
  const bl = bottomLevels(g);
  const adj = adjacency(g);
  const tl = topLevels(g);
  let v = -1;
  for (let i = 0; i < bl.length; i++) if (tl[i] === 0 && (v < 0 || bl[i] > bl[v])) v = i;
  const path: number[] = [];
  while (v >= 0) {
    path.push(v);
    const want = bl[v] - g.tasks[v].cycles;
    let next = -1;
    for (let j = adj.outStart[v]; j < adj.outStart[v + 1]; j++) {
      const e = g.edges[adj.outEdges[j]];
      if (e.delay === 0 && bl[e.to] === want && (next < 0 || e.to < next)) next = e.to;
    }
    v = want > 0 ? next : -1;
  }
  return path;
}
