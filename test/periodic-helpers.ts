/** Shared helpers of the periodic-solver tests (retiming, modulo, assignment, period MILP). */
import type { Machine, TaskGraph } from '../lib/model/types';
import { validate } from '../lib/model/schedule/validate';
import { periodicSchedule, type PeriodicPlacement } from '../lib/model/schedule/placement';

/** A graph from (id, cycles) tasks and (from, to, delay, bytes?, loopLayer?) edges. */
export function graph(
  name: string,
  tasks: [string, number][],
  edges: [string, string, number, number?, number?][],
  layers = 0,
): TaskGraph {
  const at = (id: string) => tasks.findIndex((t) => t[0] === id);
  return {
    name,
    layers,
    tasks: tasks.map(([id, c]) => ({ id, kind: 'task', layer: 0, cycles: c, gemmCycles: 0, vectorCycles: c })),
    edges: edges.map(([a, b, w, bytes, loop]) => {
      const e: TaskGraph['edges'][number] = { from: at(a), to: at(b), delay: w, bytes: bytes ?? 0 };
      if (loop !== undefined) e.loopLayer = loop;
      return e;
    }),
  };
}

/** Validate a placement as the periodic Schedule the solvers would write. */
export function valid(g: TaskGraph, m: Machine, pl: PeriodicPlacement, staleness?: number[]) {
  return validate(g, m, periodicSchedule(g, pl, { procs: m.procs, method: 'test', staleness }));
}
