/**
 * Seeded random layered DAGs for tests and benchmarks (same seed → same graph).
 *
 * round(√n) layers (or `layers`) of near-equal width; every task outside the first layer has
 * one predecessor in the previous layer plus up to `extraPreds` more drawn from the previous
 * layer (probability 1 − skipProb each) or from any older layer (probability skipProb).
 * Costs uniform in [minCycles, maxCycles]; edge bytes uniform in [0, maxBytes] (0 = no
 * communication, STG-like). O(n + e).
 */
import type { Edge, Task, TaskGraph } from '../../lib/model/types';
import { mulberry32 } from '../../solvers/list/random';

export interface RandomDagOptions {
  tasks: number;
  seed: number;
  layers?: number;
  extraPreds?: number;
  skipProb?: number;
  minCycles?: number;
  maxCycles?: number;
  maxBytes?: number;
}

export function randomLayeredDag(o: RandomDagOptions): TaskGraph {
  const n = o.tasks;
  const rng = mulberry32(o.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
  const L = Math.max(1, Math.min(n, o.layers ?? Math.round(Math.sqrt(n))));
  const extra = o.extraPreds ?? 2;
  const skip = o.skipProb ?? 0.1;
  const minC = o.minCycles ?? 1;
  const maxC = o.maxCycles ?? 20;
  const maxB = o.maxBytes ?? 0;
  // Layer k holds tasks [bounds[k], bounds[k+1]).
  const bounds: number[] = [];
  for (let k = 0; k <= L; k++) bounds.push(Math.round((k * n) / L));
  const tasks: Task[] = [];
  for (let i = 0; i < n; i++) {
    const c = int(minC, maxC);
    tasks.push({ id: `t${i + 1}`, kind: 'task', layer: 0, cycles: c, gemmCycles: 0, vectorCycles: c });
  }
  const edges: Edge[] = [];
  const seen = new Set<number>();
  for (let k = 1; k < L; k++) {
    const [a, b] = [bounds[k - 1], bounds[k]];
    for (let v = bounds[k]; v < bounds[k + 1]; v++) {
      seen.clear();
      const want = 1 + int(0, extra);
      for (let j = 0; j < want; j++) {
        const u = j > 0 && rng() < skip ? int(0, b - 1) : int(a, b - 1);
        if (seen.has(u)) continue;
        seen.add(u);
        edges.push({ from: u, to: v, bytes: maxB > 0 ? int(0, maxB) : 0, delay: 0 });
      }
    }
  }
  return { name: `layered-${n}-s${o.seed}`, tasks, edges, layers: 0 };
}

/**
 * A small DAG for property tests: `n` tasks with costs `costs[i]`, and an edge i→j (i < j)
 * wherever `adj[k]` is set, k running over the pairs (0,1), (0,2), …, (n−2, n−1); edge bytes
 * from `bytes` (0 = no communication). Built from plain arrays so fast-check can shrink it.
 */
export function smallDag(costs: number[], adj: boolean[], bytes: number[] = []): TaskGraph {
  const n = costs.length;
  const tasks: Task[] = costs.map((c, i) => ({ id: `t${i + 1}`, kind: 'task', layer: 0, cycles: c, gemmCycles: 0, vectorCycles: c }));
  const edges: Edge[] = [];
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++, k++) {
      if (adj[k]) edges.push({ from: i, to: j, bytes: bytes[k] ?? 0, delay: 0 });
    }
  }
  return { name: `small-${n}`, tasks, edges, layers: 0 };
}
