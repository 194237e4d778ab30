/**
 * The PipelineResult of a chosen SpikePipe candidate (shared by spikepipe and spikepipe-ilp):
 * the graph with the candidate's delays, its validated schedule, the lower bound that holds for
 * every schedule the method may return under its delay rule and budgets, and the typed details.
 *
 * Bounds. Fixed delays (2S, pipedream): the graph's own bounds (T∞ of its delays, work, longest
 * task) and the assignment bounds — valid for any schedule of that graph. Delays read off the
 * placement: the graph's T∞ holds only for the delays this schedule happened to need, so it is
 * left out; the bound is the work, the longest task, the assignment bounds (packing, heavy
 * tensors, the link-aware optimum) and, under a staleness cap, T∞ of the graph at the cap.
 * `boundUnderBudget` says whether that bound took every active budget into account.
 */
import type { Schedule } from '../../lib/model/types';
import type { Granularity } from '../../lib/model/graph/training';
import { withStaleness } from '../../lib/model/graph/taskgraph';
import { validate } from '../../lib/model/schedule/validate';
import { lowerBounds } from '../../lib/model/bounds';
import { linkPeriodBound } from '../../lib/model/metrics/communication';
import { periodicSchedule } from '../../lib/model/schedule/placement';
import { crossingBytes } from '../periodic/assignment-cost';
import type { PipelineContext, PipelineResult } from './method';
import type { FineCandidate, SpikePipeOptions, SpikePipePlan } from './spikepipe';

/** What SpikePipe's rows report beside the period (spikepipe-ilp adds `ilp`). */
export interface SpikePipeDetails {
  granularity: Granularity;
  dataflow: 'best';
  delayRule: SpikePipeOptions['delayRule'];
  /** The candidate chosen (`assignment:…`, `modulo:…`, `milp`, `+offsets`). */
  solver: string;
  crossingBytes: number;
  packingBound: number;
  packingOptimal: boolean;
  periodBound: number;
  linkCycles: number;
  boundParts: { iterationBound: number; work: number; longestTask: number; packing: number; heavyTensors: number; assignment: number };
  pipedreamPeriod: number;
  gpipePeriod: number;
  /** PipeDream's stage (1-based) of every layer. */
  pipedreamStages: number[];
  candidates: { solver: string; period: number; crossingBytes: number; stalenessSum: number }[];
  ilp?: { skipped: true; tasks: number } | { status: string; bound: number; gap: number; bytesOptimal: boolean; solves: unknown[]; seconds: number };
}

/** The PipelineResult of a chosen candidate (shared with spikepipe-ilp). */
export function fineResult(
  method: string,
  ctx: PipelineContext,
  plan: SpikePipePlan,
  pick: FineCandidate,
  extra: { status?: PipelineResult['status']; bound?: number; boundUnderBudget?: boolean; ilp?: SpikePipeDetails['ilp']; notes?: string[]; seconds: number },
): PipelineResult<SpikePipeDetails> {
  const m = ctx.machine;
  const graph = plan.readOff ? withStaleness(plan.base, pick.staleness) : plan.base;
  const schedule: Schedule = periodicSchedule(graph, pick.placement, { procs: ctx.procs, method, staleness: pick.staleness });
  const v = validate(graph, m, schedule);
  if (!v.valid) throw new Error(`${method}: invalid schedule (bug): ${v.violations.slice(0, 3).map((x) => x.message).join('; ')}`);
  const lb = lowerBounds(graph, m, 'periodic');
  const atCap = plan.readOff && !plan.freeLoops ? lowerBounds(plan.base, m, 'periodic').bound : 0;
  const graphBound = plan.readOff ? Math.max(lb.workBound, lb.longestTask, atCap) : lb.bound;
  const bound = Math.max(graphBound, plan.periodBound, extra.bound ?? 0);
  const budgeted = plan.budget.maxBytes < Infinity || plan.budget.staleness !== null || plan.budget.maxMemoryBytes < Infinity;
  const underBudget = plan.budget.maxMemoryBytes === Infinity && (extra.boundUnderBudget ?? plan.boundUnderBudget);
  const period = pick.placement.period;
  const links = linkPeriodBound(graph, m, pick.placement.proc);
  const notes = [...plan.notes, ...(extra.notes ?? [])];
  if (plan.freeLoops && bound > graphBound) {
    const what =
      bound === plan.packingBound
        ? `the packing (P||Cmax) bound of the task cycles on ${ctx.procs} processors`
        : bound === plan.linkBound
          ? `the packing bound with every tensor too heavy for a link within the period kept on one processor (links bind; the plain packing bound is ${plan.packingBound})`
          : bound === plan.periodBound
            ? `the optimum over assignments of max(largest load, busiest link), found by exhaustive search (the packing bound ${plan.packingBound} is out of reach: links bind)`
            : 'proven by the MILP (loads and links)';
    notes.push(`minimal delays: the loops do not bind; the bound ${bound} is ${what}`);
  }
  if (plan.binding && plan.binding.loops.length > 0) {
    notes.push(`with the ${plan.rule} delays the loop of layer ${plan.binding.loops.join(', ')} binds at the packing load (cycle ${plan.binding.tasks.join('→')}); the period grows until it closes`);
  }
  const details: SpikePipeDetails = {
    granularity: plan.granularity,
    dataflow: 'best',
    delayRule: plan.rule,
    solver: pick.solver,
    crossingBytes: crossingBytes(graph, pick.placement.proc),
    packingBound: plan.packingBound,
    packingOptimal: plan.packingOptimal,
    periodBound: plan.periodBound,
    linkCycles: links,
    boundParts: { iterationBound: lb.iterationBound, work: lb.workBound, longestTask: lb.longestTask, packing: plan.packingBound, heavyTensors: plan.linkBound, assignment: plan.periodBound },
    pipedreamPeriod: plan.pipedreamPeriod,
    gpipePeriod: plan.gpipePeriod,
    pipedreamStages: plan.pipedreamStages.map((s) => s + 1),
    candidates: plan.candidates.map((c) => ({ solver: c.solver, period: c.quality.period, crossingBytes: c.quality.bytes, stalenessSum: c.quality.staleness })),
  };
  if (extra.ilp) details.ilp = extra.ilp;
  return {
    method,
    graph,
    recipe: plan.recipe,
    schedule,
    period,
    staleness: pick.staleness,
    status: extra.status ?? (period <= bound ? 'optimal' : 'feasible'),
    bound,
    // Fixed delays: bounds of this graph. Read-off delays: bounds of the problem (see the module comment).
    boundScope: plan.readOff ? 'problem' : 'graph',
    ...(budgeted ? { boundUnderBudget: underBudget } : {}),
    details,
    notes,
    solverSeconds: extra.seconds,
  };
}

