/**
 * What a processor assignment costs, before any timing: each processor's load, the bytes that
 * cross processors (as lib/model/metrics/communication.ts counts them) and the period it needs
 * at least, max(largest load, link bound).
 */
import { taskCycles } from '../../lib/model/durations';
import type { Machine, TaskGraph } from '../../lib/model/types';
import { groupCrossing, linkPeriodBound, tensorGroups } from '../../lib/model/metrics/communication';
import { maxOf } from '../../lib/model/extrema';

/**
 * Cycles of work on each processor: each task's duration on its processor (`taskCycles`) when
 * the machine is given, its `cycles` otherwise (identical processors). O(n).
 */
export function processorLoads(g: TaskGraph, proc: ArrayLike<number>, procs: number, m?: Machine): number[] {
  const load = new Array<number>(procs).fill(0);
  for (let v = 0; v < g.tasks.length; v++) load[proc[v]] += m ? taskCycles(g.tasks[v], proc[v], m) : g.tasks[v].cycles;
  return load;
}

/** Bytes crossing processors in one iteration (as lib/model/metrics counts them). O(E). */
export function crossingBytes(g: TaskGraph, proc: ArrayLike<number>): number {
  const G = tensorGroups(g);
  let total = 0;
  for (let id = 0; id < G.src.length; id++) total += groupCrossing(G, id, proc);
  return total;
}

/**
 * The period an assignment needs at least: max(largest processor load, link bound). With free
 * loops it is also the period it reaches (assignment.ts). O(E log E).
 */
export function assignmentPeriod(g: TaskGraph, m: Machine, proc: ArrayLike<number>): number {
  return Math.max(maxOf(processorLoads(g, proc, m.procs, m), 0), linkPeriodBound(g, m, proc));
}
