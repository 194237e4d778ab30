/**
 * PipeDream-2BW (Narayanan, Phanishayee, Shi, Chen, Zaharia: "Memory-Efficient Pipeline-Parallel
 * DNN Training", ICML'21, arXiv 2006.09503): asynchronous 1F1B without a flush, double-buffered
 * weights. Each stage keeps two weight versions; the gradients of the m micro-batches of a
 * minibatch are accumulated into one update (coalescing), and the version a minibatch reads is
 * the one before the newest: W(t+1) = W(t) − ν·∇f(W(t−1)), staleness exactly 1 at every depth.
 *
 * Model (our choices, documented):
 * - graph: the chunk graph of the synchronous baselines with whole backwards (1F1B's,
 *   lib/model/graph/chunks.ts, `splitW` false) at micro-batch size B/m: per stage and micro-batch
 *   j one F_s^j and one B_s^j = Ba1 + Ba2 + Bw (the Loss in the last stage's), one U_s per
 *   minibatch after every B_s^j (coalescing); the weight loops U_s → F_s^j, U_s → B_s^j get delay
 *   1 + d with d = 1 for every layer (`withStaleness`): F and B of minibatch k read the version
 *   U_s wrote in minibatch k − 2, and B reads the version its F read (2BW stashes it);
 * - stages: S contiguous stages on S ranks balancing F + Ba1 + Ba2 + Bw at B/m, as GPipe and
 *   1F1B (`minMaxPartition`); every S ≤ min(N, L) and every micro-batch count m of the
 *   candidates is tried and the fastest kept (ties: more ranks, then fewer micro-batches);
 * - order: 1F1B on the stream of micro-batches with no flush. Rank r of S keeps w = S − 1 − r
 *   forwards ahead: in the window of minibatch k it runs F^i(k) then B^{i−w} (of minibatch k, or
 *   k − 1 for i < w) for i = 0..m − 1, so the cool-down of minibatch k − 1 interleaves with the
 *   warm-up of minibatch k and no rank idles between minibatches. U(k − 1) runs right after
 *   B^{m−1}(k − 1), when the gradients are complete: its version goes into the second buffer
 *   while minibatch k, already under way there (w ≥ 1), reads the first. On the last stage
 *   (w = 0) nothing of minibatch k has started yet, so U(k − 1) follows F^0(k): 2BW's runtime
 *   would update at once and still have minibatch k read the older buffer, but our simulator
 *   measures staleness by when a version becomes available, and the deferral costs nothing (the
 *   period holds the same work), so the claimed d = 1 is also the measured one;
 * - timing: the smallest period that fits these cyclic orders, the edges (transfers included)
 *   and the loops, with every task as early as they allow (cyclic-order.ts), and at least the
 *   link bound. With equal stages and no transfers it is m·(F + B) + U: no bubble;
 * - constraint: m ≥ S, the paper's m ≥ d (d the pipeline depth), which we keep; smaller m are
 *   declined. (This order would still need only two versions and d = 1 at m = S − 1; below
 *   that, rank 0 would start minibatch k + 1 before finishing minibatch k − 1's backwards, and
 *   minibatch k + 1 could not read the version k − 1 writes: d = 2.)
 * - memory: two weight versions per stage (the simulator holds version k − 2 until its last
 *   reader in minibatch k — F^{m−1}(k), or B^{m−1}(k) where the backward reads the weights
 *   (Ba2, every layer but the first) — and version k − 1 from U(k − 1) on, which m ≥ S puts
 *   before that reader: 2 × the stage's weights), S − r micro-batches' activations on rank r
 *   (1F1B's). The simulator also keeps each micro-batch's weight gradient (B_s^j → U_s) as a
 *   buffer of its own until U_s, so 2BW's activation peak, where U(k − 1) comes after the warm-up
 *   of minibatch k has begun, is above 1F1B's.
 * Not modelled: 2BW's planner over data-parallel width, micro-batch size and activation
 * recomputation (we search S and m only, without replicas or recomputation).
 */
import { stagesOnAssignment } from '../../lib/model/durations';
import { buildTrainingGraph } from '../../lib/model/graph/training';
import { withStaleness } from '../../lib/model/graph/taskgraph';
import { layerRanges, trainingRecipe, type GraphRecipe } from '../../lib/model/graph/recipe';
import { chunkStageGraph, type ChunkGraph } from '../../lib/model/graph/chunks';
import { lowerBounds } from '../../lib/model/bounds';
import { linkPeriodBound } from '../../lib/model/metrics/communication';
import { minimalStaleness, periodicSchedule } from '../../lib/model/schedule/placement';
import type { Machine } from '../../lib/model/types';
import { defineOptions } from '../options';
import { defineMethod, type PipelineContext } from './method';
import { minMaxPartition, stageCostsOnTypes } from './partition';
import { gpipeLayerCosts, type TimedStageSchedule } from './gpipe';
import { bubbleFraction } from './actions';
import { microBatchChoices } from './micro-batches';
import { type SyncDetails } from './sync-search';
import { cyclicOrderSchedule, type CyclicEntry } from './cyclic-order';

/** Weight versions each stage keeps (double buffering). */
export const TWO_BW_VERSIONS = 2;

/** Each rank's cyclic 1F1B order without a flush (see the module comment); needs m ≥ S. */
export function twoBWOrders(cg: ChunkGraph): CyclicEntry[][] {
  const S = cg.chunks.length;
  const m = cg.microBatches;
  if (m < S || cg.splitW) throw new Error(`twoBWOrders: needs m ≥ S and whole backwards, got S = ${S}, m = ${m} (bug)`);
  return cg.chunks.map((_, r) => {
    const w = S - 1 - r;
    const out: CyclicEntry[] = [];
    const update = { task: cg.U[r], shift: -1 };
    for (let i = 0; i < m; i++) {
      out.push({ task: cg.F[r][i], shift: 0 });
      if (w === 0 && i === 0) out.push(update);
      out.push(i >= w ? { task: cg.B[r][i - w], shift: 0 } : { task: cg.B[r][m + i - w], shift: -1 });
      if (w > 0 && i === w - 1) out.push(update);
    }
    return out;
  });
}

/** The 2BW schedule of a whole-backward chunk graph with chunk s on rank s, d = 1 everywhere. */
export function twoBWSchedule(cg0: ChunkGraph, machine: Machine, procs: number): TimedStageSchedule {
  const cg = stagesOnAssignment(cg0, machine); // durations of each chunk on its rank
  const staleness = new Array<number>(cg.graph.layers).fill(1);
  const g = withStaleness(cg.graph, staleness);
  const { period, start } = cyclicOrderSchedule(g, machine, cg.proc, twoBWOrders(cg), linkPeriodBound(g, machine, cg.proc));
  const need = minimalStaleness(g, machine, { period, proc: cg.proc, start });
  if (need.some((d) => d > 1)) throw new Error(`pipedream-2bw: the schedule needs staleness [${need}] beyond 1 (bug)`);
  return { schedule: periodicSchedule(g, { period, proc: [...cg.proc], start }, { procs, method: 'pipedream-2bw', staleness }), period, staleness };
}

export interface TwoBWDetails extends SyncDetails {
  /** Weight versions per stage (2: double buffering). */
  weightVersions: number;
}

interface Candidate {
  ranks: number;
  micro: number;
  cg: ChunkGraph;
  timed: TimedStageSchedule;
  recipe: GraphRecipe;
}

function candidate(ctx: PipelineContext, S: number, micro: number): Candidate {
  const L = ctx.net.weightLayers.length;
  const base = trainingRecipe('spikepipe', 'layer', ctx.net.spec.batch / micro, 'spec');
  const microGraph = buildTrainingGraph(ctx.net, ctx.hw, { ...base, staleness: new Array<number>(L).fill(0) });
  const chunks = minMaxPartition(gpipeLayerCosts(microGraph), S, stageCostsOnTypes(microGraph, ctx.machine.procType, (k) => k, gpipeLayerCosts)).stages;
  const cg = chunkStageGraph(microGraph, chunks, micro, chunks.map((_, c) => c), false);
  const recipe: GraphRecipe = { ...base, contraction: { kind: 'chunks', stages: layerRanges(chunks), microBatches: micro, splitW: false } };
  return { ranks: S, micro, cg, timed: twoBWSchedule(cg, ctx.machine, ctx.procs), recipe };
}

export const pipedream2BW = defineMethod({
  name: 'pipedream-2bw',
  title: 'PipeDream-2BW',
  description: 'PipeDream-2BW (Narayanan et al. 2021): 1F1B without a flush, gradients coalesced over m ≥ S micro-batches, two weight versions, staleness exactly 1',
  kind: 'baseline',
  options: defineOptions({
    microBatches: { type: 'integer', min: 1, description: 'micro-batches per minibatch (must divide the batch; ranks S > m are not tried); default: the best of 1, 2, 4, …, 32 dividing it, every rank count tried' },
  }),
  async run(ctx, options) {
    const t0 = performance.now();
    const L = ctx.net.weightLayers.length;
    const micros = microBatchChoices(ctx.net.spec.batch, options.microBatches);
    let best: Candidate | null = null;
    const tried: Record<string, number> = {};
    const skipped: string[] = [];
    for (let S = Math.min(ctx.procs, L); S >= 1; S--) {
      for (const micro of micros) {
        if (micro < S) {
          const why = '2BW needs m ≥ S micro-batches (two weight versions, staleness 1)';
          if (!skipped.some((s) => s.endsWith(why))) skipped.push(`S=${S} v=1 m=${micro}: ${why}`);
          continue;
        }
        const c = candidate(ctx, S, micro);
        tried[`S${S}v1m${micro}`] = c.timed.period;
        if (!best || c.timed.period < best.timed.period) best = c;
      }
    }
    if (!best) throw new Error(`no shape of pipedream-2bw fits ${ctx.net.spec.name} on ${ctx.procs} processors (${skipped.join('; ')})`); // unreachable: S = 1 takes any m
    const { cg, timed } = best;
    const notes: string[] = [];
    if (best.ranks < ctx.procs) notes.push(`best with ${best.ranks} of ${ctx.procs} processors (m = ${best.micro})`);
    const details: TwoBWDetails = {
      stages: layerRanges(cg.chunks),
      rankOfChunk: cg.chunks.map((_, c) => c),
      ranks: best.ranks,
      chunksPerRank: 1,
      processorsUsed: best.ranks,
      bubble: bubbleFraction(cg, timed.period),
      periodByShape: tried,
      skipped,
      weightVersions: TWO_BW_VERSIONS,
    };
    const graph = withStaleness(cg.graph, timed.staleness);
    return {
      method: 'pipedream-2bw',
      graph,
      recipe: best.recipe,
      schedule: timed.schedule,
      period: timed.period,
      staleness: timed.staleness,
      status: 'feasible',
      bound: lowerBounds(graph, ctx.machine, 'periodic').bound,
      boundScope: 'graph',
      microBatches: best.micro,
      details,
      notes,
      solverSeconds: (performance.now() - t0) / 1000,
    };
  },
});
