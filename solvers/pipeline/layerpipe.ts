/**
 * LayerPipe (Unnikrishnan & Parhi, ICCAD 2021) on the SNN training graph: the fine tasks of
 * README, The model (F_l, Ba1_l, Ba2_l, Bw_l, U_l, Loss) under LayerPipe's constraints —
 *  - contiguous stages of layers, one processor per stage (at most min(N, L) stages);
 *  - F_l, Ba1_l, Bw_l, U_l on layer l's stage processor; Ba and Bw are separate tasks that may
 *    overlap (intra-layer); Ba2_l (W_lᵀ·δI_l) either there or on layer l−1's processor
 *    (inter-layer: the activation gradient split over two consecutive layers);
 *  - dataflows as the hardware spec says ('spec'); the Loss on the last stage.
 * Delays: 'minimal' (default) read off the schedule, as for SpikePipe; '2S' = LayerPipe2's
 * d_l = 2·S(l), S(l) the stages after layer l's (lib/model/graph/delays.ts), per configuration.
 *
 * Search: every configuration — k = 1..min(N, L) stages, every composition of the L layers into
 * k contiguous stages, and for each stage boundary whether the first layer's Ba2 moves back —
 * Σ_k C(L−1, k−1)·2^(k−1) ≤ 3^(L−1) of them (6561 for L = 9), each scored by its largest
 * processor load in O(L) and its link bound (the busiest link's cycles per iteration,
 * lib/model/metrics/communication.ts) in O(E log E). With free loops a configuration's period IS
 * max(largest load, link bound) (assignment.ts), so the enumeration is exact for the period;
 * ties (and periods within `periodTolerance`, default 0.001) are broken by crossing bytes, then
 * by Σ d_l after placing the best few (back-to-back / modulo offsets, retiming, offset search).
 * With '2S' the best few by that period are placed with their own delays and the period
 * searched upward.
 */
import type { Machine, TaskGraph } from '../../lib/model/types';
import { isChain } from '../../lib/model/spec/infer';
import { buildTrainingGraph } from '../../lib/model/graph/training';
import { staleness2S } from '../../lib/model/graph/delays';
import { withStaleness } from '../../lib/model/graph/taskgraph';
import { validate } from '../../lib/model/schedule/validate';
import { lowerBounds } from '../../lib/model/bounds';
import { trainingRecipe, type LayerRange } from '../../lib/model/graph/recipe';
import { defineOptions } from '../options';
import { defineMethod } from './method';
import { linkPeriodBound } from '../../lib/model/metrics/communication';
import { periodicSchedule, type PeriodicPlacement } from '../../lib/model/schedule/placement';
import { placeAssignment } from '../periodic/place-assignment';
import { improveOffsets, offsetEvalsFor } from '../periodic/offsets';
import { crossingBytes } from '../periodic/assignment-cost';
import { pickCandidate, qualityOf, type Quality } from '../periodic/quality';
import type { BindingCycle } from '../periodic/retiming';
import { maxOf } from '../../lib/model/extrema';
import { boundaryCosts, bestPeriodPerStageCount, dpShortlist } from './layerpipe-dp';

export interface LayerPipeConfig {
  /** Stage (0-based) of every layer (index l−1). */
  stageOfLayer: number[];
  /** Whether Ba2_l runs on layer l−1's processor (index l−1; only at stage boundaries). */
  moveBa2: boolean[];
}

export const LAYERPIPE_OPTIONS = defineOptions({
  delayRule: { type: 'enum', values: ['minimal', '2S'], default: 'minimal', description: "minimal: delays read off the schedule; 2S: LayerPipe2's d_l = 2·(stages after l's)" },
  periodTolerance: { type: 'number', min: 0, default: 0.001, description: 'relative period slack inside which configurations compete on crossing bytes' },
  placeTop: { type: 'integer', min: 1, default: 8, description: 'configurations placed after the period ranking' },
  offsetEvals: { type: 'integer', min: 0, default: 3000, description: 'evaluations of the offset search that shortens the loops (0 = off)' },
  exhaustiveLimit: { type: 'integer', min: 1, default: 100000, description: 'configurations up to which every one is scored; above it a polynomial dynamic program over stage boundaries' },
});

/** Processor of every task of the layer graph under a configuration. O(V). */
export function layerpipeAssignment(g: TaskGraph, c: LayerPipeConfig): number[] {
  return g.tasks.map((t) => {
    const l = t.kind === 'Loss' || t.layer < 1 ? g.layers : t.layer;
    if (t.kind === 'Ba2' && c.moveBa2[l - 1]) return c.stageOfLayer[l - 2];
    return c.stageOfLayer[l - 1];
  });
}

export interface ScoredConfig {
  config: LayerPipeConfig;
  maxLoad: number;
  /** The busiest link's cycles per iteration (0 without a machine). */
  linkCycles: number;
  /** max(maxLoad, linkCycles): the period the configuration reaches with free loops. */
  period: number;
}

/**
 * Every LayerPipe configuration on at most `procs` stages, with its largest load and, given the
 * machine `m`, its link bound (lib/model/metrics/communication.ts) and period max(load, link).
 */
export function enumerateConfigs(g: TaskGraph, procs: number, m?: Machine): ScoredConfig[] {
  const L = g.layers;
  const rest = new Array<number>(L).fill(0); // per layer: everything but Ba2 (Loss with layer L)
  const ba2 = new Array<number>(L).fill(0);
  for (const t of g.tasks) {
    const l = t.kind === 'Loss' || t.layer < 1 ? L : t.layer;
    if (t.kind === 'Ba2') ba2[l - 1] += t.cycles;
    else rest[l - 1] += t.cycles;
  }
  const out: ScoredConfig[] = [];
  const K = Math.min(procs, L);
  const stageOf = new Array<number>(L).fill(0);
  const move = new Array<boolean>(L).fill(false);
  const score = (): number => {
    const load = new Array<number>(K).fill(0);
    for (let l = 0; l < L; l++) {
      load[stageOf[l]] += rest[l];
      load[move[l] ? stageOf[l - 1] : stageOf[l]] += ba2[l];
    }
    return maxOf(load);
  };
  // Layer l (0-based) starts a new stage or continues the current one; at a new stage, Ba2_l
  // may move back to the previous stage.
  const rec = (l: number, stage: number): void => {
    if (l === L) {
      const config = { stageOfLayer: stageOf.slice(), moveBa2: move.slice() };
      const maxLoad = score();
      const linkCycles = m ? linkPeriodBound(g, m, layerpipeAssignment(g, config)) : 0;
      out.push({ config, maxLoad, linkCycles, period: Math.max(maxLoad, linkCycles) });
      return;
    }
    // continue the current stage
    if (l > 0) {
      stageOf[l] = stage;
      move[l] = false;
      rec(l + 1, stage);
    }
    // open a new stage
    const next = l === 0 ? 0 : stage + 1;
    if (next >= K) return;
    stageOf[l] = next;
    move[l] = false;
    rec(l + 1, next);
    if (l > 0 && ba2[l] > 0) {
      move[l] = true;
      rec(l + 1, next);
      move[l] = false;
    }
  };
  rec(0, 0);
  return out;
}

/** Σ_{k=1..K} C(L−1, k−1)·2^(k−1): configurations of L layers on at most K stages (an upper bound). */
export function configurationCount(L: number, K: number): number {
  let total = 0;
  let binom = 1; // C(L−1, k−1)
  for (let k = 1; k <= K && k <= L; k++) {
    total += binom * 2 ** (k - 1);
    binom = (binom * (L - k)) / k;
  }
  return total;
}

interface Shortlist {
  shortlist: { config: LayerPipeConfig; period: number; bytes: number }[];
  minPeriod: number;
  bestLoad: number;
  /** Configurations scored one by one (0: the dynamic program). */
  scored: number;
}

/** Score every configuration; the best `top` by (period, bytes) plus the fewest bytes within `tol`. */
function exhaustiveShortlist(base: TaskGraph, procs: number, m: Machine, tol: number, top: number): Shortlist {
  const all = enumerateConfigs(base, procs, m);
  all.sort((a, b) => a.period - b.period);
  const minPeriod = all[0].period;
  const bestLoad = all.reduce((x, c) => Math.min(x, c.maxLoad), Infinity);
  const first = all.filter((c, i) => i < top || c.period <= Math.floor(minPeriod * (1 + tol)));
  const withBytes = first.map((c) => ({ ...c, bytes: crossingBytes(base, layerpipeAssignment(base, c.config)) }));
  withBytes.sort((a, b) => a.period - b.period || a.bytes - b.bytes);
  // Keep the best few by (period, bytes), plus the least-bytes one inside the tolerance.
  const inTol = withBytes.filter((c) => c.period <= Math.floor(minPeriod * (1 + tol))).sort((a, b) => a.bytes - b.bytes);
  return { shortlist: [...withBytes.slice(0, top), ...inTol.slice(0, 1)], minPeriod, bestLoad, scored: all.length };
}

/**
 * The dynamic program of layerpipe-dp.ts: the best `top` of its per-stage-count configurations
 * by (period, bytes), plus the fewest bytes within `tol`, as in the exhaustive shortlist.
 */
function polynomialShortlist(base: TaskGraph, procs: number, m: Machine, tol: number, top: number): Shortlist {
  const costs = boundaryCosts(base, m);
  const ranked = dpShortlist(costs, procs, tol);
  const window = Math.floor(ranked[0].period * (1 + tol));
  const inTol = ranked.filter((c) => c.period <= window).sort((a, b) => a.bytes - b.bytes);
  const shortlist = [...ranked.slice(0, top), ...inTol.slice(0, 1)];
  const bestLoad = bestPeriodPerStageCount(costs, procs, false).reduce((x, y) => Math.min(x, y), Infinity);
  return { shortlist, minPeriod: ranked[0].period, bestLoad, scored: 0 };
}

interface Placed {
  config: LayerPipeConfig;
  graph: TaskGraph;
  placement: PeriodicPlacement;
  staleness: number[];
  quality: Quality;
}

export interface LayerPipeDetails {
  /** 1-based layer range of every stage. */
  stages: LayerRange[];
  processorsUsed: number;
  /** Layers l whose Ba2_l runs on layer l−1's processor. */
  ba2Moved: number[];
  delayRule: 'minimal' | '2S';
  dataflow: 'spec';
  /** Every configuration scored, or the polynomial dynamic program (layerpipe-dp.ts). */
  search: 'exhaustive' | 'dynamic program';
  /** Configurations of the search space (an upper bound: Σ_k C(L−1, k−1)·2^(k−1)). */
  configurations: number;
  bestLoad: number;
  bestPeriod: number;
  linkCycles: number;
  crossingBytes: number;
}

export const layerpipe = defineMethod({
  name: 'layerpipe',
  title: 'LayerPipe',
  description: 'LayerPipe: contiguous stages, Ba/Bw split (intra-layer), Ba2 movable to the previous layer\'s processor (inter-layer), spec dataflows',
  kind: 'search',
  options: LAYERPIPE_OPTIONS,
  async run(ctx, opts) {
    const t0 = performance.now();
    const m = ctx.machine;
    const L = ctx.net.weightLayers.length;
    const freeLoops = opts.delayRule === 'minimal';
    const recipe = trainingRecipe('spikepipe', 'layer', ctx.net.spec.batch, 'spec');
    const base = buildTrainingGraph(ctx.net, ctx.hw, { ...recipe, staleness: new Array<number>(L).fill(0) });
    const tol = opts.periodTolerance;
    const top = opts.placeTop;
    const space = configurationCount(L, Math.min(ctx.procs, L));
    const exhaustive = space <= opts.exhaustiveLimit;
    const searched = exhaustive ? exhaustiveShortlist(base, ctx.procs, m, tol, top) : polynomialShortlist(base, ctx.procs, m, tol, top);
    const { shortlist, minPeriod, bestLoad, scored } = searched;
    const placed: Placed[] = [];
    let binding: BindingCycle | undefined;
    const seen = new Set<string>();
    for (const c of shortlist) {
      const key = `${c.config.stageOfLayer.join(',')}|${c.config.moveBa2.join(',')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const proc = layerpipeAssignment(base, c.config);
      const graph = freeLoops ? base : withStaleness(base, staleness2S(c.config.stageOfLayer));
      const r = placeAssignment(graph, m, proc, freeLoops);
      if (!r.ok) {
        if (r.binding && !binding) binding = r.binding;
        continue;
      }
      if (r.firstBinding && !binding) binding = r.firstBinding;
      placed.push({ config: c.config, graph, placement: r.placed.placement, staleness: r.placed.staleness, quality: qualityOf(graph, r.placed.placement, r.placed.staleness) });
    }
    if (placed.length === 0) throw new Error(`layerpipe: no configuration could be placed on ${ctx.procs} processors (bug)`);
    let pick = placed[pickCandidate(placed.map((p) => p.quality), tol)];
    const notes: string[] = [];
    if (freeLoops) {
      const evals = offsetEvalsFor(base, opts.offsetEvals);
      if (evals < opts.offsetEvals) notes.push(`offset search limit hit: ${evals} evaluations instead of ${opts.offsetEvals} on this graph of ${base.tasks.length} tasks and ${base.edges.length} edges (period unchanged; Σ d_l may be larger)`);
      const better = improveOffsets(base, m, pick.placement, evals);
      const q = qualityOf(base, better.placement, better.staleness);
      if (q.period === pick.quality.period && q.staleness < pick.quality.staleness) {
        pick = { ...pick, placement: better.placement, staleness: better.staleness, quality: q };
      }
    }
    const graph = freeLoops ? withStaleness(base, pick.staleness) : pick.graph;
    const schedule = periodicSchedule(graph, pick.placement, { procs: ctx.procs, method: 'layerpipe', staleness: pick.staleness });
    const v = validate(graph, m, schedule);
    if (!v.valid) throw new Error(`layerpipe: invalid schedule (bug): ${v.violations.slice(0, 3).map((x) => x.message).join('; ')}`);
    const lb = lowerBounds(graph, m, 'periodic');
    const stages = maxOf(pick.config.stageOfLayer) + 1;
    if (ctx.procs > L) notes.push(`contiguous layer stages: at most ${L} of ${ctx.procs} processors can be used`);
    if (!exhaustive) {
      // The DP prices each boundary alone, exact when tensors only join neighbouring layers; a
      // residual network's skip connections cross several boundaries, so there it is a heuristic.
      const chain = isChain(ctx.net.weightLayers);
      notes.push(`${space.toPrecision(3)} configurations, more than exhaustiveLimit = ${opts.exhaustiveLimit} to score one by one: a dynamic program over stage boundaries found ${chain ? 'the smallest period (exact)' : 'a shortlist (a heuristic on this residual network: its skip connections cross several boundaries, priced at one)'} and the fewest-bytes configuration per stage count`);
    }
    if (binding && binding.loops.length > 0) notes.push(`with the 2S delays the loop of layer ${binding.loops.join(', ')} binds at the load of some configuration`);
    const moved = pick.config.moveBa2.map((x, i) => (x ? i + 1 : 0)).filter((x) => x > 0);
    const details: LayerPipeDetails = {
      stages: groupStages(pick.config.stageOfLayer),
      processorsUsed: stages,
      ba2Moved: moved,
      delayRule: opts.delayRule,
      dataflow: 'spec',
      search: exhaustive ? 'exhaustive' : 'dynamic program',
      configurations: exhaustive ? scored : space,
      bestLoad,
      bestPeriod: minPeriod,
      linkCycles: linkPeriodBound(graph, m, pick.placement.proc),
      crossingBytes: pick.quality.bytes,
    };
    return {
      method: 'layerpipe',
      graph,
      recipe,
      schedule,
      period: pick.placement.period,
      staleness: pick.staleness,
      status: 'feasible',
      bound: lb.bound,
      boundScope: 'graph',
      details,
      notes,
      solverSeconds: (performance.now() - t0) / 1000,
    };
  },
});

/** [first, last] 1-based layer range of every stage. */
function groupStages(stageOfLayer: readonly number[]): LayerRange[] {
  const out: LayerRange[] = [];
  stageOfLayer.forEach((s, i) => {
    if (out.length <= s) out.push([i + 1, i + 1]);
    else out[s][1] = i + 1;
  });
  return out;
}
