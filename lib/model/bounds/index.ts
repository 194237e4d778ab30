/**
 * The lower bounds reported beside every result (README, The model), in one call.
 *
 * * makespan (one-shot, delays ignored: every edge is a precedence, as in validate()):
 *   bound = max(critical path, ceil(work / N), longest task);
 * * periodic: bound = max(ceil(T∞), ceil(work / N), longest task). Every task runs once per
 *   period on one of N processors, so P·N ≥ work and P ≥ the longest task (validate() demands
 *   cycles ≤ P). T∞ is in general a fraction, but a period is an integer (integer cycles and
 *   starts), and P ≥ T∞ implies P ≥ ceil(T∞). The critical path of one iteration is reported
 *   too but is NOT a period bound: pipelining overlaps iterations.
 *
 * Communication is left out of every bound (it is zero when tasks share a processor).
 *
 * Heterogeneous machines (README, Heterogeneous processors): a task's `cycles` is the smallest
 * of its per-type costs, d_min(v) ≤ its duration on whatever processor runs it, and every bound
 * here is computed from `cycles`, so each stays a lower bound. Critical path and T∞: every path
 * or cycle of a schedule takes at least the sum of the d_min of its tasks. Longest task: the
 * longest d_min must run somewhere. Work: let C be the makespan (or the period) and B_p the
 * busy time of processor p in one iteration; B_p ≤ C (the tasks of p run one at a time inside
 * [0, C), or, periodically, as disjoint arcs of a circle of length C), and Σ_p B_p = Σ_v
 * d(v, proc(v)) ≥ Σ_v d_min(v); hence N·C ≥ Σ_v d_min(v) and C ≥ ceil(Σ_v d_min(v) / N).
 */
import type { Cycles, Machine, TaskGraph, TaskId } from '../types';
import { totalWork } from '../graph/taskgraph';
import { criticalPath } from './critical-path';
import { longestTask, workBound } from './work';
import { iterationBound } from './iteration-bound';

export { bottomLevels, topLevels, criticalPath, criticalPathTasks, type EdgeCost } from './critical-path';
export { workBound, longestTask } from './work';
export { iterationBound, type IterationBound } from './iteration-bound';

export type ScheduleKind = 'makespan' | 'periodic';

export interface LowerBounds {
  kind: ScheduleKind;
  procs: number;
  totalWork: Cycles;
  /** Longest path of one iteration (task cycles; for makespan with delays treated as 0). */
  criticalPath: Cycles;
  /** ceil(totalWork / procs). */
  workBound: Cycles;
  longestTask: Cycles;
  /** T∞ (exact ratio as a number; 0 for acyclic graphs and for makespan problems). */
  iterationBound: number;
  /** The cycle attaining T∞ (empty when none). */
  iterationBoundCycle: TaskId[];
  /** The binding bound: see the module comment. */
  bound: Cycles;
}

export function lowerBounds(g: TaskGraph, m: Machine, kind: ScheduleKind): LowerBounds {
  const work = workBound(g, m.procs);
  const longest = longestTask(g);
  if (kind === 'makespan') {
    const flat = g.edges.some((e) => e.delay !== 0) ? { ...g, edges: g.edges.map((e) => ({ ...e, delay: 0 })) } : g;
    const cp = criticalPath(flat); // a loop edge becomes a cycle here: InputError naming it
    return {
      kind,
      procs: m.procs,
      totalWork: totalWork(g),
      criticalPath: cp,
      workBound: work,
      longestTask: longest,
      iterationBound: 0,
      iterationBoundCycle: [],
      bound: Math.max(cp, work, longest),
    };
  }
  const cp = criticalPath(g);
  const ib = iterationBound(g);
  return {
    kind,
    procs: m.procs,
    totalWork: totalWork(g),
    criticalPath: cp,
    workBound: work,
    longestTask: longest,
    iterationBound: ib.value,
    iterationBoundCycle: ib.cycle,
    bound: Math.max(ceilRatio(ib.cycles, ib.delays), work, longest),
  };
}

/** ceil(num / den) in integers (exact where a float division could round onto an integer). */
function ceilRatio(num: number, den: number): number {
  if (den === 0) return 0;
  let q = Math.ceil(num / den);
  while (q * den < num) q++;
  while ((q - 1) * den >= num) q--;
  return q;
}
