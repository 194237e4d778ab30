/**
 * Load bounds: no schedule on `procs` identical processors can be shorter than its share of
 * the total work, nor than its longest task (tasks are not preemptible). O(n).
 */
import type { Cycles, TaskGraph } from '../types';
import { totalWork } from '../graph/taskgraph';
import { checkProcs } from '../machine';

/** ceil(Σ cycles / procs). Cycles are integers, so a makespan or period is ≥ this integer. */
export function workBound(g: TaskGraph, procs: number): Cycles {
  checkProcs(procs);
  return Math.ceil(totalWork(g) / procs);
}

/** The largest task cost (0 for an empty graph). */
export function longestTask(g: TaskGraph): Cycles {
  let best = 0;
  for (const t of g.tasks) if (t.cycles > best) best = t.cycles;
  return best;
}
