/**
 * Run one pipelined-training method end to end: build and schedule (the method), validate (an
 * invalid schedule is a bug: refused with an Error, never returned), simulate K iterations (the
 * measured period and staleness must agree with the claims: a disagreement is a bug too), and
 * compute the metrics and the lower bound.
 *
 * lowerBound = max(ceil T∞ of the method's graph with its staleness, ceil(work/N), longest
 * task) (lib/bounds, periodic), N = the context's processor count; gap = (period − bound)/bound.
 */
import type { Cycles, Machine, TaskGraph, ValidationResult } from '../types';
import { fail } from '../errors';
import { validate } from '../schedule/validate';
import { simulate, type SimulationReport } from '../schedule/simulate';
import { lowerBounds, type LowerBounds } from '../bounds';
import { stalenessOf } from '../graph/taskgraph';
import { buildTrainingGraph } from '../graph/training';
import { totalCommunication } from '../cost/bytes';
import type { ResolvedNetwork, HardwareSpec } from '../spec/types';
import { crossingBytes, gapTo, linkLoad, linkLoadNote, type Crossing, type LinkLoadReport } from '../metrics';
import type { PipelineContext, PipelineResult } from '../../solvers/pipeline/method';
import { getMethod } from '../../solvers/pipeline/registry';

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
  /** The method's notes plus the run's own (slack staleness, overloaded links, binding loop). */
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

/** Total communication of training of `net` (same denominator for every method). */
export function trainingCommunication(net: ResolvedNetwork, hw: HardwareSpec): number {
  return totalCommunication(buildTrainingGraph(net, hw, { variant: 'spikepipe', granularity: 'layer' }));
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
  const crossing = crossingBytes(result.graph, result.schedule);
  const load = linkLoad(result.graph, ctx.machine, result.schedule);
  const notes = [...result.notes, ...judged];
  const ln = linkLoadNote(load, result.period);
  if (ln) notes.push(ln);
  if (bounds.iterationBound > 0 && Math.ceil(bounds.iterationBound) === bounds.bound && bounds.bound > Math.max(bounds.workBound, bounds.longestTask)) {
    notes.push(`the bound is the iteration bound T∞ = ${bounds.iterationBound.toFixed(1)} of loop ${bounds.iterationBoundCycle.join('→')}`);
  }
  return {
    method: result.method,
    result,
    validation,
    simulation,
    bounds,
    lowerBound: bounds.bound,
    gap: gapTo(result.period, bounds.bound),
    crossing,
    linkLoad: load,
    totalCommunication: opts.totalCommunication ?? trainingCommunication(ctx.net, ctx.hw),
    peakMemoryBytes: simulation.peakMemoryBytes,
    notes,
  };
}
