/**
 * Periodic timing of fixed cyclic per-processor orders, for pipelines without a flush (PipeDream-
 * 2BW, pipedream-2bw.ts), where one period of a processor interleaves the tasks of consecutive
 * minibatches and `actionSchedule`'s one-window-per-minibatch timing does not apply.
 *
 * A processor's order is a list of entries (task v, shift σ): in window k it runs instance
 * (v, k + σ) — σ = −1 is the tail of the previous minibatch — in list order, and the list
 * repeats every period. Iteration k of v starts at s_v + k·P. With the graph's edges this is a
 * system of difference constraints in s for a fixed P:
 *   edge u → v of delay w:           s_v − s_u ≥ c_u + comm(u, v) − w·P
 *   consecutive entries (a, σa), (b, σb): s_b − s_a ≥ c_a − (σb − σa)·P
 *   last (z, σz) to first (a, σa):       s_a − s_z ≥ c_z − (1 + σa − σz)·P
 * The entries of one window then run back to back within P, so the processor's intervals are
 * disjoint modulo P (the validator's check). A P is feasible iff the constraint graph has no
 * positive cycle; when the orders are consistent at all, every cycle spans ≥ 1 period, so
 * feasibility is monotone in P and the smallest integer P is found by bisection, each step one
 * Bellman–Ford (solvers/periodic/retiming.ts `longestPath`). The starts are the least solution
 * ≥ 0: every task as early as its inputs, transfers and its processor's order allow (ASAP).
 * O(log(P)·V·E) worst case.
 */
import type { Machine, TaskGraph } from '../../lib/model/types';
import { transferCycles } from '../../lib/model/machine';
import { longestPath, type DiffConstraint } from '../periodic/retiming';

export interface CyclicEntry {
  task: number;
  /** Iteration offset: the window of minibatch k runs this task's instance of minibatch k + shift. */
  shift: number;
}

function constraints(g: TaskGraph, m: Machine, proc: readonly number[], orders: readonly (readonly CyclicEntry[])[], P: number): DiffConstraint[] {
  const cons: DiffConstraint[] = g.edges.map((e) => ({ from: e.from, to: e.to, k: g.tasks[e.from].cycles + transferCycles(m, e.bytes, proc[e.from], proc[e.to]) - e.delay * P }));
  for (const list of orders) {
    list.forEach((a, i) => {
      const wrap = i === list.length - 1;
      const b = list[wrap ? 0 : i + 1];
      cons.push({ from: a.task, to: b.task, k: g.tasks[a.task].cycles - ((wrap ? 1 : 0) + b.shift - a.shift) * P });
    });
  }
  return cons;
}

/** Least starts ≥ 0 at period P, or null when P is too small. */
export function cyclicStarts(g: TaskGraph, m: Machine, proc: readonly number[], orders: readonly (readonly CyclicEntry[])[], P: number): number[] | null {
  const r = longestPath(g.tasks.length, constraints(g, m, proc, orders, P));
  return r.ok ? r.x : null;
}

/**
 * The smallest integer period ≥ `lower` (≥ 1) at which the orders can run, and the ASAP starts
 * there (see the module comment). Throws when no period fits: the orders contradict the graph's
 * zero-delay edges (a bug in the caller).
 */
export function cyclicOrderSchedule(g: TaskGraph, m: Machine, proc: readonly number[], orders: readonly (readonly CyclicEntry[])[], lower: number): { period: number; start: number[] } {
  const seen = new Int32Array(g.tasks.length);
  for (const list of orders) for (const a of list) seen[a.task]++;
  const wrong = g.tasks.findIndex((_, v) => seen[v] !== 1);
  if (wrong >= 0) throw new Error(`cyclicOrderSchedule: task ${g.tasks[wrong].id} appears ${seen[wrong]} times in the orders (bug)`);
  let lo = Math.max(1, Math.ceil(lower));
  const first = cyclicStarts(g, m, proc, orders, lo);
  if (first) return { period: lo, start: first };
  // Any feasible P is at most the total work plus every transfer (each cycle spans ≥ 1 period).
  const cap = g.tasks.reduce((a, t) => a + t.cycles, 0) + g.edges.reduce((a, e) => a + transferCycles(m, e.bytes, proc[e.from], proc[e.to]), 0) + lo;
  let hi = lo;
  while (!cyclicStarts(g, m, proc, orders, hi)) {
    if (hi >= cap) throw new Error(`cyclicOrderSchedule: no period up to ${cap} fits the orders on ${g.name} (bug: they contradict its edges)`);
    hi = Math.min(cap, hi * 2);
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (cyclicStarts(g, m, proc, orders, mid)) hi = mid;
    else lo = mid;
  }
  return { period: hi, start: cyclicStarts(g, m, proc, orders, hi)! };
}
