/**
 * The exact makespan solver (`ilp` in the registry): a portfolio, tuned on STG-50
 * (measurements in solvers/ilp/README.md).
 *
 * 1. Lower bound LB = max(critical path, ⌈W/p⌉, longest task) (lib/model/bounds).
 * 2. Incumbent: the best of the five list schedulers, deterministic runs first, then up to
 *    5000 rounds of seeded randomized restarts while they take < 10 % of the time limit (and
 *    any warm start given). (sparse p = 8 needs ~2000 to meet the bound.)
 *    If it meets LB it is optimal and we stop: the most common case on STG.
 * 3. Without communication: a first pass of the depth-first branch and bound (bnb.ts) for
 *    min(30 %, 1.5 s + 10 %) of the time — it closes most cases whose optimum equals LB
 *    within a second — then the time-indexed MIP on HiGHS (makespan.ts), warm-started with
 *    the best schedule, which proves optima above LB through its much stronger LP bound;
 *    whatever time the MIP leaves goes to a second branch-and-bound pass (with the MIP's
 *    bound). When the time-indexed model would be too large (long horizons), the branch and
 *    bound gets all the time. With communication: the disjunctive MIP (≤ 120 tasks), else
 *    the branch and bound.
 * 4. The answer is the best schedule found (validated), the best proven bound, the gap.
 *    `optimal` only when proven (bound met, search exhausted or MIP optimal); `feasible` when
 *    the time ran out with a schedule; `timeout` with no schedule (only possible with
 *    `warm: false`, where the MIP starts cold).
 *
 * Per-processor durations (R|prec,c_ij|Cmax): the list schedulers use them as their papers do,
 * the bounds use the smallest durations, the branch and bound and the disjunctive MIP take them
 * (costs.ts, bnb.ts, makespan.ts); the time-indexed MIP is left out (`auto` gives the branch
 * and bound all the time without communication, and with communication splits the time like
 * step 3, with the disjunctive MIP in place of the time-indexed one; `ilp-ti` refuses in one
 * line).
 *
 * The time limit covers everything (bounds, heuristics, model building, solving); HiGHS is
 * interrupted by a wall-clock callback and given 90 % of what is left (it can overshoot in
 * phases that do not call back). Objective values from HiGHS (82.999999…) are rounded: all
 * data are integers, and the decoded schedule is re-timed and validated anyway.
 */
import type { Machine, Schedule, TaskGraph } from '../../lib/model/types';
import { lowerBounds } from '../../lib/model/bounds';
import { fail } from '../../lib/model/errors';
import type { Solver, SolverOptions, SolverResult } from '../solver';
import { defineOptions } from '../options';
import {
  checked,
  earliestPicker,
  downwardRanks,
  gapOf,
  listProblem,
  readyListSchedule,
  perturbPriorities,
  toSchedule,
  upwardRanks,
  type ListProblem,
} from '../list/core';
import type { MakespanPlacement } from '../../lib/model/schedule/placement';
import { etfPlacement } from '../list/etf';
import { cpopCriticalPath } from '../list/cpop';
import { optimisticCostTable } from '../list/peft';
import { branchAndBound } from './bnb';
import { disjunctiveModel, semiActive, timeIndexedModel, timeIndexedSize, type Formulation } from './makespan';
import { highsBackend } from './highs';
import { jslpBackend } from './jslp';
import { writeLp } from './lp-format';
import type { MilpBackend } from './model';

export type ExactMethod = 'auto' | 'bnb' | 'time-indexed' | 'disjunctive';

export interface ExactOptions extends SolverOptions {
  /** Whole-solve wall-clock limit, seconds (default 10). */
  timeLimitSeconds?: number;
  method?: ExactMethod;
  /** MIP engine (default highs; jslp only for tiny models). */
  backend?: 'highs' | 'jslp';
  /** Start from list schedules (default true). false: cold MIP (for tests and comparisons). */
  warm?: boolean;
  /** Share of the time given to the first branch-and-bound pass in `auto` (default 0.3, at most 1.5 s + 10 %). */
  bnbShare?: number;
  /** Receives the CPLEX-LP text of every MIP model built (for --export-lp). */
  onModel?: (lp: string, kind: Formulation['kind']) => void;
}

/** Largest time-indexed model `auto` builds; beyond it the B&B gets all the time. */
const TIME_INDEXED_MAX_BINARIES = 60_000;
const TIME_INDEXED_MAX_ROWS = 150_000;
const tiFits = (s: { binaries: number; rows: number }) => s.binaries <= TIME_INDEXED_MAX_BINARIES && s.rows <= TIME_INDEXED_MAX_ROWS;
/** Largest graph for the disjunctive model (pairs grow as n²). */
const DISJUNCTIVE_MAX_TASKS = 120;
/** Largest graph the branch and bound is tried on (its recursion depth is n). */
const BNB_MAX_TASKS = 2000;
/** Largest model handed to javascript-lp-solver (deps.md §4: reliable up to about 8 tasks). */
const JSLP_MAX_COLUMNS = 300;

interface Best {
  pl: MakespanPlacement;
  from: string;
}

/**
 * Best list schedule: 5 deterministic runs, then rounds of seeded restarts of ETF, HEFT and
 * HLFET while under `budgetMs` and `maxRestarts` rounds, stopping early at `lowerBound`.
 */
export function bestListPlacement(p: ListProblem, budgetMs: number, seed = 1, maxRestarts = 5000, lowerBound = 0): Best {
  const t0 = performance.now();
  const eft = earliestPicker(p);
  const ru = upwardRanks(p);
  const rd = downwardRanks(p);
  const cpPrio = new Float64Array(p.n);
  for (let i = 0; i < p.n; i++) cpPrio[i] = ru[i] + rd[i];
  const onCp = cpopCriticalPath(p, cpPrio);
  const oct = optimisticCostTable(p);
  const octRank = new Float64Array(p.n);
  for (let t = 0; t < p.n; t++) {
    let s = 0;
    for (let q = 0; q < p.P; q++) s += oct[t * p.P + q];
    octRank[t] = s / p.P;
  }
  const peftPick = (t: number, drt: Float64Array, tl: import('../list/timeline').Timelines) => {
    let bq = 0;
    let bv = Infinity;
    for (let q = 0; q < p.P; q++) {
      const d = p.wq[t * p.P + q];
      const v = tl.earliestStart(q, drt[q], d) + d + oct[t * p.P + q];
      if (v < bv) {
        bv = v;
        bq = q;
      }
    }
    return bq;
  };
  const algs: { name: string; base: Float64Array; run: (prio: Float64Array) => MakespanPlacement }[] = [
    { name: 'etf', base: p.bl, run: (pr) => etfPlacement(p, pr) },
    { name: 'heft', base: ru, run: (pr) => readyListSchedule(p, pr, true, eft) },
    { name: 'hlfet', base: p.bl, run: (pr) => readyListSchedule(p, pr, false, eft) },
    { name: 'peft', base: octRank, run: (pr) => readyListSchedule(p, pr, true, peftPick) },
    { name: 'cpop', base: cpPrio, run: (pr) => readyListSchedule(p, pr, true, (t, d, tl) => (onCp[t] ? 0 : eft(t, d, tl))) },
  ];
  let best: Best | null = null;
  for (const a of algs) {
    const pl = a.run(a.base);
    if (!best || pl.makespan < best.pl.makespan) best = { pl, from: a.name };
  }
  // Restarts of the three strongest on STG (ETF, HEFT, HLFET), while the budget lasts.
  const prio = new Float64Array(p.n);
  for (let k = 1; k <= maxRestarts && best!.pl.makespan > lowerBound && performance.now() - t0 < budgetMs; k++) {
    for (const a of algs.slice(0, 3)) {
      const pl = a.run(perturbPriorities(a.base, prio, seed, k));
      if (pl.makespan < best!.pl.makespan) best = { pl, from: `${a.name} (restart ${k})` };
    }
  }
  return best!;
}

function checkExactOptions(o: ExactOptions): void {
  const t = o.timeLimitSeconds;
  if (t !== undefined && !(typeof t === 'number' && t > 0 && Number.isFinite(t))) fail('--time-limit', `must be a number of seconds > 0, got ${t}`);
  if (o.method !== undefined && !['auto', 'bnb', 'time-indexed', 'disjunctive'].includes(o.method)) fail('method', `unknown exact method ${o.method}`);
  if (o.backend !== undefined && !['highs', 'jslp'].includes(o.backend)) fail('backend', `unknown MIP backend ${o.backend}`);
}

/** Solve the makespan problem exactly (within the time limit). */
export async function solveExact(g: TaskGraph, m: Machine, opts: ExactOptions = {}, name = 'ilp'): Promise<SolverResult> {
  checkExactOptions(opts);
  const t0 = performance.now();
  const limitMs = (opts.timeLimitSeconds ?? 10) * 1000;
  const deadline = t0 + limitMs;
  const left = () => (deadline - performance.now()) / 1000;
  const notes: string[] = [];
  const p = listProblem(g, m);
  const lb0 = lowerBounds(g, m, 'makespan').bound;
  let lb = lb0;
  const method = opts.method ?? 'auto';
  const backend: MilpBackend = opts.backend === 'jslp' ? jslpBackend : highsBackend;
  const warm = opts.warm ?? true;
  // The time-indexed model counts busy processors per time unit, which needs one duration per task.
  if (method === 'time-indexed' && p.hetero) fail(name, `${g.name} has per-processor durations; the time-indexed model takes identical processors only (use ilp, ilp-disj or bnb)`);

  let best: Best | null = null;
  if (warm) {
    const tl = performance.now();
    best = bestListPlacement(p, 0.1 * limitMs, opts.seed ?? 1, opts.restarts ?? 5000, lb);
    notes.push(`list schedules: best ${best.pl.makespan} (${best.from}), lower bound ${lb}, ${since(tl)} s`);
    if (opts.warmStart) {
      const ws = checked(g, m, opts.warmStart, 'warm start');
      const pl = placementOf(p, g, ws);
      if (pl.makespan < best.pl.makespan) best = { pl, from: 'warm start' };
    }
  }
  let proven = best !== null && best.pl.makespan <= lb;
  if (proven) notes.push(`the ${best!.from} schedule meets the lower bound ${lb}`);

  const consider = (pl: MakespanPlacement, from: string) => {
    if (!best || pl.makespan < best.pl.makespan) best = { pl, from };
  };

  let exported = false;
  const runMip = async (form: Formulation, seconds: number) => {
    if (opts.onModel) {
      opts.onModel(writeLp(form.model), form.kind);
      exported = true;
    }
    if (backend === jslpBackend && form.model.vars.length > JSLP_MAX_COLUMNS) {
      // Its dense tableau cannot be interrupted inside an LP and takes minutes on such models.
      notes.push(`${form.kind} MIP not run: ${form.model.vars.length} columns is too large for javascript-lp-solver (limit ${JSLP_MAX_COLUMNS})`);
      return;
    }
    const r = await backend.solve(form.model, {
      // HiGHS overshoots its limit by up to ~8 % in non-interruptible phases: keep a margin.
      timeLimitSeconds: Math.max(0.05, 0.9 * seconds),
      start: best && backend === highsBackend ? form.start : undefined,
      absGap: 0.999,
    });
    if (r.values) consider(form.decode(r.values), `${form.kind} MIP`);
    if (Number.isFinite(r.bound)) lb = Math.max(lb, Math.ceil(r.bound - 1e-6));
    if (r.status === 'optimal') {
      proven = true;
      if (best) lb = Math.max(lb, best.pl.makespan);
    }
    notes.push(
      `${form.kind} MIP (${backend.name}): ${r.status}, ${form.model.vars.length} columns, ${form.model.rows.length} rows` +
        `${r.nodes !== undefined ? `, ${r.nodes} nodes` : ''}, ${r.seconds.toFixed(2)} s${r.message ? ` (${r.message})` : ''}`,
    );
  };

  if (!proven) {
    if (!best) {
      // Cold start: the disjunctive model over the serial horizon (all tasks on one processor).
      const serial = serialPlacement(p);
      const form = disjunctiveModel({ p, lb, incumbent: serial });
      await runMip(form, left());
    } else if (method === 'bnb' || (method === 'auto' && (!p.hasComm || p.n > DISJUNCTIVE_MAX_TASKS || p.hetero))) {
      const tiOk = method === 'auto' && !p.hasComm && !p.hetero && tiFits(timeIndexedSize(p, best.pl.makespan));
      // Per-processor durations with communication: B&B first, then the disjunctive MIP.
      const disjOk = method === 'auto' && p.hetero && p.hasComm && p.n <= DISJUNCTIVE_MAX_TASKS;
      const bnb = (seconds: number, phase: string) => {
        if (proven || p.n > BNB_MAX_TASKS || seconds <= 0.01 || best!.pl.makespan <= lb) return;
        const t = performance.now();
        const r = branchAndBound(p, { incumbent: best!.pl, lowerBound: lb, deadline: t + seconds * 1000 });
        consider(r.best, 'branch and bound');
        if (r.proven) {
          proven = true;
          lb = Math.max(lb, best!.pl.makespan);
        } else lb = Math.max(lb, r.bound);
        notes.push(`branch and bound${phase}: ${r.proven ? 'search complete' : 'stopped'}, ${r.nodes} nodes, ${since(t)} s`);
      };
      if (!tiOk && !disjOk) bnb(left(), '');
      else {
        // Measured on STG-50 (README): most B&B proofs take < 1.5 s, the time-indexed MIP
        // needs the rest; a second B&B pass uses what the MIP leaves (with its better bound).
        // (Same split with the disjunctive MIP on per-processor durations with communication.)
        const L = left();
        bnb(Math.min((opts.bnbShare ?? 0.3) * L, 1.5 + 0.1 * L), ' (first pass)');
        if (!proven && best.pl.makespan > lb && left() > 0.05) {
          await runMip(tiOk ? timeIndexedModel({ p, lb, incumbent: best.pl }) : disjunctiveModel({ p, lb, incumbent: best.pl }), left());
        }
        bnb(left() - 0.02, ' (second pass)');
      }
    } else if (method === 'time-indexed') {
      if (p.hasComm) fail(name, 'the time-indexed model has no communication delays; use the disjunctive model');
      const size = timeIndexedSize(p, best.pl.makespan);
      if (size.binaries > 10 * TIME_INDEXED_MAX_BINARIES || size.rows > 10 * TIME_INDEXED_MAX_ROWS) {
        notes.push(`time-indexed MIP not built: ${size.binaries} binaries, about ${size.rows} rows (horizon ${best.pl.makespan})`);
      } else await runMip(timeIndexedModel({ p, lb, incumbent: best.pl }), left());
    } else {
      await runMip(disjunctiveModel({ p, lb, incumbent: best.pl }), left());
    }
  }
  if (best && best.pl.makespan <= lb) proven = true;
  if (opts.onModel && !exported && best) {
    // --export-lp: write the model the MIP stage would have solved, even if it was not needed.
    const ti = method !== 'disjunctive' && !p.hasComm && !p.hetero && tiFits(timeIndexedSize(p, best.pl.makespan));
    const inst = { p, lb: lb0, incumbent: best.pl };
    const form = ti ? timeIndexedModel(inst) : disjunctiveModel(inst);
    opts.onModel(writeLp(form.model), form.kind);
  }

  const seconds = (performance.now() - t0) / 1000;
  if (!best) {
    notes.push('no schedule found within the time limit');
    return { solver: name, status: 'timeout', schedule: null, value: null, bound: lb, gap: null, seconds, notes };
  }
  const b: Best = best;
  const schedule: Schedule = toSchedule(g, m, b.pl, name);
  const value = schedule.makespan!;
  if (proven) lb = value;
  notes.push(`best schedule from ${b.from}`);
  return { solver: name, status: proven ? 'optimal' : 'feasible', schedule, value, bound: lb, gap: gapOf(value, lb), seconds, notes };
}

const since = (t: number) => ((performance.now() - t) / 1000).toFixed(2);

/** A validated schedule as a placement, re-timed left (never longer). */
function placementOf(p: ListProblem, g: TaskGraph, s: Schedule): MakespanPlacement {
  const idx = new Map(g.tasks.map((t, i) => [t.id, i]));
  const proc = new Int32Array(p.n);
  const key = new Float64Array(p.n);
  for (const st of s.tasks) {
    const i = idx.get(st.id)!;
    proc[i] = st.processor;
    key[i] = st.start;
  }
  return semiActive(p, proc, key);
}

/** Everything on processor 0 in topological order (a trivially feasible horizon). */
function serialPlacement(p: ListProblem): MakespanPlacement {
  const proc = new Int32Array(p.n);
  const key = new Float64Array(p.n);
  for (let i = 0; i < p.n; i++) key[i] = p.pos[i];
  return semiActive(p, proc, key);
}

/** The options every exact solver reads (beyond the method and backend each one fixes). */
export const EXACT_OPTIONS = defineOptions({
  timeLimitSeconds: { type: 'number', above: 0, default: 10, description: 'whole-solve wall-clock limit, seconds' },
  seed: { type: 'integer', min: 0, default: 1, description: 'seed of the list-schedule restarts of the warm start' },
  restarts: { type: 'integer', min: 0, default: 5000, description: 'list-schedule restarts of the warm start (within 10 % of the time)' },
  warm: { type: 'boolean', default: true, description: 'start from list schedules (false: cold MIP)' },
  bnbShare: { type: 'number', min: 0, max: 1, default: 0.3, description: 'auto: share of the time of the first branch-and-bound pass' },
});

/** Solver wrappers around solveExact with a fixed method/backend. */
export function exactSolver(name: string, description: string, fixed: Partial<ExactOptions>): Solver {
  return {
    name,
    objective: 'makespan',
    kind: 'exact',
    description,
    options: EXACT_OPTIONS,
    solve: async (g, m, opts = {}) => solveExact(g, m, { ...opts, ...fixed }, name),
  };
}
