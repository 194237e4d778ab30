/**
 * Placements — where and when every task of a graph runs, as flat arrays by task index — and the
 * Schedule records built from them (the one constructor of each kind, so every solver writes the
 * same fields in the same order).
 *
 * Periodic model (the validator's, ./validate.ts): iteration k of task v runs at k·P + start_v
 * on proc_v; an edge u→v of delay w needs start_v + w·P ≥ start_u + c_u + comm (its *need*,
 * `edgeNeed`, is at most w·P). With free weight loops (delay rule 'minimal') the loop edges do
 * not constrain a placement (`constrainingEdges`): their delay 1 + d_l is chosen afterwards as
 * the smallest that satisfies them (`minimalStaleness`).
 */
import { taskCycles } from '../durations';
import type { Cycles, Edge, Machine, Schedule, TaskGraph } from '../types';
import { transferCycles } from '../machine';
import { isLoopEdge } from '../graph/taskgraph';

/** A periodic placement: `proc[v]`, `start[v]` (iteration 0, may exceed the period) and the period. */
export interface PeriodicPlacement {
  period: Cycles;
  proc: number[];
  start: number[];
}

/** A one-shot (makespan) placement, as the list schedulers and exact solvers produce it. */
export interface MakespanPlacement {
  proc: Int32Array;
  start: Float64Array;
  makespan: number;
}

/**
 * The periodic Schedule record of a placement: tasks in graph order; key order kind, procs,
 * period, tasks, staleness (when given), method, graph.
 */
export function periodicSchedule(g: TaskGraph, pl: PeriodicPlacement, o: { procs: number; method: string; staleness?: number[] }): Schedule {
  const s: Schedule = {
    kind: 'periodic',
    procs: o.procs,
    period: pl.period,
    tasks: g.tasks.map((t, v) => ({ id: t.id, processor: pl.proc[v], start: pl.start[v] })),
  };
  if (o.staleness) s.staleness = o.staleness;
  s.method = o.method;
  s.graph = g.name;
  return s;
}

/** The makespan Schedule record of a placement: tasks in graph order. */
export function makespanSchedule(g: TaskGraph, pl: MakespanPlacement, o: { procs: number; method: string }): Schedule {
  return {
    kind: 'makespan',
    procs: o.procs,
    makespan: pl.makespan,
    tasks: g.tasks.map((t, i) => ({ id: t.id, processor: pl.proc[i], start: pl.start[i] })),
    method: o.method,
    graph: g.name,
  };
}

/** Indices of the edges that constrain a placement (all but the weight loops when they are free). */
export function constrainingEdges(g: TaskGraph, freeLoops: boolean): number[] {
  const out: number[] = [];
  g.edges.forEach((e, k) => {
    if (!(freeLoops && isLoopEdge(e))) out.push(k);
  });
  return out;
}

/** Cycles edge `e` costs between the processors of its ends. */
function edgeComm(m: Machine, e: Edge, proc: ArrayLike<number>): Cycles {
  return transferCycles(m, e.bytes, proc[e.from], proc[e.to]);
}

/**
 * What edge u→v needs between the two starts: start_u + c_u + comm(u, v) − start_v. The edge
 * holds iff its delay·P is at least this. O(1).
 */
export function edgeNeed(g: TaskGraph, m: Machine, proc: ArrayLike<number>, start: ArrayLike<number>, e: Edge): number {
  return start[e.from] + taskCycles(g.tasks[e.from], proc[e.from], m) + edgeComm(m, e, proc) - start[e.to];
}

/**
 * The smallest extra staleness d_l that makes every loop edge of layer l legal for this
 * placement: (1 + d_l)·P ≥ start_U + c_U + comm − start_v, i.e. d_l = max(0, ceil(need / P) − 1)
 * over the layer's loop edges. The staleness every periodic method reads off its schedule. O(E).
 */
export function minimalStaleness(g: TaskGraph, m: Machine, pl: PeriodicPlacement): number[] {
  const d = new Array<number>(g.layers).fill(0);
  for (const e of g.edges) {
    if (!isLoopEdge(e)) continue;
    const w = Math.max(1, Math.ceil(edgeNeed(g, m, pl.proc, pl.start, e) / pl.period));
    d[e.loopLayer! - 1] = Math.max(d[e.loopLayer! - 1], w - 1);
  }
  return d;
}
