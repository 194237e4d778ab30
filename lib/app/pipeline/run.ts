/**
 * Run pipelined-training methods on one cell (a network on a hardware spec with N processors):
 * build and schedule (the method), check that the result's recipe rebuilds its graph, validate
 * (an invalid schedule is a bug: refused with an Error, never returned — the validator includes
 * the link throughput check, lib/model/machine.ts), simulate K iterations (the measured period
 * and staleness must agree with the claims: a disagreement is a bug too; the simulator times
 * transfers by latency only), and compute the metrics and the lower bound. A cell runs each
 * method at most once: a method that needs another's result (SpikePipe seeds its search with
 * PipeDream's and GPipe's plans) receives the same validated run the cell reports.
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
import { LIMITS } from '../../model/limits';
import { validate } from '../../model/schedule/validate';
import { simulate, type SimulationReport } from '../../model/schedule/simulate';
import { lowerBounds, type LowerBounds } from '../../model/bounds';
import { stalenessOf } from '../../model/graph/taskgraph';
import { buildTrainingGraph } from '../../model/graph/training';
import { buildGraph, sameGraph } from '../../model/graph/recipe';
import type { ResolvedNetwork, HardwareSpec } from '../../model/spec/types';
import { machineFromHardware } from '../../model/spec/hardware';
import { crossingBytes, gapTo, linkLoad, linkLoadNote, trainingCommunication, trainingMemoryTraffic, type Crossing, type LinkLoadReport } from '../../model/metrics';
import type { PipelineContext, PipelineResult } from '../../../solvers/pipeline/method';
import { parseOptions, type RawOptions } from '../../../solvers/options';
import { getMethod, type AnyMethod } from '../../../solvers/registry';

export interface PipelineRunResult {
  method: string;
  result: PipelineResult<any>;
  validation: ValidationResult;
  simulation: SimulationReport;
  bounds: LowerBounds;
  lowerBound: Cycles;
  gap: number;
  crossing: Crossing;
  linkLoad: LinkLoadReport;
  /** Total communication of training of the network (SpikePipe layer graph), the overhead denominator. */
  totalCommunication: number;
  /** The second reading: that plus the SRAM traffic of every task (lib/model/metrics/memory-traffic.ts). */
  totalTraffic: number;
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

/** Raw options per method name (what a command line or a sweep spec gives each method). */
export type MethodOptions = Readonly<Record<string, RawOptions>>;

/**
 * Validate every method's options against its descriptor (InputError at `where`, naming the
 * method and option). Keys must be method names.
 */
export function checkMethodOptions(options: MethodOptions, where: string): void {
  for (const [name, raw] of Object.entries(options)) parseOptions(name, getMethod(name, where).options, raw, `${where}: ${name}`);
}

/**
 * Check a result against its recipe, the validator and the simulator; returns their reports or
 * throws PipelineBugError.
 */
export function judge(r: PipelineResult<unknown>, net: ResolvedNetwork, hw: HardwareSpec, m: Machine, iterations = RUN_ITERATIONS): { validation: ValidationResult; simulation: SimulationReport; notes: string[] } {
  const g: TaskGraph = r.graph;
  const where = `${r.method} on ${g.name}`;
  if (r.schedule.period !== r.period) throw new PipelineBugError(`${where}: result period ${r.period} ≠ schedule period ${r.schedule.period}`);
  const encoded = stalenessOf(g);
  if (g.layers > 0 && encoded.some((d, i) => d !== r.staleness[i])) {
    throw new PipelineBugError(`${where}: claimed staleness [${r.staleness}] ≠ the graph's loop delays [${encoded}]`);
  }
  if (!sameGraph(buildGraph(r.recipe, net, hw, r.staleness), g)) throw new PipelineBugError(`${where}: the result's recipe does not rebuild its graph`);
  const validation = validate(g, m, r.schedule);
  if (!validation.valid) {
    const first = validation.violations.slice(0, 3).map((v) => v.message);
    throw new PipelineBugError(`${where}: invalid schedule (${validation.violations.length} violations): ${first.join('; ')}`);
  }
  // The measured staleness of a layer is the least over the measured iterations, and an early
  // iteration cannot be staler than the iterations before it: measure past twice the largest d_l.
  const dMax = r.staleness.reduce((a, d) => Math.max(a, d), 0);
  const simulation = simulate(g, m, r.schedule, { iterations: Math.min(LIMITS.iterations, Math.max(iterations, 2 * dMax + 8)) });
  const notes: string[] = [];
  if (!simulation.ok) throw new PipelineBugError(`${where}: simulation disagrees: ${simulation.messages.join('; ')}`);
  for (const x of simulation.staleness) {
    if (x.measured !== null && x.measured < x.claimed) notes.push(`layer ${x.layer}: simulated staleness ${x.measured} < claimed ${x.claimed} (the schedule has slack)`);
  }
  return { validation, simulation, notes };
}

export interface CellInput {
  net: ResolvedNetwork;
  hw: HardwareSpec;
  procs: number;
  /** Options per method name (validated when the method runs); methods not named get their defaults. */
  options?: MethodOptions;
  /** Simulated iterations (default RUN_ITERATIONS). */
  iterations?: number;
}

/** One (network, hardware, N): runs each method at most once and hands its result to the others. */
export interface PipelineCell {
  readonly net: ResolvedNetwork;
  readonly hw: HardwareSpec;
  readonly procs: number;
  readonly machine: Machine;
  /** Total communication of training (the overhead denominator), computed once. */
  totalCommunication(): number;
  /** The second reading of it, with every task's memory traffic, computed once. */
  totalTraffic(): number;
  /**
   * The validated, simulated run of a method (memoised; a failure is remembered too), with the
   * cell's options for it, or with `options` instead (another configuration of the same method,
   * e.g. one budget of a Pareto sweep; memoised per configuration). The methods it seeds from
   * always run with the cell's own options.
   */
  run(method: string | AnyMethod, options?: RawOptions): Promise<PipelineRunResult>;
  /** The context methods receive (its `use` is this cell's `run`). */
  readonly context: PipelineContext;
}

export function pipelineCell(input: CellInput): PipelineCell {
  const { net, hw, procs } = input;
  checkMethodOptions(input.options ?? {}, 'options');
  const machine = machineFromHardware(hw, procs);
  const runs = new Map<string, Promise<PipelineRunResult>>();
  let total: number | undefined;
  let traffic: number | undefined;
  const cell: PipelineCell = {
    net,
    hw,
    procs,
    machine,
    totalCommunication: () => (total ??= trainingCommunication(net, hw)),
    totalTraffic: () => (traffic ??= trainingMemoryTraffic(net, hw)),
    run(method, options) {
      const m = typeof method === 'string' ? getMethod(method) : method;
      const key = options === undefined ? m.name : `${m.name} ${JSON.stringify(options)}`;
      let p = runs.get(key);
      if (!p) {
        p = execute(m, cell, options ?? input.options?.[m.name] ?? {}, input.iterations ?? RUN_ITERATIONS);
        runs.set(key, p);
      }
      return p;
    },
    context: {
      net,
      hw,
      machine,
      procs,
      use: async (m) => (await cell.run(m)).result,
    },
  };
  return cell;
}

/** Run, validate, simulate and measure one method on a cell (or on a fresh cell of `input`). */
export function runMethod(name: string, cell: PipelineCell | CellInput): Promise<PipelineRunResult> {
  return ('run' in cell ? cell : pipelineCell(cell)).run(name);
}

async function execute(method: AnyMethod, cell: PipelineCell, raw: RawOptions, iterations: number): Promise<PipelineRunResult> {
  const { net, hw, machine } = cell;
  const options = parseOptions(method.name, method.options, raw, `options of ${method.name}`);
  const result: PipelineResult<unknown> = await method.run(cell.context, options);
  const { validation, simulation, notes: judged } = judge(result, net, hw, machine, iterations);
  const bounds = lowerBounds(result.graph, machine, 'periodic');
  const lowerBound = result.boundScope === 'graph' ? Math.max(bounds.bound, result.bound) : result.boundScope === 'problem' ? result.bound : bounds.bound;
  if (lowerBound > result.period) {
    throw new PipelineBugError(`${result.method} on ${result.graph.name}: lower bound ${lowerBound} above the validated period ${result.period}`);
  }
  const crossing = crossingBytes(result.graph, result.schedule);
  const load = linkLoad(result.graph, machine, result.schedule);
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
    totalCommunication: cell.totalCommunication(),
    totalTraffic: cell.totalTraffic(),
    peakMemoryBytes: simulation.peakMemoryBytes,
    notes,
  };
}
