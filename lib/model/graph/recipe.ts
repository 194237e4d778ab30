/**
 * How a scheduled graph was built, as typed data: the training-graph options
 * (lib/model/graph/training.ts) and, for the baselines' stage graphs, the contraction over
 * contiguous stages (lib/model/graph/stages.ts). Every pipeline method returns the recipe of
 * its graph; `spikepipe schedule --out` writes it into the schedule file (`build`), and
 * `validate` and `bounds` rebuild exactly that graph from it — no parsing of names or ids.
 * The per-layer staleness d_l is not part of the recipe: it travels as the schedule's
 * `staleness` (the loop delays 1 + d_l are applied by `buildGraph`).
 */
import type { TaskGraph } from '../types';
import type { HardwareSpec, ResolvedNetwork } from '../spec/types';
import type { DataflowPolicy } from '../cost/gemm';
import { buildTrainingGraph, type Granularity, type Variant } from './training';
import { withStaleness } from './taskgraph';
import { fail } from '../errors';
import { checkCount, LIMITS } from '../limits';
import { gpipeStageGraph, pipedreamStageGraph, replicatedStageGraph } from './stages';
import { chunkStageGraph } from './chunks';

/** 1-based inclusive layer range of one stage. */
export type LayerRange = [number, number];

/** A contraction of the training graph over contiguous stages (the baselines' graphs). */
export type StageContraction =
  /** GPipe: per stage F and B per micro-batch, U once per minibatch; the graph's batch is B/m. */
  | { kind: 'gpipe'; stages: LayerRange[]; microBatches: number }
  /** PipeDream: per stage one F and one combined backward B = Ba1 + Ba2 + Bw + U. */
  | { kind: 'pipedream'; stages: LayerRange[] }
  /** PipeDream with stage replication: stage s on `replicas[s]` processors, B/r samples each. */
  | { kind: 'replicated'; stages: LayerRange[]; replicas: number[] }
  /** Today's synchronous pipelines: per chunk (pipeline order) F, B (input grad) and W (weight grad) per micro-batch, U once; the graph's batch is B/m. */
  | { kind: 'chunks'; stages: LayerRange[]; microBatches: number; splitW: boolean };

export interface GraphRecipe {
  variant: Variant;
  granularity: Granularity;
  /** Samples per iteration of the built training graph (GPipe: the micro-batch size B/m). */
  batch: number;
  dataflow: DataflowPolicy;
  contraction?: StageContraction;
}

/** The recipe of a plain training graph. */
export function trainingRecipe(variant: Variant, granularity: Granularity, batch: number, dataflow: DataflowPolicy): GraphRecipe {
  return { variant, granularity, batch, dataflow };
}

/** Build the graph a recipe describes, with per-layer staleness d_l. */
export function buildGraph(r: GraphRecipe, net: ResolvedNetwork, hw: HardwareSpec, staleness: readonly number[]): TaskGraph {
  const L = net.weightLayers.length;
  const zero = new Array<number>(L).fill(0);
  const at = (batch: number, d: readonly number[]) =>
    buildTrainingGraph(net, hw, { variant: r.variant, granularity: r.granularity, batch, dataflow: r.dataflow, staleness: [...d] });
  const c = r.contraction;
  if (!c) return at(r.batch, staleness);
  const stages = c.stages.map(([a, b], k) => ({ first: a - 1, last: b - 1, replicas: c.kind === 'replicated' ? c.replicas[k] : 1 }));
  if (c.kind === 'replicated') {
    const wb = net.weightLayers.map((w) => w.params * hw.bytesPerValue);
    const stageW = stages.map((s) => wb.slice(s.first, s.last + 1).reduce((a, x) => a + x, 0));
    return withStaleness(replicatedStageGraph((b) => at(b, zero), stages, r.batch, stageW).graph, staleness);
  }
  const base = at(r.batch, zero);
  if (c.kind === 'gpipe') return withStaleness(gpipeStageGraph(base, stages, c.microBatches).graph, staleness);
  if (c.kind === 'chunks') return withStaleness(chunkStageGraph(base, stages, c.microBatches, stages.map(() => 0), c.splitW).graph, staleness);
  return withStaleness(pipedreamStageGraph(base, stages).graph, staleness);
}

/** 1-based layer ranges of 0-based stages. */
export function layerRanges(stages: readonly { first: number; last: number }[]): LayerRange[] {
  return stages.map((s) => [s.first + 1, s.last + 1]);
}

/** True when two graphs have the same tasks (id, kind, layer, cycles, per-type cycles) and edges in the same order. */
export function sameGraph(a: TaskGraph, b: TaskGraph): boolean {
  if (a.tasks.length !== b.tasks.length || a.edges.length !== b.edges.length || a.layers !== b.layers) return false;
  for (let i = 0; i < a.tasks.length; i++) {
    const x = a.tasks[i];
    const y = b.tasks[i];
    if (x.id !== y.id || x.kind !== y.kind || x.layer !== y.layer || x.cycles !== y.cycles) return false;
    if ((x.cyclesByType ?? []).join() !== (y.cyclesByType ?? []).join()) return false;
  }
  for (let i = 0; i < a.edges.length; i++) {
    const x = a.edges[i];
    const y = b.edges[i];
    if (x.from !== y.from || x.to !== y.to || x.bytes !== y.bytes || x.delay !== y.delay || x.data !== y.data || x.loopLayer !== y.loopLayer) return false;
  }
  return true;
}

/**
 * InputError at `where` unless the recipe fits the network: stages cover layers 1..L in order
 * without gaps, one replica count per stage, GPipe's micro-batches times the graph's batch
 * equal to the network's batch, replica counts dividing it.
 */
export function checkRecipe(r: GraphRecipe, net: ResolvedNetwork, where: string): void {
  checkCount(r.batch, LIMITS.batch, `${where}/batch`);
  const c = r.contraction;
  if (!c) return;
  const L = net.weightLayers.length;
  let next = 1;
  c.stages.forEach(([a, b], k) => {
    if (a !== next || b < a || b > L) fail(`${where}/contraction/stages/${k}`, `stages must cover layers 1..${L} in order, got [${a}, ${b}] where layer ${next} starts the next stage`);
    next = b + 1;
  });
  if (next !== L + 1) fail(`${where}/contraction/stages`, `the stages end at layer ${next - 1}, not at the last layer ${L}`);
  const B = net.spec.batch;
  if ((c.kind === 'gpipe' || c.kind === 'chunks') && c.microBatches * r.batch !== B) fail(`${where}/batch`, `${c.microBatches} micro-batches of ${r.batch} samples ≠ the batch ${B} of ${net.spec.name}`);
  if (c.kind !== 'gpipe' && c.kind !== 'chunks' && r.batch !== B) fail(`${where}/batch`, `must be the batch ${B} of ${net.spec.name}, got ${r.batch}`);
  if (c.kind === 'replicated') {
    if (c.replicas.length !== c.stages.length) fail(`${where}/contraction/replicas`, `one replica count per stage: ${c.stages.length} stages, ${c.replicas.length} counts`);
    c.replicas.forEach((q, k) => {
      if (B % q !== 0) fail(`${where}/contraction/replicas/${k}`, `replica count ${q} does not divide the batch ${B}`);
    });
  }
}
