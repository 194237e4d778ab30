/**
 * The optimal synchronous schedule on a given partition, with its proof. The partition is 1F1B's
 * best shape (sync-search.ts with 1f1b.ts's rules: S ranks, m micro-batches, S contiguous chunks,
 * chunk s on rank s), or the shape the options fix. On that partition the chunk graph is built with
 * the backward split (B = input gradient, W = weight gradient; lib/model/graph/chunks.ts): a whole
 * backward is the split one run back to back, so the optimum here is at most every split- or
 * whole-backward schedule on these chunks and ranks — 1F1B's, Zero Bubble's, any torch action list.
 *
 * The flush loops U_c → F_c^j, U_c → B_c^j keep delay 1 (d = 0: synchronous), the assignment is
 * FIXED to the chunks' ranks, and a MILP searches every start time: by default the flush-window
 * model (sync-milp.ts: one chunk per rank puts each rank's iteration inside one window ≤ P, so P
 * is a variable of one disjunctive MILP), or, with `formulation: 'period-ilp'`, the general modular
 * period MILP (solvers/periodic/period-ilp.ts with `fixedProc`, binary search on P; far slower —
 * its infeasibility proofs took 17–28 s on a 14-task graph the window model closes in 1–3 s). The
 * incumbent is 1F1B's action lists on the split graph, timed exactly (at most 1F1B's own period)
 * and improved by moving actions on their ranks (sync-milp.ts `improveSequences`); the bottom is
 * max(the graph's lower bound, the busiest rank's load).
 *
 * Status 'optimal' when the MILP closed (no synchronous schedule on this partition has a smaller
 * period), 'feasible' when the time limit cut it (bound and gap say how far). Graphs above
 * MAX_SYNC_OPTIMAL_TASKS tasks are declined: the incumbent is returned unproven with a note saying
 * so. The bound holds for this partition only (boundScope 'problem'). details.orders are the
 * optimum's action lists in torch's grammar; details.selfTimedPeriod is what they give when each
 * action runs as soon as it can (torch's runtime), which may exceed the optimum if it idles a rank
 * on purpose.
 */
import { stagesOnAssignment } from '../../lib/model/durations';
import { fail } from '../../lib/model/errors';
import { lowerBounds } from '../../lib/model/bounds';
import { layerRanges } from '../../lib/model/graph/recipe';
import { minimalStaleness, periodicSchedule, type PeriodicPlacement } from '../../lib/model/schedule/placement';
import type { Machine } from '../../lib/model/types';
import type { ChunkGraph } from '../../lib/model/graph/chunks';
import { defineOptions } from '../options';
import { LIMITS } from '../../lib/model/limits';
import { defineMethod, type PipelineContext } from './method';
import { oneFOneBOrders } from './1f1b';
import { actionSchedule, bubbleFraction, formatAction, ordersOfStarts, sequencesOf, type Action } from './actions';
import { improveSequences, windowMilp, windowTiming } from './sync-milp';
import { microBatchChoices } from './micro-batches';
import { searchSync, syncCandidate, syncChunkGraph, type SyncCandidate, type SyncRules } from './sync-search';
import { periodIlp, type IlpSolve } from '../periodic/period-ilp';
import { maxOf } from '../../lib/model/extrema';

/** Largest chunk graph handed to the MILP (its order rows grow with the square of a rank's tasks). */
export const MAX_SYNC_OPTIMAL_TASKS = 60;

const ONE_F_ONE_B: SyncRules = { splitW: false, rankOf: (c) => c, orders: oneFOneBOrders };

export interface SyncOptimalDetails {
  stages: [number, number][];
  rankOfChunk: number[];
  ranks: number;
  chunksPerRank: number;
  processorsUsed: number;
  bubble: number;
  /** 1F1B at this shape, whole backwards (its own method's period when the shape is its best). */
  oneFOneBPeriod: number;
  /** 1F1B's lists on the split graph, run self-timed (actions.ts `actionSchedule`). */
  oneFOneBSplitPeriod: number;
  /** The same lists timed exactly (sync-milp.ts `windowTiming`). */
  timedPeriod: number;
  /** That improved by moving actions on their ranks (sync-milp.ts `improveSequences`): the MILP's incumbent. */
  incumbentPeriod: number;
  /** The returned schedule's per-rank actions in torch's grammar (updates left out). */
  orders: string[][];
  /** The same lists run self-timed (each action as soon as its inputs and its rank allow, torch's runtime). */
  selfTimedPeriod: number;
  milp: { formulation: 'window' | 'period-ilp'; status: 'optimal' | 'feasible'; bound: number; gap: number; seconds: number; solves?: IlpSolve[] } | { declined: string };
}

export interface SyncOptimum {
  placement: PeriodicPlacement;
  status: 'optimal' | 'feasible';
  /** Proven lower bound on the period of every synchronous schedule on these ranks. */
  bound: number;
  /** The starting lists run self-timed on the split graph, timed exactly, then improved by local search (the MILP's incumbent). */
  listsPeriod: number;
  timedPeriod: number;
  incumbentPeriod: number;
  milp: SyncOptimalDetails['milp'];
  /** The optimum's per-rank actions, and what they give run self-timed. */
  orders: Action[][];
  selfTimedPeriod: number;
}

/**
 * The smallest period of a split-backward chunk graph with its chunks on `rankOf`, starting from
 * the action lists `orders` (see the module comment). `cg.proc` must be `rankOf` per chunk.
 */
export async function optimiseSync(cg0: ChunkGraph, m: Machine, procs: number, rankOf: readonly number[], orders: readonly (readonly Action[])[], o: { timeLimitSeconds: number; formulation: 'window' | 'period-ilp'; maxTasks?: number }): Promise<SyncOptimum> {
  const cg = stagesOnAssignment(cg0, m); // the partition fixes every task's rank: its durations there
  const g = cg.graph;
  const proc = cg.proc;
  const load = new Array<number>(procs).fill(0);
  g.tasks.forEach((t, v) => (load[proc[v]] += t.cycles));
  const lb = maxOf(load, Math.max(lowerBounds(g, m, 'periodic').bound, 1));
  // The incumbent: the lists run self-timed, then timed exactly.
  const listsPeriod = actionSchedule(cg, m, procs, rankOf, orders, 'sync-optimal').period;
  const sequences = sequencesOf(cg, rankOf, orders);
  let placement = windowTiming(g, m, proc, sequences, lb, listsPeriod)!;
  const timedPeriod = placement.period;
  let incumbentPeriod = timedPeriod;
  let milp: SyncOptimalDetails['milp'];
  let status: 'optimal' | 'feasible' = 'feasible';
  let bound = Math.min(lb, placement.period);
  const maxTasks = o.maxTasks ?? MAX_SYNC_OPTIMAL_TASKS;
  if (g.tasks.length > maxTasks) milp = { declined: `the chunk graph has ${g.tasks.length} tasks > ${maxTasks}` };
  else {
    placement = improveSequences(g, m, proc, placement, sequences, lb).placement;
    incumbentPeriod = placement.period;
    let r: { status: 'optimal' | 'feasible'; bound: number; seconds: number; solves?: IlpSolve[] };
    if (o.formulation === 'window') {
      const w = await windowMilp(g, m, proc, placement, lb, o.timeLimitSeconds);
      const timed = windowTiming(g, m, proc, w.sequences, lb, w.period);
      if (!timed || timed.period > w.period) throw new Error(`sync-optimal: the MILP's order does not fit its period ${w.period} (bug)`);
      if (timed.period < placement.period) placement = timed;
      r = w;
    } else {
      const p = await periodIlp(g, m, { freeLoops: false, lowerBound: lb, incumbent: placement, timeLimitSeconds: o.timeLimitSeconds, fixedProc: proc, minimiseBytes: false });
      if (p.placement.proc.some((q, v) => q !== proc[v])) throw new Error('sync-optimal: the MILP moved a task off its rank (bug)');
      placement = p.placement;
      r = p;
    }
    status = r.status;
    bound = Math.min(r.bound, placement.period);
    milp = { formulation: o.formulation, status: r.status, bound, gap: (placement.period - bound) / bound, seconds: r.seconds, ...(r.solves ? { solves: r.solves } : {}) };
  }
  const best = ordersOfStarts(cg, placement.proc, placement.start, procs);
  const selfTimedPeriod = actionSchedule(cg, m, procs, rankOf, best, 'sync-optimal').period;
  return { placement, status, bound, listsPeriod, timedPeriod, incumbentPeriod, milp, orders: best, selfTimedPeriod };
}

/** 1F1B's best candidate, at the fixed rank count and/or micro-batch count when given. */
function oneFOneBShape(ctx: PipelineContext, ranks: number | undefined, micro: number | undefined): SyncCandidate {
  const micros = microBatchChoices(ctx.net.spec.batch, micro);
  if (ranks === undefined) return searchSync(ctx, '1f1b', ONE_F_ONE_B, micros).best;
  const L = ctx.net.weightLayers.length;
  if (ranks > Math.min(ctx.procs, L)) fail('ranks', `at most min(N, L) = ${Math.min(ctx.procs, L)} ranks (${ctx.procs} processors, ${L} layers), got ${ranks}`);
  let best: SyncCandidate | null = null;
  for (const m of micros) {
    const c = syncCandidate(ctx, '1f1b', ONE_F_ONE_B, { ranks, v: 1, micro: m });
    if (!('skip' in c) && (!best || c.timed.period < best.timed.period)) best = c;
  }
  return best!;
}

export const syncOptimal = defineMethod({
  name: 'sync-optimal',
  title: 'Sync-optimal',
  description: `the smallest period any synchronous (flushed) schedule can have on 1F1B's partition, proven by a MILP with the chunks fixed to their ranks (≤ ${MAX_SYNC_OPTIMAL_TASKS} tasks)`,
  kind: 'exact',
  options: defineOptions({
    ranks: { type: 'integer', min: 1, description: "ranks S (chunks, one per rank); default: 1F1B's best" },
    microBatches: { type: 'integer', min: 1, description: "micro-batches per minibatch (must divide the batch); default: 1F1B's best" },
    timeLimitSeconds: { type: 'number', above: 0, max: LIMITS.timeLimitSeconds, default: 10, description: 'wall-clock limit of the MILP, seconds' },
    formulation: { type: 'enum', values: ['window', 'period-ilp'], default: 'window', description: 'window: the flush-window MILP (sync-milp.ts); period-ilp: the modular period MILP with the ranks fixed (period-ilp.ts, much slower)' },
  }),
  async run(ctx, options) {
    const t0 = performance.now();
    const m = ctx.machine;
    const c = oneFOneBShape(ctx, options.ranks, options.microBatches);
    const { cg, recipe } = syncChunkGraph(ctx.net, ctx.hw, c.chunks.length, c.micro, (k) => c.rankOf[k], true);
    const g = cg.graph;
    const r = await optimiseSync(cg, m, ctx.procs, c.rankOf, c.orders, options);
    const notes: string[] = [];
    if ('declined' in r.milp) notes.push(`MILP declined: ${r.milp.declined} (S = ${c.ranks}, m = ${c.micro}); 1F1B's lists on the split graph returned, not proven optimal`);
    else if (r.status !== 'optimal') notes.push(`MILP time limit reached: period not proven minimal (bound ${r.bound}, gap ${(100 * r.milp.gap).toFixed(2)} %)`);
    const staleness = minimalStaleness(g, m, r.placement);
    if (staleness.some((d) => d !== 0)) throw new Error('sync-optimal: a flushed schedule needs no staleness (bug)');
    if (c.ranks < ctx.procs) notes.push(`on ${c.ranks} of ${ctx.procs} processors (1F1B's shape, m = ${c.micro})`);
    if (r.selfTimedPeriod > r.placement.period) notes.push(`its action lists run self-timed (as torch's runtime does) take ${r.selfTimedPeriod} cycles: the optimum starts some ranks late on purpose`);
    const details: SyncOptimalDetails = {
      stages: layerRanges(c.chunks),
      rankOfChunk: c.rankOf,
      ranks: c.ranks,
      chunksPerRank: 1,
      processorsUsed: c.ranks,
      bubble: bubbleFraction(cg, r.placement.period),
      oneFOneBPeriod: c.timed.period,
      oneFOneBSplitPeriod: r.listsPeriod,
      timedPeriod: r.timedPeriod,
      incumbentPeriod: r.incumbentPeriod,
      orders: r.orders.slice(0, c.ranks).map((list) => list.map(formatAction)),
      selfTimedPeriod: r.selfTimedPeriod,
      milp: r.milp,
    };
    return {
      method: 'sync-optimal',
      graph: g,
      recipe,
      schedule: periodicSchedule(g, r.placement, { procs: ctx.procs, method: 'sync-optimal', staleness }),
      period: r.placement.period,
      staleness,
      status: r.status,
      bound: r.bound,
      boundScope: 'problem',
      microBatches: c.micro,
      details,
      notes,
      solverSeconds: (performance.now() - t0) / 1000,
    };
  },
});
