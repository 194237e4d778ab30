/**
 * The search every synchronous baseline of today shares (1F1B-flush, interleaved 1F1B, Zero
 * Bubble, DualPipeV): a baseline runs at its best, so every rank count S ≤ min(N, ⌊L/v⌋), every
 * micro-batch count m of the candidates and every chunk count per rank v the method allows is
 * tried; the layers are cut into C = S·v contiguous chunks balancing the per-layer micro-batch
 * cost F + Ba1 + Ba2 + Bw (GPipe's balance, the Loss with the last layer); the chunk graph is
 * costed at B/m (lib/model/graph/chunks.ts); the method places chunks on ranks and orders each
 * rank's actions (actions.ts); the fastest schedule is kept (ties: more ranks, then fewer
 * micro-batches, then fewer chunks per rank). A method's order generator may decline an
 * (S, m, v) with a reason (e.g. interleaving needs m divisible by S); those are reported.
 */
import { fail } from '../../lib/model/errors';
import { buildTrainingGraph } from '../../lib/model/graph/training';
import { layerRanges, trainingRecipe, type GraphRecipe, type LayerRange } from '../../lib/model/graph/recipe';
import { chunkStageGraph, type ChunkGraph } from '../../lib/model/graph/chunks';
import type { Stage } from '../../lib/model/graph/stages';
import type { HardwareSpec, ResolvedNetwork } from '../../lib/model/spec/types';
import { lowerBounds } from '../../lib/model/bounds';
import { minMaxPartition, stageCostsOnTypes } from './partition';
import { machineFromHardware } from '../../lib/model/spec/hardware';
import { gpipeLayerCosts, type TimedStageSchedule } from './gpipe';
import { actionSchedule, bubbleFraction, type Action } from './actions';
import type { PipelineContext, PipelineResult } from './method';

export interface SyncShape {
  /** Ranks (pipeline devices) used. */
  ranks: number;
  /** Chunks per rank. */
  v: number;
  /** Micro-batches per minibatch. */
  micro: number;
}

/** What a synchronous method supplies: where chunks run and in which order each rank works. */
export interface SyncRules {
  /** Chunks per rank to try (default [1]). */
  vChoices?: readonly number[];
  /** The backward split into I and W (Zero Bubble, DualPipeV); false: whole backwards (1F1B). */
  splitW: boolean;
  /** Rank of chunk c (0-based, pipeline order) among `ranks`. */
  rankOf(c: number, shape: SyncShape): number;
  /** Each rank's actions, or a reason this shape is not allowed. */
  orders(shape: SyncShape): Action[][] | { skip: string };
  /** A check of the timed candidate (e.g. a memory budget): null to keep it, else why not. */
  accept?(c: SyncCandidate): string | null;
}

export interface SyncCandidate extends SyncShape {
  chunks: Stage[];
  cg: ChunkGraph;
  rankOf: number[];
  orders: Action[][];
  timed: TimedStageSchedule;
  recipe: GraphRecipe;
}

export interface SyncSearch {
  best: SyncCandidate;
  /** Period of every shape tried, keyed `S{S}v{v}m{m}`. */
  tried: Record<string, number>;
  /** Shapes the method declined, with the reason (first of each reason). */
  skipped: string[];
}

/** One shape: partition, graph, orders, schedule; or the reason the method declines it. */
export function syncCandidate(ctx: PipelineContext, method: string, rules: SyncRules, shape: SyncShape): SyncCandidate | { skip: string } {
  const { ranks, v, micro } = shape;
  const L = ctx.net.weightLayers.length;
  const C = ranks * v;
  if (C > L) return { skip: `${C} chunks (${ranks} ranks × ${v}) exceed the ${L} layers` };
  const orders = rules.orders(shape);
  if ('skip' in orders) return orders;
  const { chunks, cg, recipe } = syncChunkGraph(ctx.net, ctx.hw, C, micro, (c) => rules.rankOf(c, shape), rules.splitW);
  const rankOf = chunks.map((_, c) => rules.rankOf(c, shape));
  const timed = actionSchedule(cg, ctx.machine, ctx.procs, rankOf, orders, method);
  return { ...shape, chunks, cg, rankOf, orders, timed, recipe };
}

/**
 * The chunk graph every synchronous schedule here runs on: the layers cut into C contiguous chunks
 * balancing F + Ba1 + Ba2 + Bw at the micro-batch size B/m (GPipe's balance), costed at B/m, with
 * its recipe. C ≤ L and m dividing B are the caller's to check.
 */
export function syncChunkGraph(net: ResolvedNetwork, hw: HardwareSpec, C: number, micro: number, rankOf: (c: number) => number, splitW: boolean): { chunks: Stage[]; cg: ChunkGraph; recipe: GraphRecipe } {
  const L = net.weightLayers.length;
  const base = trainingRecipe('spikepipe', 'layer', net.spec.batch / micro, 'spec');
  const microGraph = buildTrainingGraph(net, hw, { ...base, staleness: new Array<number>(L).fill(0) });
  const chunks = minMaxPartition(gpipeLayerCosts(microGraph), C, stageCostsOnTypes(microGraph, machineFromHardware(hw).procType, rankOf, gpipeLayerCosts)).stages;
  const cg = chunkStageGraph(microGraph, chunks, micro, chunks.map((_, c) => rankOf(c)), splitW);
  const recipe: GraphRecipe = { ...base, contraction: { kind: 'chunks', stages: layerRanges(chunks), microBatches: micro, splitW } };
  return { chunks, cg, recipe };
}

/** Every shape the method allows; the fastest kept (see the module comment). */
export function searchSync(ctx: PipelineContext, method: string, rules: SyncRules, microChoices: readonly number[]): SyncSearch {
  const L = ctx.net.weightLayers.length;
  let best: SyncCandidate | null = null;
  const tried: Record<string, number> = {};
  const skipped: string[] = [];
  for (const v of rules.vChoices ?? [1]) {
    if (v > L) skipped.push(`v=${v}: ${v} chunks per rank need at least ${v} weight layers, ${ctx.net.spec.name} has ${L}`);
    for (let S = Math.min(ctx.procs, Math.floor(L / v)); S >= 1; S--) {
      for (const micro of microChoices) {
        const c = syncCandidate(ctx, method, rules, { ranks: S, v, micro });
        const refused = 'skip' in c ? c.skip : (rules.accept?.(c) ?? null);
        if (refused !== null) {
          const why = `S=${S} v=${v} m=${micro}: ${refused}`;
          if (!skipped.some((x) => x.endsWith(refused))) skipped.push(why);
          continue;
        }
        if ('skip' in c) continue;
        tried[`S${S}v${v}m${micro}`] = c.timed.period;
        if (!best || c.timed.period < best.timed.period) best = c;
      }
    }
  }
  if (!best) fail(method, `no shape of ${method} fits ${ctx.net.spec.name} on ${ctx.procs} processors (${skipped.join('; ')})`);
  return { best, tried, skipped };
}

/** What every synchronous baseline's rows carry. */
export interface SyncDetails {
  stages: LayerRange[];
  /** Rank (0-based) of every chunk. */
  rankOfChunk: number[];
  ranks: number;
  chunksPerRank: number;
  processorsUsed: number;
  /** Idle share of the used ranks' time in one period. */
  bubble: number;
  periodByShape: Record<string, number>;
  skipped: string[];
}

/** The PipelineResult of the best shape. */
export function syncResult(method: string, ctx: PipelineContext, s: SyncSearch, t0: number, notes: string[] = []): PipelineResult<SyncDetails> {
  const c = s.best;
  const graph = c.cg.graph;
  const details: SyncDetails = {
    stages: layerRanges(c.chunks),
    rankOfChunk: c.rankOf,
    ranks: c.ranks,
    chunksPerRank: c.v,
    processorsUsed: c.ranks,
    bubble: bubbleFraction(c.cg, c.timed.period),
    periodByShape: s.tried,
    skipped: s.skipped,
  };
  if (c.ranks < ctx.procs) notes.push(`best with ${c.ranks} of ${ctx.procs} processors (${c.v} chunk(s) per rank, m = ${c.micro})`);
  return {
    method,
    graph,
    recipe: c.recipe,
    schedule: c.timed.schedule,
    period: c.timed.period,
    staleness: c.timed.staleness,
    status: 'feasible',
    bound: lowerBounds(graph, ctx.machine, 'periodic').bound,
    boundScope: 'graph',
    microBatches: c.micro,
    ...(c.v > 1 ? { chunksPerRank: c.v } : {}),
    details,
    notes,
    solverSeconds: (performance.now() - t0) / 1000,
  };
}
