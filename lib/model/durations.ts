/**
 * Per-processor durations (README, Heterogeneous processors). A heterogeneous machine gives
 * every processor a type (`Machine.procType`); a task of a heterogeneous graph carries its cost
 * on every type (`Task.cyclesByType`, reference-clock cycles) and `cycles` = the smallest of
 * them. `taskCycles` is the one function every judge and solver asks for a duration; on a
 * homogeneous graph or machine it is `task.cycles`, so homogeneous results are unchanged.
 *
 * A graph with per-type costs on a machine without types (or with more types than the graph
 * has costs for) is a mismatch the caller must not paper over: `checkDurations` says so in one
 * line.
 */
import type { Cycles, Machine, ProcId, Task, TaskGraph } from './types';
import { fail } from './errors';

/** Duration of `task` on processor `proc` of `m`. */
export function taskCycles(task: Task, proc: ProcId, m: Machine): Cycles {
  const by = task.cyclesByType;
  if (by === undefined) return task.cycles;
  const pt = m.procType;
  if (pt === undefined) fail(`task ${task.id}`, 'the graph has per-processor-type costs but the machine has no processor types');
  const c = by[pt[proc]];
  if (c === undefined) fail(`task ${task.id}`, `no cost for processor ${proc} (type ${pt[proc]}); the graph gives ${by.length} types`);
  return c;
}

/** Whether a graph carries per-type costs. */
export function isHeterogeneous(g: TaskGraph): boolean {
  return g.tasks.some((t) => t.cyclesByType !== undefined);
}

/** Number of processor types of a machine (1 when homogeneous). */
export function typeCount(m: Machine): number {
  return m.procType ? Math.max(0, ...m.procType) + 1 : 1;
}

/** InputError unless every task's per-type costs cover every processor type of `m`. */
export function checkDurations(g: TaskGraph, m: Machine, where = g.name): void {
  if (!isHeterogeneous(g)) return;
  if (!m.procType) fail(where, 'the graph has per-processor-type costs but the machine has no processor types');
  if (m.procType.length !== m.procs) fail(where, `the machine lists ${m.procType.length} processor types for ${m.procs} processors`);
  const T = typeCount(m);
  for (const t of g.tasks) {
    if (t.cyclesByType && t.cyclesByType.length < T) fail(`${where}: task ${t.id}`, `costs for ${t.cyclesByType.length} processor types, the machine has ${T}`);
  }
}

/** Durations of every task on every processor: row-major n × procs. */
export function durationTable(g: TaskGraph, m: Machine): Float64Array {
  checkDurations(g, m);
  const P = m.procs;
  const out = new Float64Array(g.tasks.length * P);
  g.tasks.forEach((t, i) => {
    for (let q = 0; q < P; q++) out[i * P + q] = taskCycles(t, q, m);
  });
  return out;
}

/** Duration of every task on its assigned processor. */
export function assignedDurations(g: TaskGraph, m: Machine, proc: ArrayLike<number>): number[] {
  return g.tasks.map((t, i) => taskCycles(t, proc[i], m));
}

/**
 * The graph with each task's `cycles` set to its duration on its assigned processor (and the
 * per-type costs dropped): what a timing routine written for identical processors needs once
 * the assignment is fixed. The same object when the graph is homogeneous.
 */
export function onAssignment(g: TaskGraph, m: Machine, proc: ArrayLike<number>): TaskGraph {
  if (!isHeterogeneous(g)) return g;
  checkDurations(g, m);
  return { ...g, tasks: g.tasks.map((t, i) => plain(t, taskCycles(t, proc[i], m))) };
}

/** `onAssignment` for a stage or chunk graph (`graph` with `proc`). */
export function stagesOnAssignment<S extends { graph: TaskGraph; proc: number[] }>(sg: S, m: Machine): S {
  const graph = onAssignment(sg.graph, m, sg.proc);
  return graph === sg.graph ? sg : { ...sg, graph };
}

/** The graph with every task costed as on processor type `type` (a homogeneous view). */
export function onType(g: TaskGraph, type: number): TaskGraph {
  if (!isHeterogeneous(g)) return g;
  return { ...g, tasks: g.tasks.map((t) => plain(t, t.cyclesByType ? t.cyclesByType[type] : t.cycles)) };
}

/** The graph with every task costed at its largest per-type cost (the slowest processor). */
export function onSlowest(g: TaskGraph): TaskGraph {
  if (!isHeterogeneous(g)) return g;
  return { ...g, tasks: g.tasks.map((t) => plain(t, t.cyclesByType ? Math.max(...t.cyclesByType) : t.cycles)) };
}

function plain(t: Task, cycles: Cycles): Task {
  const { cyclesByType: _drop, ...rest } = t;
  return { ...rest, cycles };
}
