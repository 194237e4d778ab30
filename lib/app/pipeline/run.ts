/**
 * Run one pipelined-training method end to end: build and schedule (the method), validate (an
 * invalid schedule is a bug: refused with an Error, never returned — the validator includes the
 * link throughput check, lib/model/machine.ts), simulate K iterations (the measured period and
 * staleness must agree with the claims: a disagreement is a bug too; the simulator times
 * transfers by latency only), and compute the metrics and the lower bound.
 *
 * lowerBound = max(lib bound, method bound) where the lib bound is max(ceil T∞ of the method's
 * graph with its staleness, ceil(work/N), longest task) (lib/model/bounds, periodic), N = the
 * context's processor count, and the method bound is the result's `bound` when its
 * `boundScope` is 'graph' — a proven lower bound on the period of ANY valid schedule of that
 * graph on this machine. Per method: the baselines and LayerPipe report the lib bound itself;
 * SpikePipe adds the assignment bound (P||Cmax packing of the task cycles — every processor's
 * load fits in the period — or, when proven, the optimum over assignments of max(load, busiest
 * link)), spikepipe-ilp the MILP's (smallest period proven infeasible + 1); sequential's bound
 * is for ONE processor ('method') and is not used. A lower bound above the validated period is
 * a bug (PipelineBugError). gap = (period − lowerBound)/lowerBound.
 */
import type { Cycles, Machine, TaskGraph, ValidationResult } from '../../model/types';
import { fail } from '../../model/errors';
import { validate } from '../../model/schedule/validate';
import { simulate, type SimulationReport } from '../../model/schedule/simulate';
import { lowerBounds, type LowerBounds } from '../../model/bounds';
import { stalenessOf, withStaleness } from '../../model/graph/taskgraph';
import { buildTrainingGraph } from '../../model/graph/training';
import type { ResolvedNetwork, HardwareSpec } from '../../model/spec/types';
import { crossingBytes, gapTo, linkLoad, linkLoadNote, trainingCommunication, type Crossing, type LinkLoadReport } from '../../model/metrics';

export { trainingCommunication };
import type { PipelineContext, PipelineResult } from '../../../solvers/pipeline/method';
import { getMethod } from '../../../solvers/pipeline/registry';
import { gpipeStageGraph, pipedreamStageGraph, replicatedStageGraph } from '../../model/graph/stages';

export interface PipelineRunResult {
  method: string;
  result: PipelineResult;
  validation: ValidationResult;
  simulation: SimulationReport;
  bounds: LowerBounds;
  lowerBound: Cycles;
  gap: number;
  crossing: Crossing;
  linkLoad: LinkLoadReport;
  /** Total communication of training of the network (SpikePipe layer graph), the overhead denominator. */
  totalCommunication: number;
  peakMemoryBytes: number;
  /** The method's notes plus the run's own (slack staleness, a link that binds, binding loop). */
  notes: string[];
}

/** Simulated iterations K used by runMethod. */
export const RUN_ITERATIONS = 32;

/** An internal inconsistency: a method returned a schedule the judges reject. */
export class PipelineBugError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PipelineBugError';
  }
}

/** Number of tasks of the finest graph a method schedules (SpikePipe's layer graph): the --procs cap. */
export function maxUsefulProcs(net: ResolvedNetwork, hw: HardwareSpec): number {
  return buildTrainingGraph(net, hw, { variant: 'spikepipe', granularity: 'layer' }).tasks.length;
}

/** InputError when N exceeds the number of tasks of the network's SpikePipe layer graph. */
export function checkProcsForNetwork(net: ResolvedNetwork, hw: HardwareSpec, procs: number, where = '--procs'): void {
  const cap = maxUsefulProcs(net, hw);
  if (procs > cap) fail(where, `${procs} processors exceed the ${cap} tasks of ${net.spec.name}'s training graph (at most ${cap})`);
}

/** Check a result against the validator and the simulator; returns their reports or throws PipelineBugError. */
export function judge(r: PipelineResult, m: Machine, iterations = RUN_ITERATIONS): { validation: ValidationResult; simulation: SimulationReport; notes: string[] } {
  const g: TaskGraph = r.graph;
  const where = `${r.method} on ${g.name}`;
  if (r.schedule.period !== r.period) throw new PipelineBugError(`${where}: result period ${r.period} ≠ schedule period ${r.schedule.period}`);
  const encoded = stalenessOf(g);
  if (g.layers > 0 && encoded.some((d, i) => d !== r.staleness[i])) {
    throw new PipelineBugError(`${where}: claimed staleness [${r.staleness}] ≠ the graph's loop delays [${encoded}]`);
  }
  const validation = validate(g, m, r.schedule);
  if (!validation.valid) {
    const first = validation.violations.slice(0, 3).map((v) => v.message);
    throw new PipelineBugError(`${where}: invalid schedule (${validation.violations.length} violations): ${first.join('; ')}`);
  }
  const simulation = simulate(g, m, r.schedule, { iterations });
  const notes: string[] = [];
  if (!simulation.ok) throw new PipelineBugError(`${where}: simulation disagrees: ${simulation.messages.join('; ')}`);
  for (const x of simulation.staleness) {
    if (x.measured !== null && x.measured < x.claimed) notes.push(`layer ${x.layer}: simulated staleness ${x.measured} < claimed ${x.claimed} (the schedule has slack)`);
  }
  return { validation, simulation, notes };
}

/** Run, validate, simulate and measure one method. `total` = trainingCommunication (computed if absent). */
export async function runMethod(name: string, ctx: PipelineContext, opts: { iterations?: number; totalCommunication?: number } = {}): Promise<PipelineRunResult> {
  const method = getMethod(name);
  if (ctx.machine.procs !== ctx.procs) throw new Error(`runMethod: machine has ${ctx.machine.procs} processors, context ${ctx.procs}`);
  const result = await method.run(ctx);
  const { validation, simulation, notes: judged } = judge(result, ctx.machine, opts.iterations ?? RUN_ITERATIONS);
  const bounds = lowerBounds(result.graph, ctx.machine, 'periodic');
  const lowerBound = result.boundScope === 'graph' ? Math.max(bounds.bound, result.bound) : bounds.bound;
  if (lowerBound > result.period) {
    throw new PipelineBugError(`${result.method} on ${result.graph.name}: lower bound ${lowerBound} above the validated period ${result.period}`);
  }
  const crossing = crossingBytes(result.graph, result.schedule);
  const load = linkLoad(result.graph, ctx.machine, result.schedule);
  const notes = [...result.notes, ...judged];
  const ln = linkLoadNote(load, result.period);
  if (ln) notes.push(ln);
  if (bounds.iterationBound > 0 && Math.ceil(bounds.iterationBound) === lowerBound && bounds.bound > Math.max(bounds.workBound, bounds.longestTask)) {
    const c = bounds.iterationBoundCycle;
    const loop = c.length <= 6 ? c.join('→') : `${c.slice(0, 2).join('→')}→…→${c.at(-1)}`;
    notes.push(`bound = iteration bound T∞ = ${+bounds.iterationBound.toFixed(1)} (loop ${loop}, ${c.length} tasks)`);
  }
  return {
    method: result.method,
    result,
    validation,
    simulation,
    bounds,
    lowerBound,
    gap: gapTo(result.period, lowerBound),
    crossing,
    linkLoad: load,
    totalCommunication: opts.totalCommunication ?? trainingCommunication(ctx.net, ctx.hw),
    peakMemoryBytes: simulation.peakMemoryBytes,
    notes,
  };
}

/**
 * What it takes to rebuild a method's graph from the network and hardware (written beside a
 * schedule by `spikepipe schedule --out`): the training-graph options, plus, for the baselines'
 * contracted graphs, the contraction, the stages (1-based layer ranges) and GPipe's
 * micro-batches. `staleness` sits on the schedule itself.
 */
export interface GraphRecipe {
  network: string;
  hardware: string;
  variant: 'spikepipe' | 'pipedream';
  granularity: 'layer' | 'timestep';
  /** Samples per graph iteration unit (GPipe: the micro-batch size B/m). */
  batch: number;
  dataflow: 'spec' | 'best';
  contraction?: 'gpipe' | 'pipedream' | 'pipedream-replicated';
  stages?: [number, number][];
  /** pipedream-replicated: replicas per stage. */
  replicas?: number[];
  microBatches?: number;
}

function metaString(g: TaskGraph, key: string): string | undefined {
  const v = g.meta?.[key];
  return typeof v === 'string' ? v : undefined;
}

/** The recipe of a method's graph, read off its meta (set by buildTrainingGraph and stage-graph). */
export function graphRecipe(g: TaskGraph, net: ResolvedNetwork, hw: HardwareSpec): GraphRecipe {
  const variant = metaString(g, 'variant');
  const granularity = (metaString(g, 'granularity') ?? 'layer') as GraphRecipe['granularity'];
  const dataflow = (metaString(g, 'dataflow') ?? 'spec') as GraphRecipe['dataflow'];
  const batch = typeof g.meta?.batch === 'number' ? g.meta.batch : net.spec.batch;
  const base = { network: net.spec.name, hardware: hw.name, granularity, batch, dataflow };
  // meta.stages: `first-last` per stage (1-based), `xR` appended for replicated stages.
  const parts = (metaString(g, 'stages') ?? '').split(',').map((r) => r.split('x'));
  const stages = (): [number, number][] => parts.map(([range]) => range.split('-').map(Number) as [number, number]);
  if (variant === 'gpipe-stages') {
    return { ...base, variant: 'spikepipe', contraction: 'gpipe', stages: stages(), microBatches: Number(g.meta?.microBatches) };
  }
  if (variant === 'pipedream-stages') return { ...base, variant: 'pipedream', contraction: 'pipedream', stages: stages() };
  if (variant === 'pipedream-replicated-stages') {
    return { ...base, variant: 'spikepipe', contraction: 'pipedream-replicated', stages: stages(), replicas: parts.map((p) => Number(p[1] ?? 1)) };
  }
  if (variant === 'spikepipe' || variant === 'pipedream') return { ...base, variant };
  throw new Error(`graphRecipe: ${g.name} does not say how it was built (meta.variant = ${String(variant)})`);
}

/** Rebuild a graph from its recipe with the given per-layer staleness. */
export function rebuildGraph(r: GraphRecipe, net: ResolvedNetwork, hw: HardwareSpec, staleness: number[]): TaskGraph {
  const L = net.weightLayers.length;
  const zero = new Array<number>(L).fill(0);
  const layerGraph = buildTrainingGraph(net, hw, {
    variant: r.variant,
    granularity: r.granularity,
    batch: r.batch,
    dataflow: r.dataflow,
    staleness: r.contraction ? zero : staleness,
  });
  if (!r.contraction) return layerGraph;
  const stages = (r.stages ?? []).map(([a, b], k) => ({ first: a - 1, last: b - 1, replicas: r.replicas?.[k] ?? 1 }));
  if (r.contraction === 'pipedream-replicated') {
    const wb = net.weightLayers.map((w) => w.params * hw.bytesPerValue);
    const stageW = stages.map((s) => wb.slice(s.first, s.last + 1).reduce((a, x) => a + x, 0));
    const at = (b: number) => buildTrainingGraph(net, hw, { variant: 'spikepipe', granularity: r.granularity, batch: b, dataflow: r.dataflow, staleness: zero });
    return withStaleness(replicatedStageGraph(at, stages, r.batch, stageW).graph, staleness);
  }
  if (r.contraction === 'gpipe') return withStaleness(gpipeStageGraph(layerGraph, stages, r.microBatches ?? 1).graph, staleness);
  return withStaleness(pipedreamStageGraph(layerGraph, stages).graph, staleness);
}

/** True when two graphs have the same tasks (id, kind, layer, cycles) and edges in the same order. */
export function sameGraph(a: TaskGraph, b: TaskGraph): boolean {
  if (a.tasks.length !== b.tasks.length || a.edges.length !== b.edges.length || a.layers !== b.layers) return false;
  for (let i = 0; i < a.tasks.length; i++) {
    const x = a.tasks[i];
    const y = b.tasks[i];
    if (x.id !== y.id || x.kind !== y.kind || x.layer !== y.layer || x.cycles !== y.cycles) return false;
  }
  for (let i = 0; i < a.edges.length; i++) {
    const x = a.edges[i];
    const y = b.edges[i];
    if (x.from !== y.from || x.to !== y.to || x.bytes !== y.bytes || x.delay !== y.delay || x.data !== y.data || x.loopLayer !== y.loopLayer) return false;
  }
  return true;
}
