/**
 * SpikePipe (the proposed method; README, The model): the fine-grained training graph — F_l,
 * Ba1_l, Ba2_l, Bw_l, U_l, Loss, each GEMM on its best dataflow — scheduled periodically on N
 * processors with per-layer delays, every task free to go to any processor.
 *
 * Delays. 'minimal' (default): the weight loops are free while placing; d_l is the smallest
 * delay the placement needs, read off it. Then the remaining graph is a DAG and every
 * assignment with per-processor load ≤ P and every link carrying ≤ P cycles of bytes per
 * iteration (the link model, lib/model/metrics/communication.ts) is schedulable at period P
 * (solvers/periodic/assignment.ts), so the period is the optimum over assignments of
 * max(largest load, link bound). The P||Cmax packing optimum of the task cycles on N
 * processors (links ignored) is a lower bound on it — equal to it when some packing-optimal
 * assignment fits its links, which is the usual case with the default 64 B/cycle links — and
 * that, not the iteration bound, is the binding lower bound. '2S': d_l = 2·S(l)
 * (LayerPipe2) with S(l) the number of PipeDream stages after layer l's stage (PipeDream's
 * planner on the same N; our choice, as SpikePipe's tasks have no stages of their own); the
 * loops then bind and a placement may need a period above its load.
 *
 * Solvers, all run, best kept:
 *  1. retiming-plus-assignment (assignment.ts), seeded with PipeDream's and GPipe's stage
 *     assignments of the fine tasks (every task on its layer's stage processor) — so the period
 *     is never above PipeDream's (fine tasks on 'best' dataflows cost at most PipeDream's
 *     'spec' ones and loads add up the same; the links carry the same tensors: the cut layer's
 *     spikes forward, its gradient backward) nor, in practice, GPipe's;
 *  2. iterative modulo list scheduling (modulo.ts), processor chosen by earliest start and by
 *     fewest crossing bytes, searched from the lower bound upward;
 *  3. the modulo scheduler again at the best period found by 1 (it often reaches it with
 *     shorter loops).
 * Ranking: the smallest period, then Σ d_l, then crossing bytes — with `periodTolerance`
 * (default 0.001) candidates within 0.1 % of the smallest period compete on staleness first,
 * then bytes, never above PipeDream's or GPipe's period. Every candidate is validated; an
 * invalid one is a bug.
 *
 * Budgets (budget.ts): `maxCommOverhead` caps the crossing bytes in every solver above (the
 * assignment searches, the modulo scheduler; the MILP in spikepipe-ilp); `maxStaleness` makes
 * the loop delays fixed at the cap while placing, then reads the smallest d_l ≤ cap off the
 * placement; `maxMemoryBytes` keeps only candidate placements whose simulated peak fits.
 * PipeDream's own assignment crosses exactly PipeDream's bytes and is placeable at PipeDream's
 * staleness, so under (overhead ≥ 0, d ≤ PipeDream's) SpikePipe is never slower than PipeDream.
 *
 * Options: delayRule, granularity 'layer' (default) | 'timestep' | 'auto' (both, the better
 * kept), periodTolerance, nodeLimit, offsetEvals, and the budgets.
 */
import { isHeterogeneous, onAssignment } from '../../lib/model/durations';
import type { Machine, TaskGraph } from '../../lib/model/types';
import { buildTrainingGraph, type Granularity } from '../../lib/model/graph/training';
import { staleness2S } from '../../lib/model/graph/delays';
import { withStaleness } from '../../lib/model/graph/taskgraph';
import { validate } from '../../lib/model/schedule/validate';
import { trainingRecipe, type GraphRecipe } from '../../lib/model/graph/recipe';
import { fail } from '../../lib/model/errors';
import { BUDGET_OPTIONS, describeBudget, hasBudget, peakMemory, resolveBudget, type ResolvedBudget } from './budget';
import { defineOptions, type OptionsOf } from '../options';
import { defineMethod, type PipelineContext } from './method';
import { pipedream } from './pipedream';
import { gpipe } from './gpipe';
import { assignAndRetime } from '../periodic/assignment';
import { moduloPlaceAt, moduloSchedule, type ProcChoice } from '../periodic/modulo';
import { compactLoops, type BindingCycle } from '../periodic/retiming';
import { improveOffsets, offsetEvalsFor } from '../periodic/offsets';
import { minimalStaleness, periodicSchedule, type PeriodicPlacement } from '../../lib/model/schedule/placement';
import { periodWindow, pickCandidate, qualityOf, type Quality } from '../periodic/quality';
import { fineResult } from './spikepipe-result';
import { maxOf, minOf } from '../../lib/model/extrema';

export const SPIKEPIPE_OPTIONS = defineOptions({
  delayRule: {
    type: 'enum',
    values: ['minimal', '2S', 'pipedream'],
    default: 'minimal',
    description: "minimal: the smallest delays the schedule needs; 2S: LayerPipe2's d_l = 2·(PipeDream stages after l); pipedream: PipeDream's own d_l at the same N",
  },
  granularity: { type: 'enum', values: ['layer', 'timestep', 'auto'], default: 'layer', description: 'tasks per layer, per timestep, or both with the better kept (auto)' },
  periodTolerance: { type: 'number', min: 0, default: 0.001, description: 'relative period slack inside which candidates compete on staleness, then crossing bytes' },
  nodeLimit: { type: 'integer', min: 0, default: 200_000, description: 'node limit of the branch-and-bound assignment searches (0 = skip them)' },
  offsetEvals: { type: 'integer', min: 0, default: 3000, description: 'evaluations of the offset search that shortens the loops (0 = off)' },
  ...BUDGET_OPTIONS,
});

export type SpikePipeOptions = OptionsOf<typeof SPIKEPIPE_OPTIONS>;
export type { SpikePipeDetails } from './spikepipe-result';

/** One legal candidate schedule of the fine graph. */
export interface FineCandidate {
  solver: string;
  placement: PeriodicPlacement;
  staleness: number[];
  quality: Quality;
}

export interface SpikePipePlan {
  /** The fine graph as built (loop delays 1 + d_l of the rule; all 1 with 'minimal'). */
  base: TaskGraph;
  recipe: GraphRecipe;
  granularity: Granularity;
  /** The delay rule the plan was made with. */
  rule: 'minimal' | '2S' | 'pipedream';
  /** Loops ignored while placing ('minimal' without a staleness budget). */
  freeLoops: boolean;
  /** d_l read off each placement ('minimal', free or under a staleness cap) rather than fixed by a rule. */
  readOff: boolean;
  budget: ResolvedBudget;
  /** Whether `periodBound` takes the budgets into account (see AssignResult.boundUnderBudget). */
  boundUnderBudget: boolean;
  candidates: FineCandidate[];
  chosen: number;
  /** P||Cmax bound of the task cycles (links ignored): a valid lower bound, see AssignResult. */
  packingBound: number;
  packingOptimal: boolean;
  /** The packing bound with tensors too heavy for a link kept local (assignment.ts `linkAwareLowerBound`). */
  linkBound: number;
  /** Proven lower bound on the period of the fine graph on this machine, links included. */
  periodBound: number;
  /** The assignment solver proved its period optimal (free loops). */
  periodOptimal: boolean;
  pipedreamPeriod: number;
  gpipePeriod: number;
  /** Stage of every layer (0-based) in PipeDream's plan. */
  pipedreamStages: number[];
  binding?: BindingCycle;
  notes: string[];
}

/** Every task of a layer graph on its layer's stage processor (the Loss with the last layer). */
export function stageAssignment(g: TaskGraph, stageOfLayer: readonly number[]): number[] {
  return g.tasks.map((t) => stageOfLayer[(t.kind === 'Loss' || t.layer < 1 ? g.layers : t.layer) - 1]);
}

function layerStages(stages: readonly (readonly [number, number])[], L: number): number[] {
  const out = new Array<number>(L).fill(0);
  stages.forEach(([a, b], k) => {
    for (let l = a; l <= b; l++) out[l - 1] = k;
  });
  return out;
}

const within = (d: readonly number[], cap: readonly number[] | null) => cap === null || d.every((x, l) => x <= cap[l]);

/**
 * Staleness and placement of a candidate: with read-off delays, loops compacted and the
 * smallest d_l read off (under a cap: the compacted loops only where every d_l stays within
 * it — the uncompacted placement already does, being legal at the cap); fixed delays as given.
 */
export function finishCandidate(g: TaskGraph, m: Machine, solver: string, pl: PeriodicPlacement, readOff: boolean, fixed: number[], cap: readonly number[] | null = null): FineCandidate {
  if (!readOff) return { solver, placement: pl, staleness: fixed.slice(), quality: qualityOf(g, pl, fixed) };
  let placement = compactLoops(g, m, pl, true);
  let staleness = minimalStaleness(g, m, placement);
  if (!within(staleness, cap)) {
    placement = pl;
    staleness = minimalStaleness(g, m, pl);
  }
  return { solver, placement, staleness, quality: qualityOf(g, placement, staleness) };
}

/** A plan whose candidates all exceed the memory budget: the smallest peak among them. */
class MemoryShortfall extends Error {
  constructor(
    readonly smallestPeak: number,
    readonly candidates: number,
    readonly largestStaleness: number,
  ) {
    super(`memory budget not met (smallest peak ${smallestPeak} B)`);
  }
}

/** The candidates whose peak memory fits `max`; a MemoryShortfall when none does. */
function fitMemory(candidates: FineCandidate[], peak: (c: FineCandidate) => number, max: number): FineCandidate[] {
  const peaks = candidates.map(peak);
  const fit = candidates.filter((_, i) => peaks[i] <= max);
  if (fit.length === 0) throw new MemoryShortfall(minOf(peaks), candidates.length, maxOf(candidates.flatMap((c) => c.staleness), 0));
  return fit;
}

/**
 * The plan within a memory budget: as given, or — when no candidate's peak fits and the delays
 * are the minimal rule's without a staleness cap — again under a uniform staleness cap K, from
 * one below the stalest candidate's largest d_l down to 0: fewer weight versions stashed and
 * activations held. An InputError names the budget and the smallest peak seen when nothing fits.
 */
export async function spikepipePlanWithinMemory(ctx: PipelineContext, opts: SpikePipeOptions): Promise<SpikePipePlan> {
  const max = opts.maxMemoryBytes;
  let smallest = Infinity;
  let tried = 0;
  let K = Infinity;
  for (;;) {
    try {
      const plan = await spikepipePlan(ctx, K === Infinity ? opts : { ...opts, maxStaleness: K });
      if (K !== Infinity) plan.notes.push(`memory budget: met under a staleness cap of ${K} (without one no candidate's peak fit ${max} B)`);
      return plan;
    } catch (err) {
      if (!(err instanceof MemoryShortfall)) throw err;
      smallest = Math.min(smallest, err.smallestPeak);
      tried += err.candidates;
      const canTighten = opts.delayRule === 'minimal' && opts.maxStaleness === undefined;
      K = Math.min(K, err.largestStaleness) - 1;
      if (!canTighten || K < 0) fail('maxMemoryBytes', `no schedule found within ${max} B per processor; the smallest peak among the ${tried} candidate schedules tried is ${smallest} B`);
    }
  }
}

/**
 * Build the fine graph and run every solver (see the module comment). PipeDream's and GPipe's
 * results on the same cell come from `ctx.use` (computed once per cell by the caller).
 */
export async function spikepipePlan(ctx: PipelineContext, opts: SpikePipeOptions): Promise<SpikePipePlan> {
  const granularity = opts.granularity;
  if (granularity === 'auto') return bestGranularity(ctx, opts);
  const m = ctx.machine;
  const L = ctx.net.weightLayers.length;
  const rule = opts.delayRule;
  const notes: string[] = [];

  const pd = await ctx.use(pipedream);
  const pdStages = layerStages(pd.details.stages, L);
  const gp = await ctx.use(gpipe);
  const gpStages = layerStages(gp.details.stages, L);
  const budget = resolveBudget(ctx, opts, pd);
  const cap = budget.staleness;
  if (cap && rule !== 'minimal') fail('maxStaleness', `caps the delays of the minimal rule; the ${rule} rule fixes them (use delayRule minimal)`);
  const readOff = rule === 'minimal';
  const freeLoops = readOff && cap === null;
  // '2S': LayerPipe2's rule on PipeDream's stages; 'pipedream': no staler than PipeDream at this N
  // (its per-layer staleness as fixed loop delays — PipeDream's own assignment stays a candidate);
  // a staleness budget: the loops placed against the cap, d_l read off afterwards.
  const fixed = cap ? cap.slice() : freeLoops ? new Array<number>(L).fill(0) : rule === '2S' ? staleness2S(pdStages) : pd.staleness.slice();
  const recipe = trainingRecipe('spikepipe', granularity, ctx.net.spec.batch, 'best');
  const base = buildTrainingGraph(ctx.net, ctx.hw, { ...recipe, staleness: fixed });
  const maxBytes = budget.maxBytes;

  const candidates: FineCandidate[] = [];
  const seeds = [
    { name: 'pipedream-stages', proc: stageAssignment(base, pdStages) },
    { name: 'gpipe-stages', proc: stageAssignment(base, gpStages) },
  ];
  const tol = opts.periodTolerance;
  const assign = assignAndRetime(base, m, { freeLoops, seeds, periodTolerance: tol, nodeLimit: opts.nodeLimit, maxBytes });
  let packingBound = 0;
  let packingOptimal = false;
  let linkBound = 0;
  let periodBound = 0;
  let periodOptimal = false;
  let boundUnderBudget = maxBytes === Infinity;
  let binding: BindingCycle | undefined;
  if (assign) {
    for (const p of assign.placed) {
      candidates.push(cap ? finishCandidate(onAssignment(base, m, p.placement.proc), m, `assignment:${p.name}`, p.placement, true, fixed, cap) : { solver: `assignment:${p.name}`, placement: p.placement, staleness: p.staleness, quality: p.quality });
    }
    boundUnderBudget = assign.boundUnderBudget;
    packingBound = assign.packingBound;
    packingOptimal = assign.packingOptimal;
    linkBound = assign.linkBound;
    periodBound = assign.periodBound;
    periodOptimal = assign.periodOptimal;
    binding = assign.binding;
  }
  // The modulo scheduler chooses processors for identical ones: on per-processor durations
  // only the assignment search runs (its candidates include PipeDream's and GPipe's stages).
  const hetero = isHeterogeneous(base);
  if (hetero) notes.push('per-processor durations: assignment search only (the modulo scheduler assumes identical processors)');
  const choices: ProcChoice[] = hetero ? [] : ['earliest', 'bytes'];
  // Without a memory budget a modulo placement above the assignment's best period (beyond the
  // tolerance) can never be picked (pickCandidate's window), so its period search stops there:
  // on large graphs that saves most of the modulo scheduler's tries, and the choice is unchanged.
  const assigned = assign && budget.maxMemoryBytes === Infinity ? assign.placed.reduce((x, p) => Math.min(x, p.placement.period), Infinity) : Infinity;
  const maxPeriod = assigned < Infinity ? { maxPeriod: Math.floor(assigned * (1 + tol) + 1e-9) } : {};
  for (const pc of choices) {
    const r = moduloSchedule(base, m, { freeLoops, procChoice: pc, maxBytes, ...maxPeriod });
    if (r.placement) candidates.push(finishCandidate(base, m, `modulo:${pc}`, r.placement, readOff, fixed, cap));
  }
  if (assign) {
    const P = assign.placement.period;
    for (const pc of choices) {
      const pl = moduloPlaceAt(base, m, P, { freeLoops, procChoice: pc, maxBytes });
      if (pl) candidates.push(finishCandidate(base, m, `modulo@best:${pc}`, pl, readOff, fixed, cap));
    }
  }
  if (candidates.length === 0) {
    throw new Error(`spikepipe: no solver placed ${base.name} on ${m.procs} processors (bug: PipeDream's assignment always works)`);
  }
  const graphOf = (c: FineCandidate) => (readOff ? withStaleness(base, c.staleness) : base);
  const scheduleOf = (c: FineCandidate) => periodicSchedule(graphOf(c), c.placement, { procs: ctx.procs, method: 'spikepipe', staleness: c.staleness });
  // Every candidate must validate against its own graph and meet the budgets.
  for (const c of candidates) {
    const v = validate(graphOf(c), m, scheduleOf(c));
    if (!v.valid) {
      throw new Error(`spikepipe: candidate ${c.solver} is invalid (bug): ${v.violations.slice(0, 3).map((x) => x.message).join('; ')}`);
    }
    if (c.quality.bytes > maxBytes || !within(c.staleness, cap)) throw new Error(`spikepipe: candidate ${c.solver} breaks its budget (bug)`);
  }
  const fitsMemory = (c: FineCandidate) => budget.maxMemoryBytes === Infinity || peakMemory(graphOf(c), m, scheduleOf(c)) <= budget.maxMemoryBytes;
  const fitting = budget.maxMemoryBytes === Infinity ? candidates : fitMemory(candidates, (c) => peakMemory(graphOf(c), m, scheduleOf(c)), budget.maxMemoryBytes);
  const limit = Math.min(pd.period, gp.period);
  if (readOff) {
    // Shorter loops (period and bytes unchanged; within the budgets) for every candidate that can
    // still win: staleness decides among them, and the offset search changes it.
    const window = periodWindow(fitting.map((c) => c.quality), tol, limit);
    const improving = fitting.filter((c) => c.quality.period <= window).length;
    const evals = offsetEvalsFor(base, opts.offsetEvals, improving);
    if (evals < opts.offsetEvals) notes.push(`offset search limit hit: ${evals} evaluations for each of ${improving} candidates instead of ${opts.offsetEvals} on this graph of ${base.tasks.length} tasks and ${base.edges.length} edges (period unchanged; Σ d_l may be larger)`);
    fitting.forEach((c, i) => {
      if (c.quality.period > window) return;
      const better = improveOffsets(onAssignment(base, m, c.placement.proc), m, c.placement, evals);
      const q = qualityOf(base, better.placement, better.staleness);
      const next: FineCandidate = { solver: `${c.solver}+offsets`, placement: better.placement, staleness: better.staleness, quality: q };
      if (q.period === c.quality.period && q.staleness < c.quality.staleness && within(better.staleness, cap) && fitsMemory(next)) {
        candidates[candidates.indexOf(c)] = next;
        fitting[i] = next;
      }
    });
  }
  const chosen = candidates.indexOf(fitting[pickCandidate(fitting.map((c) => c.quality), tol, limit)]);
  if (hasBudget(opts)) notes.push(`budget: ${describeBudget(opts)}${maxBytes < Infinity ? ` (at most ${maxBytes} B crossing per iteration; PipeDream crosses ${budget.pipedreamBytes} B of ${budget.totalCommunication} B in all)` : ''}`);
  const best = candidates[chosen];
  if (best.quality.period > pd.period) notes.push(`period ${best.quality.period} above PipeDream's ${pd.period} (bug: its stage assignment is a candidate)`);
  if (best.quality.period > gp.period) notes.push(`period ${best.quality.period} above GPipe's ${gp.period}`);
  return {
    base,
    recipe,
    granularity,
    freeLoops,
    readOff,
    budget,
    boundUnderBudget,
    rule,
    candidates,
    chosen,
    packingBound,
    packingOptimal,
    linkBound,
    periodBound,
    periodOptimal,
    pipedreamPeriod: pd.period,
    gpipePeriod: gp.period,
    pipedreamStages: pdStages,
    binding,
    notes,
  };
}

/**
 * granularity 'auto': plan at 'layer' and at 'timestep' granularity and keep the plan whose
 * chosen schedule ranks first (pickCandidate, same tolerance). Per-timestep GEMMs use the array
 * worse (more total work) but split the largest tasks, which pays when one task bounds the
 * period. Twice the work of one plan.
 */
async function bestGranularity(ctx: PipelineContext, opts: SpikePipeOptions): Promise<SpikePipePlan> {
  const plans: SpikePipePlan[] = [];
  for (const granularity of ['layer', 'timestep'] as const) plans.push(await spikepipePlan(ctx, { ...opts, granularity }));
  const tol = opts.periodTolerance;
  const k = pickCandidate(
    plans.map((p) => p.candidates[p.chosen].quality),
    tol,
  );
  const other = plans[1 - k];
  plans[k].notes.push(
    `granularity auto: ${plans[k].granularity} chosen (period ${plans[k].candidates[plans[k].chosen].quality.period}; ` +
      `${other.granularity}: ${other.candidates[other.chosen].quality.period})`,
  );
  return plans[k];
}

export const spikepipe = defineMethod({
  name: 'spikepipe',
  title: 'SpikePipe',
  description:
    'SpikePipe: fine-grained tasks (F, Ba1, Ba2, Bw, U, Loss) on their best dataflows, assigned to processors to minimise the period (retiming-plus-assignment and modulo scheduling), per-layer delays',
  kind: 'search',
  options: SPIKEPIPE_OPTIONS,
  async run(ctx, options) {
    const t0 = performance.now();
    const plan = await spikepipePlanWithinMemory(ctx, options);
    return fineResult('spikepipe', ctx, plan, plan.candidates[plan.chosen], { seconds: (performance.now() - t0) / 1000 });
  },
});
