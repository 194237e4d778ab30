/**
 * Shared machinery of the list schedulers (HLFET, ETF, HEFT, CPOP, PEFT) with communication:
 * an edge u→v costs commCycles(bytes) when u and v run on different processors, 0 on the same
 * one (STG graphs carry no bytes, so no communication). Durations are per processor
 * (`wq`, from lib/model/durations.ts: the task's cost for the processor's type on a
 * heterogeneous machine); priorities use the mean over processors (`w`, HEFT's w̄), which on
 * identical processors is the task's cost.
 *
 * Makespan problems treat EVERY edge as a precedence (delays ignored, as validate() does),
 * so the graph is flattened to delay 0 first; a cycle is an InputError naming it.
 *
 * Determinism: ready lists pop the highest priority first; ties go to the task that comes
 * first in the topological order of lib/model/graph (smallest index among ready tasks, i.e. the
 * file order for STG). Processor ties go to the smallest processor index.
 *
 * Costs: the ready list is a binary heap (O(log n) per task); the data-ready time of a task
 * on all P processors is O(indeg + P) (the best and second-best cross-processor arrival and a
 * per-processor local maximum); a timeline query is O(1) (append) or O(log n) (insertion).
 * So one run is O((n + e) log n + n·P) (append) or O((n + e) log n + n·P·log n) (insertion).
 */
import type { Machine, Schedule, TaskGraph } from '../../lib/model/types';
import { adjacency, requireTopoOrder, type Adjacency } from '../../lib/model/graph/taskgraph';
import { checkProcs, commCycles } from '../../lib/model/machine';
import { bottomLevels, lowerBounds } from '../../lib/model/bounds';
import { validate } from '../../lib/model/schedule/validate';
import { durationTable, isHeterogeneous } from '../../lib/model/durations';
import { makespanSchedule, type MakespanPlacement } from '../../lib/model/schedule/placement';
import { fail } from '../../lib/model/errors';
import type { Solver, SolverOptions, SolverResult } from '../solver';
import { defineOptions } from '../options';
import { IntHeap } from './heap';
import { Timelines } from './timeline';
import { mulberry32, subSeed } from './random';

/** One makespan problem in flat arrays, shared by the algorithms. */
export interface ListProblem {
  /** The graph with every delay set to 0 (same tasks, same edge order). */
  g: TaskGraph;
  m: Machine;
  n: number;
  P: number;
  adj: Adjacency;
  /** Mean task cost over the processors (w̄ of HEFT; the cost itself on identical processors). */
  w: Float64Array;
  /** Duration of task t on processor q: wq[t·P + q]. */
  wq: Float64Array;
  /** Whether durations differ between processors. */
  hetero: boolean;
  /** Per edge: source and target task. */
  from: Int32Array;
  to: Int32Array;
  /** Per edge: transfer cycles when the endpoints are on different processors. */
  comm: Float64Array;
  /**
   * Per edge: the mean communication cost used by HEFT-style ranks. The HEFT paper averages
   * over the links between distinct processors, which on identical processors is just the
   * transfer cost; with one processor there are no links, so 0.
   */
  cbar: Float64Array;
  /** A topological order, and each task's position in it (the tie-breaker). */
  order: Int32Array;
  pos: Int32Array;
  /** Bottom levels of the mean costs without communication (HLFET's static level). */
  bl: Float64Array;
  /** True when some edge costs communication. */
  hasComm: boolean;
}

export function listProblem(g0: TaskGraph, m: Machine): ListProblem {
  checkProcs(m.procs, 'procs');
  const g = g0.edges.some((e) => e.delay !== 0) ? { ...g0, edges: g0.edges.map((e) => ({ ...e, delay: 0 })) } : g0;
  const ord = requireTopoOrder(g, g0.name);
  const n = g.tasks.length;
  const P = m.procs;
  const ne = g.edges.length;
  const w = new Float64Array(n);
  const hetero = isHeterogeneous(g);
  const wq = hetero ? durationTable(g, m) : new Float64Array(n * P);
  for (let i = 0; i < n; i++) {
    const c = g.tasks[i].cycles;
    if (!Number.isFinite(c) || c < 0) fail(`${g0.name}: task ${g.tasks[i].id}`, `cycles must be a finite number ≥ 0, got ${c}`);
    if (!hetero) {
      w[i] = c;
      wq.fill(c, i * P, (i + 1) * P);
      continue;
    }
    let sum = 0;
    for (let q = 0; q < P; q++) {
      const d = wq[i * P + q];
      if (!Number.isFinite(d) || d < 0) fail(`${g0.name}: task ${g.tasks[i].id}`, `cost on processor ${q} must be a finite number ≥ 0, got ${d}`);
      sum += d;
    }
    w[i] = sum / P;
  }
  const from = new Int32Array(ne);
  const to = new Int32Array(ne);
  const comm = new Float64Array(ne);
  const cbar = new Float64Array(ne);
  let hasComm = false;
  for (let k = 0; k < ne; k++) {
    const e = g.edges[k];
    from[k] = e.from;
    to[k] = e.to;
    comm[k] = commCycles(m, e.bytes);
    cbar[k] = P > 1 ? comm[k] : 0;
    if (comm[k] > 0) hasComm = true;
  }
  const order = Int32Array.from(ord);
  const pos = new Int32Array(n);
  for (let k = 0; k < n; k++) pos[order[k]] = k;
  const adj = adjacency(g);
  const base = { g, m, n, P, adj, w, wq, hetero, from, to, comm, cbar, order, pos, hasComm };
  return { ...base, bl: hetero ? meanLevels(base, false) : bottomLevels(g) };
}

/** Bottom levels of the mean costs w̄, with the mean communication c̄ or without. */
function meanLevels(p: Omit<ListProblem, 'bl'>, withComm: boolean): Float64Array {
  const bl = new Float64Array(p.n);
  for (let k = p.n - 1; k >= 0; k--) {
    const v = p.order[k];
    let best = 0;
    for (let j = p.adj.outStart[v]; j < p.adj.outStart[v + 1]; j++) {
      const e = p.adj.outEdges[j];
      const c = (withComm ? p.cbar[e] : 0) + bl[p.to[e]];
      if (c > best) best = c;
    }
    bl[v] = p.w[v] + best;
  }
  return bl;
}

/** HEFT's upward rank: w̄_i + max over successors (c̄_ij + rank_u(j)). */
export function upwardRanks(p: ListProblem): Float64Array {
  if (!p.hasComm || p.P === 1) return p.bl;
  if (p.hetero) return meanLevels(p, true);
  return bottomLevels(p.g, (e) => (p.P > 1 ? commCycles(p.m, e.bytes) : 0));
}

/** CPOP's downward rank: max over predecessors (rank_d(u) + w_u + c̄_uv); 0 for entry tasks. */
export function downwardRanks(p: ListProblem): Float64Array {
  const rd = new Float64Array(p.n);
  const { inStart, inEdges } = p.adj;
  for (let k = 0; k < p.n; k++) {
    const v = p.order[k];
    let best = 0;
    for (let j = inStart[v]; j < inStart[v + 1]; j++) {
      const e = inEdges[j];
      const u = p.from[e];
      const c = rd[u] + p.w[u] + p.cbar[e];
      if (c > best) best = c;
    }
    rd[v] = best;
  }
  return rd;
}

/**
 * Data-ready times of one task on every processor, O(indeg + P): the arrival from a
 * predecessor u is finish_u + comm on another processor and finish_u on u's own, so
 * DRT(t, q) = max(local_q, q = q1 ? second : first), where first/q1 is the largest cross
 * arrival and its processor, second the largest cross arrival from any other processor, and
 * local_q the latest finish of a predecessor on q.
 */
export class DataReady {
  readonly cross: Float64Array;
  readonly local: Float64Array;
  private readonly touched: Int32Array;
  private nt = 0;
  /** After compute(): largest cross arrival, its processor, largest from another processor. */
  first = 0;
  firstProc = -1;
  second = 0;

  constructor(private readonly p: ListProblem) {
    this.cross = new Float64Array(p.P).fill(-1);
    this.local = new Float64Array(p.P).fill(-1);
    this.touched = new Int32Array(p.P);
  }

  /** Fill `out[q]` = DRT(t, q) for every processor q (0 for entry tasks). */
  compute(t: number, proc: Int32Array, finish: Float64Array, out: Float64Array): void {
    this.scan(t, proc, finish);
    out.fill(this.first);
    for (let k = 0; k < this.nt; k++) {
      const q = this.touched[k];
      const base = q === this.firstProc ? this.second : this.first;
      out[q] = this.local[q] > base ? this.local[q] : base;
    }
    this.reset();
  }

  /**
   * Like compute() but leaves the per-processor exceptions in `touchedProcs()` /
   * `drtOn(q)` for the caller (ETF) — call reset() afterwards.
   */
  scan(t: number, proc: Int32Array, finish: Float64Array): void {
    const { inStart, inEdges } = this.p.adj;
    const cross = this.cross;
    const local = this.local;
    for (let j = inStart[t]; j < inStart[t + 1]; j++) {
      const e = inEdges[j];
      const u = this.p.from[e];
      const q = proc[u];
      const f = finish[u];
      if (cross[q] < 0 && local[q] < 0) this.touched[this.nt++] = q;
      const v = f + this.p.comm[e];
      if (v > cross[q]) cross[q] = v;
      if (f > local[q]) local[q] = f;
    }
    let first = 0;
    let firstProc = -1;
    let second = 0;
    for (let k = 0; k < this.nt; k++) {
      const q = this.touched[k];
      const v = cross[q];
      if (v > first || (v === first && firstProc >= 0 && q < firstProc)) {
        if (firstProc >= 0 && first > second) second = first;
        first = v;
        firstProc = q;
      } else if (v > second) second = v;
    }
    this.first = first;
    this.firstProc = firstProc;
    this.second = second;
  }

  touchedCount(): number {
    return this.nt;
  }
  touchedProc(k: number): number {
    return this.touched[k];
  }
  /** DRT on a processor that holds a predecessor (valid between scan() and reset()). */
  drtOn(q: number): number {
    const base = q === this.firstProc ? this.second : this.first;
    return this.local[q] > base ? this.local[q] : base;
  }

  reset(): void {
    for (let k = 0; k < this.nt; k++) {
      const q = this.touched[k];
      this.cross[q] = -1;
      this.local[q] = -1;
    }
    this.nt = 0;
  }
}

/**
 * Chooses a processor for task t given its data-ready times on every processor and the
 * timelines; the engine then starts t there as early as the timeline allows.
 */
export type Picker = (t: number, drt: Float64Array, tl: Timelines) => number;

/** Earliest finish (on identical processors the earliest start); ties to the smallest index. */
export function earliestPicker(p: ListProblem): Picker {
  return (t, drt, tl) => {
    let bestQ = 0;
    let best = Infinity;
    for (let q = 0; q < p.P; q++) {
      const d = p.wq[t * p.P + q];
      const s = tl.earliestStart(q, drt[q], d) + d;
      if (s < best) {
        best = s;
        bestQ = q;
      }
    }
    return bestQ;
  };
}

/** Priority order of a ready list: higher priority first, then earlier in topological order. */
export function readyOrder(prio: Float64Array, pos: Int32Array): (a: number, b: number) => boolean {
  return (a, b) => prio[a] > prio[b] || (prio[a] === prio[b] && pos[a] < pos[b]);
}

/**
 * The static-priority list-scheduling engine: repeatedly take the ready task of highest
 * priority, let `pick` choose its processor, start it as early as that processor's timeline
 * allows (append or insertion). O((n + e) log n + n·(P + pick)).
 */
export function readyListSchedule(p: ListProblem, prio: Float64Array, insertion: boolean, pick: Picker): MakespanPlacement {
  const { n, adj, wq, P } = p;
  const proc = new Int32Array(n);
  const start = new Float64Array(n);
  const finish = new Float64Array(n);
  const missing = new Int32Array(n);
  for (let v = 0; v < n; v++) missing[v] = adj.inStart[v + 1] - adj.inStart[v];
  const heap = new IntHeap(readyOrder(prio, p.pos), 64);
  for (let v = 0; v < n; v++) if (missing[v] === 0) heap.push(v);
  const tl = new Timelines(p.P, insertion, insertion ? n : 0);
  const dr = new DataReady(p);
  const drt = new Float64Array(p.P);
  let makespan = 0;
  while (heap.size > 0) {
    const t = heap.pop();
    dr.compute(t, proc, finish, drt);
    const q = pick(t, drt, tl);
    const d = wq[t * P + q];
    const s = tl.earliestStart(q, drt[q], d);
    tl.reserve(q, s, d);
    proc[t] = q;
    start[t] = s;
    finish[t] = s + d;
    if (finish[t] > makespan) makespan = finish[t];
    for (let j = adj.outStart[t]; j < adj.outStart[t + 1]; j++) {
      const v = p.to[adj.outEdges[j]];
      if (--missing[v] === 0) heap.push(v);
    }
  }
  return { proc, start, makespan };
}

/** Options every list scheduler takes. */
export interface ListOptions {
  /** Randomized-priority restarts after the deterministic run (best kept). Default 0. */
  restarts?: number;
  /** Seed of the restarts. Default 1. */
  seed?: number;
  /**
   * Relative size of the priority noise of a restart: priority × (1 + ε·u), u uniform in
   * [0, 1). Default: restart k uses ε = PERTURBATIONS[(k − 1) mod 3].
   */
  perturbation?: number;
}

/**
 * Noise levels cycled through by the restarts. Measured on STG-50 (669 cases with a published
 * optimum, best of the five schedulers with 16 restarts each): a fixed ε of 0.02 / 0.05 / 0.1
 * reached 589 / 593 / 599 optima, 0.2 … 1.0 reached 612–623 (noise of a few cases); this
 * cycle reached 621.
 */
const PERTURBATIONS = [0.2, 0.4, 0.8];

function checkListOptions(o: ListOptions): Required<Pick<ListOptions, 'restarts' | 'seed'>> & { perturbation?: number } {
  const restarts = o.restarts ?? 0;
  const seed = o.seed ?? 1;
  if (!Number.isInteger(restarts) || restarts < 0) fail('restarts', `must be an integer ≥ 0, got ${restarts}`);
  if (!Number.isInteger(seed)) fail('seed', `must be an integer, got ${seed}`);
  if (o.perturbation !== undefined && !(o.perturbation >= 0 && Number.isFinite(o.perturbation))) {
    fail('perturbation', `must be a finite number ≥ 0, got ${o.perturbation}`);
  }
  return { restarts, seed, perturbation: o.perturbation };
}

/**
 * Priorities of restart k (k ≥ 1): base × (1 + ε·u), u uniform in [0, 1) from a stream seeded
 * by (seed, k); ε = `perturbation` or PERTURBATIONS[(k − 1) mod 3]. Writes into `out`.
 */
export function perturbPriorities(base: Float64Array, out: Float64Array, seed: number, k: number, perturbation?: number): Float64Array {
  const rng = mulberry32(subSeed(seed, k));
  const eps = perturbation ?? PERTURBATIONS[(k - 1) % PERTURBATIONS.length];
  for (let t = 0; t < base.length; t++) out[t] = base[t] * (1 + eps * rng());
  return out;
}

/**
 * Run `run(base)` and then `restarts` runs on seeded perturbations of `base`; keep the first
 * placement of the smallest makespan. O(restarts + 1) runs.
 */
export function withRestarts(p: ListProblem, base: Float64Array, o: ListOptions, run: (prio: Float64Array) => MakespanPlacement): MakespanPlacement {
  const { restarts, seed, perturbation } = checkListOptions(o);
  let best = run(base);
  if (restarts === 0) return best;
  const prio = new Float64Array(p.n);
  for (let k = 1; k <= restarts; k++) {
    const cand = run(perturbPriorities(base, prio, seed, k, perturbation));
    if (cand.makespan < best.makespan) best = cand;
  }
  return best;
}

/** The Schedule of a placement (tasks in graph order), checked by validate(). */
export function toSchedule(g: TaskGraph, m: Machine, pl: MakespanPlacement, method: string): Schedule {
  return checked(g, m, makespanSchedule(g, pl, { procs: m.procs, method }), method);
}

/** Throw (an internal error, not an InputError) if a solver produced an invalid schedule. */
export function checked(g: TaskGraph, m: Machine, s: Schedule, method: string): Schedule {
  const r = validate(g, m, s);
  if (!r.valid) {
    const more = r.violations.length > 1 ? ` (and ${r.violations.length - 1} more)` : '';
    throw new Error(`internal error: ${method} produced an invalid schedule for ${g.name}: ${r.violations[0].message}${more}`);
  }
  return s;
}

/** The options every list scheduler reads. */
export const LIST_OPTIONS = defineOptions({
  restarts: { type: 'integer', min: 0, default: 0, description: 'randomized-priority restarts after the deterministic run (best kept)' },
  seed: { type: 'integer', min: 0, default: 1, description: 'seed of the restarts' },
  perturbation: { type: 'number', min: 0, description: 'relative priority noise of a restart (default: 0.2, 0.4, 0.8 in turn)' },
});

/** Wrap a synchronous list scheduler as a Solver (status optimal when it meets the lower bound). */
export function listSolver(name: string, description: string, run: (g: TaskGraph, m: Machine, o: ListOptions) => Schedule): Solver {
  return {
    name,
    objective: 'makespan',
    kind: 'list',
    description,
    options: LIST_OPTIONS,
    async solve(g: TaskGraph, m: Machine, opts: SolverOptions = {}): Promise<SolverResult> {
      const t0 = performance.now();
      const s = run(g, m, { restarts: opts.restarts, seed: opts.seed, perturbation: opts.perturbation as number | undefined });
      const bound = lowerBounds(g, m, 'makespan').bound;
      const value = s.makespan!;
      return {
        solver: name,
        status: value <= bound ? 'optimal' : 'feasible',
        schedule: s,
        value,
        bound,
        gap: gapOf(value, bound),
        seconds: (performance.now() - t0) / 1000,
      };
    },
  };
}

/** (value − bound) / bound; 0 when both are 0. */
export function gapOf(value: number, bound: number): number {
  if (value === bound) return 0;
  return bound > 0 ? (value - bound) / bound : Infinity;
}
