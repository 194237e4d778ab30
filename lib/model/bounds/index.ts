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
