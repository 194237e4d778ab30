/**
 * GPipe (Huang et al. 2019): synchronous pipeline, fill-drain with a flush every minibatch.
 *
 * Model (our choices, documented):
 * - stages: the best S ≤ min(N, L) (every S is tried with every m; S contiguous stages chosen
 *   by `minMaxPartition` on the per-layer
 *   micro-batch cost F + Ba1 + Ba2 + Bw (the Loss added to the last layer); U is left out of the
 *   balance because it runs once per minibatch, not once per micro-batch;
 * - micro-batches: m of B/m samples; every task is re-costed by the cost model at batch B/m (small
 *   batches fill the array worse), the graph is `gpipeStageGraph` (F_s^j, B_s^j = Ba1+Ba2+Bw of
 *   the stage's layers, the Loss folded into the last stage's B_s^j, U_s once per minibatch);
 * - order on stage s (processor s−1): F_s^1 … F_s^m, then B_s^m … B_s^1 (reverse, as in GPipe's
 *   figure: the last stage starts the backward of the micro-batch it just finished), then U_s;
 *   every task as soon as its inputs (plus transfers) and its processor allow;
 * - flush: the next minibatch's F_s^j and B_s^j wait for U_s (loop edges with delay 1, d = 0).
 *   The period is the smallest P that fits every stage's busy window [first F start, U end] and
 *   every loop edge; with the stage-1 loop binding, P = end(U_1) − start(F_1^1). It is at least
 *   the link bound: each cut's links carry the m micro-batches' spikes (forward) and gradients
 *   (backward) of one minibatch per period (lib/model/machine.ts), which only binds on slow links.
 *
 * Textbook check (equal per-stage t_F, t_B, per-boundary transfers c_F forward, c_B backward):
 *   P = (m + S − 1)·(t_F + t_B) + (S − 1)·(c_F + c_B) + t_U.
 */
import type { Machine, Schedule } from '../../lib/model/types';
import { fail } from '../../lib/model/errors';
import { buildTrainingGraph } from '../../lib/model/graph/training';
import { lowerBounds } from '../../lib/model/bounds';
import { linkPeriodBound } from '../../lib/model/metrics/communication';
import { layerRanges, trainingRecipe, type GraphRecipe, type LayerRange } from '../../lib/model/graph/recipe';
import { defineOptions } from '../options';
import { defineMethod, type PipelineContext } from './method';
import { microBatchChoices } from './micro-batches';
import { minMaxPartition, stageCostsOnTypes } from './partition';
import { gpipeStageGraph, layerProfile, type Stage, type StageGraph } from '../../lib/model/graph/stages';
import { minimalStaleness, periodicSchedule } from '../../lib/model/schedule/placement';
import { asapAlongSequences, periodForStarts } from './stage-timing';

export interface TimedStageSchedule {
  schedule: Schedule;
  period: number;
  staleness: number[];
}

/** Fill-drain schedule of a GPipe stage graph (see the module comment). O(m·(V + E)). */
export function gpipeSchedule(sg: StageGraph, m: Machine, procs: number): TimedStageSchedule {
  const g = sg.graph;
  const sequences = sg.stages.map((_, k) => [...sg.F[k], ...[...sg.B[k]].reverse(), sg.U[k]]);
  const start = asapAlongSequences(g, m, sg.proc, sequences);
  // Links: every micro-batch's spikes and gradients cross each cut once per minibatch.
  const period = Math.max(1, periodForStarts(g, m, sg.proc, start), linkPeriodBound(g, m, sg.proc));
  const staleness = minimalStaleness(g, m, { period, proc: sg.proc, start });
  if (staleness.some((d) => d !== 0)) throw new Error('gpipeSchedule: a flushed pipeline needs no staleness (bug)');
  const schedule = periodicSchedule(g, { period, proc: sg.proc, start }, { procs, method: 'gpipe', staleness });
  return { schedule, period, staleness };
}

/** Per-layer micro-batch cost GPipe balances: F + Ba1 + Ba2 + Bw (Loss on the last layer). */
export function gpipeLayerCosts(microGraph: Parameters<typeof layerProfile>[0]): number[] {
  const p = layerProfile(microGraph);
  return p.forward.map((f, i) => f + p.backward[i]);
}

export interface GPipeCandidate {
  micro: number;
  recipe: GraphRecipe;
  stages: Stage[];
  sg: StageGraph;
  timed: TimedStageSchedule;
}

/** GPipe with exactly `micro` micro-batches (must divide B) and `stages` stages (default min(N, L)). */
export function gpipeCandidate(ctx: PipelineContext, micro: number, stages?: number): GPipeCandidate {
  const B = ctx.net.spec.batch;
  if (!Number.isInteger(micro) || micro < 1 || B % micro !== 0) {
    fail('--micro-batches', `must be a positive integer dividing the batch ${B} of ${ctx.net.spec.name}, got ${micro}`);
  }
  const L = ctx.net.weightLayers.length;
  const base = trainingRecipe('spikepipe', 'layer', B / micro, 'spec');
  const microGraph = buildTrainingGraph(ctx.net, ctx.hw, { ...base, staleness: new Array<number>(L).fill(0) });
  const S = stages ?? Math.min(ctx.procs, L);
  const part = minMaxPartition(gpipeLayerCosts(microGraph), S, stageCostsOnTypes(microGraph, ctx.machine.procType, (k) => k, gpipeLayerCosts));
  const sg = gpipeStageGraph(microGraph, part.stages, micro);
  const timed = gpipeSchedule(sg, ctx.machine, ctx.procs);
  const recipe: GraphRecipe = { ...base, contraction: { kind: 'gpipe', stages: layerRanges(part.stages), microBatches: micro } };
  return { micro, recipe, stages: part.stages, sg, timed };
}

/** What GPipe's rows and the methods seeded by its plan read. */
export interface GPipeDetails {
  /** Period of every (stage count S, micro-batch count m) tried, keyed `S{S}m{m}`. */
  periodByStagesAndMicroBatches: Record<string, number>;
  /** 1-based layer range of every stage of the chosen pipeline. */
  stages: LayerRange[];
  processorsUsed: number;
}

export const gpipe = defineMethod({
  name: 'gpipe',
  title: 'GPipe',
  description: 'GPipe: contiguous stages, m micro-batches (best of 1, 2, 4, …, 32), fill-drain, flush every minibatch',
  kind: 'baseline',
  options: defineOptions({
    microBatches: { type: 'integer', min: 1, description: 'micro-batches per minibatch (must divide the batch); default: the best of 1, 2, 4, …, 32 dividing it, every stage count tried' },
  }),
  async run(ctx, options) {
    const t0 = performance.now();
    const choices = microBatchChoices(ctx.net.spec.batch, options.microBatches);
    const L = ctx.net.weightLayers.length;
    const maxStages = Math.min(ctx.procs, L);
    // A fair baseline runs at its best: every stage count S ≤ min(N, L) and every m, keeping the
    // fastest (ties: more stages first, then fewer micro-batches). Fewer stages leave processors
    // idle, which beats a straight pipeline when small micro-batches use the array badly.
    let best: GPipeCandidate | null = null;
    const tried: Record<string, number> = {};
    for (let S = maxStages; S >= 1; S--) {
      for (const m of choices) {
        const c = gpipeCandidate(ctx, m, S);
        tried[`S${S}m${m}`] = c.timed.period;
        if (!best || c.timed.period < best.timed.period) best = c;
      }
    }
    const c = best!;
    const notes: string[] = [];
    if (c.stages.length < ctx.procs) {
      notes.push(
        c.stages.length < maxStages
          ? `best with ${c.stages.length} stage(s) on ${c.stages.length} of ${ctx.procs} processors (a ${maxStages}-stage pipeline is slower: small micro-batches use the array worse)`
          : `straight pipeline: ${L} stages use ${L} of ${ctx.procs} processors`,
      );
    }
    const details: GPipeDetails = {
      periodByStagesAndMicroBatches: tried,
      stages: layerRanges(c.stages),
      processorsUsed: c.stages.length,
    };
    return {
      method: 'gpipe',
      graph: c.sg.graph,
      recipe: c.recipe,
      schedule: c.timed.schedule,
      period: c.timed.period,
      staleness: c.timed.staleness,
      status: 'feasible',
      bound: lowerBounds(c.sg.graph, ctx.machine, 'periodic').bound,
      boundScope: 'graph',
      microBatches: c.micro,
      details,
      notes,
      solverSeconds: (performance.now() - t0) / 1000,
    };
  },
});
