/**
 * SpikePipe with the exact period search: the heuristics of `spikepipe` first (their best
 * schedule is the incumbent and the top of the search), then the period-feasibility MILP
 * (solvers/periodic/period-ilp.ts, HiGHS; load rows and the link rows of the link model)
 * binary-searched between the lower bound and the
 * incumbent's period, then — time permitting, free loops — a crossing-bytes MILP at the final
 * period warm-started from the best assignment. Ranking is strictly lexicographic
 * (period, crossing bytes, Σ d_l): this method is for proving the period.
 *
 * Reports: status 'optimal' when the search closed (the period is proven minimal for this
 * graph and delay rule), 'feasible' when the time limit (`timeLimitSeconds`, default 10 s per
 * cell, for the MILP part) cut it; `bound` = the smallest period proven infeasible plus one, or
 * the lower bound; details.ilp = the solves, gap and whether the bytes are proven minimal.
 *
 * Graphs above MAX_ILP_TASKS tasks are not given to the MILP: the result is the heuristic one,
 * status 'feasible', with the note "graph too large for the MILP (n tasks > 40): heuristic
 * result".
 */
import { isHeterogeneous } from '../../lib/model/durations';
import { defineMethod } from './method';
import { defineOptions } from '../options';
import { LIMITS } from '../../lib/model/limits';
import { lowerBounds } from '../../lib/model/bounds';
import { SPIKEPIPE_OPTIONS, finishCandidate, spikepipePlanWithinMemory, type FineCandidate } from './spikepipe';
import { peakMemory } from './budget';
import { withStaleness } from '../../lib/model/graph/taskgraph';
import { periodicSchedule } from '../../lib/model/schedule/placement';
import { fineResult } from './spikepipe-result';
import { periodIlp } from '../periodic/period-ilp';
import { improveOffsets } from '../periodic/offsets';
import { compareQuality, qualityOf } from '../periodic/quality';

/** Largest graph handed to the MILP. */
export const MAX_ILP_TASKS = 40;

const { periodTolerance: _strict, ...heuristicOptions } = SPIKEPIPE_OPTIONS;

export const spikepipeIlp = defineMethod({
  name: 'spikepipe-ilp',
  title: 'SpikePipe-ILP',
  description: `SpikePipe with the period proven by a MILP (HiGHS, binary search on P; graphs up to ${MAX_ILP_TASKS} tasks)`,
  kind: 'exact',
  // SpikePipe's options but the period tolerance: this method ranks strictly by period.
  options: defineOptions({
    ...heuristicOptions,
    timeLimitSeconds: { type: 'number', above: 0, max: LIMITS.timeLimitSeconds, default: 10, description: 'wall-clock limit of the MILP part, seconds' },
  }),
  async run(ctx, options) {
    const t0 = performance.now();
    const { timeLimitSeconds, ...rest } = options;
    const plan = await spikepipePlanWithinMemory(ctx, { ...rest, periodTolerance: 0 });
    const g = plan.base;
    const m = ctx.machine;
    const n = g.tasks.length;
    let best: FineCandidate = plan.candidates[plan.chosen];
    if (isHeterogeneous(g)) {
      return fineResult('spikepipe-ilp', ctx, plan, best, {
        status: 'feasible',
        notes: ['per-processor durations: the period MILP assumes identical processors; heuristic result'],
        ilp: { skipped: true, tasks: n },
        seconds: (performance.now() - t0) / 1000,
      });
    }
    if (n > MAX_ILP_TASKS) {
      return fineResult('spikepipe-ilp', ctx, plan, best, {
        status: 'feasible',
        notes: [`graph too large for the MILP (${n} tasks > ${MAX_ILP_TASKS}): heuristic result`],
        ilp: { skipped: true, tasks: n },
        seconds: (performance.now() - t0) / 1000,
      });
    }
    // With free loops the graph's own T∞ (loops at delay 1) is no bound: only the assignment
    // one is (packing, or loads and links together when the assignment search proved it).
    const lb = Math.max(plan.freeLoops ? 0 : lowerBounds(g, m, 'periodic').bound, plan.periodBound, 1);
    const budget = plan.budget;
    const ilp = await periodIlp(g, m, {
      freeLoops: plan.freeLoops,
      lowerBound: lb,
      incumbent: best.placement,
      timeLimitSeconds,
      ...(budget.maxBytes < Infinity ? { maxBytes: budget.maxBytes } : {}),
    });
    const cap = budget.staleness;
    const fixed = plan.readOff ? (cap ?? []) : best.staleness;
    const cand = finishCandidate(g, m, 'milp', ilp.placement, plan.readOff, fixed, cap);
    const fits = (c: FineCandidate) => {
      if (c.quality.bytes > budget.maxBytes || (cap && c.staleness.some((d, l) => d > cap[l]))) return false;
      if (budget.maxMemoryBytes === Infinity) return true;
      const gc = plan.readOff ? withStaleness(g, c.staleness) : g;
      return peakMemory(gc, m, periodicSchedule(gc, c.placement, { procs: ctx.procs, method: 'spikepipe-ilp', staleness: c.staleness })) <= budget.maxMemoryBytes;
    };
    if (compareQuality(cand.quality, best.quality) < 0 && fits(cand)) best = cand;
    if (plan.readOff) {
      const better = improveOffsets(g, m, best.placement);
      const q = qualityOf(g, better.placement, better.staleness);
      const next: FineCandidate = { solver: `${best.solver}+offsets`, placement: better.placement, staleness: better.staleness, quality: q };
      if (q.period === best.quality.period && q.staleness < best.quality.staleness && fits(next)) best = next;
    }
    const notes: string[] = [];
    if (ilp.status !== 'optimal') notes.push(`MILP time limit reached: period not proven minimal (bound ${ilp.bound}, gap ${(ilp.gap * 100).toFixed(2)} %)`);
    return fineResult('spikepipe-ilp', ctx, plan, best, {
      status: ilp.status === 'optimal' && best.quality.period <= ilp.placement.period ? 'optimal' : 'feasible',
      bound: ilp.bound,
      // The MILP carried the byte and staleness budgets: its bound holds under them (memory aside).
      boundUnderBudget: true,
      notes,
      ilp: {
        status: ilp.status,
        bound: ilp.bound,
        gap: ilp.gap,
        bytesOptimal: ilp.bytesOptimal,
        solves: ilp.solves,
        seconds: ilp.seconds,
      },
      seconds: (performance.now() - t0) / 1000,
    });
  },
});
