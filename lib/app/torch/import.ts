/**
 * `spikepipe import-schedule <file.csv> <network> --procs N`: a torch compute-only schedule CSV
 * (one row per rank; lib/app/torch/csv.ts) timed on our cost model.
 *
 * The grid is checked first (lib/app/torch/check.ts: every violation, one line each, InputError
 * TorchCsvError). Then the stages become contiguous chunks of the network's layers, balanced as
 * the synchronous baselines balance them (solvers/pipeline/sync-search.ts `syncChunkGraph`, at
 * the micro-batch size B/m), split backward when the CSV uses I/W; orders that wait on each other
 * across ranks are refused with one line naming a stuck action per rank
 * (solvers/pipeline/actions.ts `orderDeadlock`); the lists are timed as they would run, each action
 * as soon as its inputs and its rank allow (actions.ts `actionSchedule`, flushed: d = 0), and the
 * schedule is validated and simulated like every method's. The report: period, bubble, peak memory
 * per rank, and the schedule file (format 2, with its `chunks` recipe) that `--out` writes.
 */
import type { Machine, Schedule, TaskGraph } from '../../model/types';
import { fail, InputError } from '../../model/errors';
import { loadNetwork } from '../../model/spec/network';
import { loadHardware, machineFromHardware } from '../../model/spec/hardware';
import { scheduleFileJson } from '../../model/schedule/schedule';
import { validate } from '../../model/schedule/validate';
import { simulate } from '../../model/schedule/simulate';
import { lowerBounds } from '../../model/bounds';
import { layerRanges, type LayerRange } from '../../model/graph/recipe';
import { checkProcs } from '../../model/machine';
import { actionSchedule, bubbleFraction, formatAction, orderDeadlock, type Action } from '../../../solvers/pipeline/actions';
import { syncChunkGraph } from '../../../solvers/pipeline/sync-search';
import { checkGrid, type CheckedGrid, type GridCheckOptions } from './check';
import { parseCsv, readTextFile } from './csv';

/** A CSV that is no schedule of the chunk graph: every violation, each `file: where: what`. */
export class TorchCsvError extends InputError {
  readonly lines: string[];
  constructor(file: string, violations: readonly string[]) {
    super(file, violations.length === 1 ? violations[0] : `${violations.length} violations, the first: ${violations[0]}`);
    this.name = 'TorchCsvError';
    this.lines = violations.map((v) => `${file}: ${v}`);
  }
}

/** Parse and check CSV text; throws TorchCsvError listing every violation. */
export function checkTorchCsv(text: string, file: string, o: GridCheckOptions): CheckedGrid {
  const checked = checkGrid(parseCsv(text, file), o);
  if (checked.violations.length > 0) throw new TorchCsvError(file, checked.violations);
  return checked;
}

export interface TorchImportOptions {
  procs: number;
  hw?: string;
  microBatches?: number;
  wholeBackward?: boolean;
  /** Simulated iterations (default 32). */
  iterations?: number;
}

export interface TorchImportReport {
  file: string;
  network: string;
  procs: number;
  stages: LayerRange[];
  /** Rank of every stage. */
  rankOfStage: number[];
  microBatches: number;
  splitBackward: boolean;
  period: number;
  simulatedPeriod: number | null;
  lowerBound: number;
  /** Idle share of the ranks' time that run something. */
  bubble: number;
  /** Peak bytes held per rank (weights, activations), as the simulator counts them. */
  peakMemoryBytes: number[];
  /** Each rank's actions, as read. */
  orders: string[][];
  /** Non-compute cells skipped (SEND/RECV, UNSHARD/RESHARD, REDUCE_GRAD). */
  skippedCells: number;
  graph: { name: string; tasks: number; edges: number };
  /** The schedule file `--out` writes (format 2, with its build recipe). */
  schedule: Record<string, unknown>;
}

export interface TorchImport {
  report: TorchImportReport;
  graph: TaskGraph;
  machine: Machine;
  schedule: Schedule;
  orders: Action[][];
}

/** Read, check, build, time, validate and simulate (library form of the command). */
export function importTorchCsv(file: string, network: string, o: TorchImportOptions): TorchImport {
  checkProcs(o.procs);
  const checked = checkTorchCsv(readTextFile(file), file, o);
  const net = loadNetwork(network);
  const hw = loadHardware(o.hw);
  const L = net.weightLayers.length;
  const B = net.spec.batch;
  const { stages: C, microBatches: m, rankOf, splitW, orders } = checked;
  if (C > L) fail(file, `${C} stages, but ${net.spec.name} has ${L} weight layers (a stage is at least one layer)`);
  if (B % m !== 0) fail(file, `${m} micro-batches do not divide the batch ${B} of ${net.spec.name}`);
  const { chunks, cg, recipe } = syncChunkGraph(net, hw, C, m, (c) => rankOf[c], splitW);
  const stuck = orderDeadlock(cg, rankOf, orders);
  if (stuck) {
    const each = stuck.map((s) => `rank ${s.rank} stuck at ${s.action} waiting for ${s.waitsFor}${s.waitsOnRank === s.rank ? ' (later on the same rank)' : ` (rank ${s.waitsOnRank})`}`);
    fail(file, `the ranks' orders wait on each other (deadlock): ${each.join('; ')}`);
  }
  const machine = machineFromHardware(hw, o.procs);
  const timed = actionSchedule(cg, machine, o.procs, rankOf, orders, 'torch-csv');
  const schedule: Schedule = { ...timed.schedule, staleness: [...timed.staleness], method: 'torch-csv' };
  const g = cg.graph;
  const v = validate(g, machine, schedule);
  if (!v.valid) throw new Error(`import-schedule: the timed lists are invalid (bug): ${v.violations[0].message}`);
  const sim = simulate(g, machine, schedule, { iterations: o.iterations });
  if (!sim.ok) throw new Error(`import-schedule: the simulation disagrees (bug): ${sim.messages.join('; ')}`);
  const report: TorchImportReport = {
    file,
    network: net.spec.name,
    procs: o.procs,
    stages: layerRanges(chunks),
    rankOfStage: rankOf,
    microBatches: m,
    splitBackward: splitW,
    period: timed.period,
    simulatedPeriod: sim.measuredPeriod,
    lowerBound: lowerBounds(g, machine, 'periodic').bound,
    bubble: bubbleFraction(cg, timed.period),
    peakMemoryBytes: sim.peakMemory.map((x) => x.totalBytes),
    orders: orders.map((list) => list.map(formatAction)),
    skippedCells: checked.skipped,
    graph: { name: g.name, tasks: g.tasks.length, edges: g.edges.length },
    schedule: scheduleFileJson(schedule, { network: net.spec.name, hardware: hw.name, ...recipe }),
  };
  return { report, graph: g, machine, schedule, orders };
}

const range = ([a, b]: LayerRange) => (a === b ? `${a}` : `${a}-${b}`);

export function formatTorchImport(r: TorchImportReport): string {
  const lines = [
    `${r.file} on ${r.network}, ${r.procs} ranks: ${r.stages.length} stage${r.stages.length === 1 ? '' : 's'} (layers ${r.stages.map(range).join(' | ')}; ranks ${r.rankOfStage.join(',')}), ${r.microBatches} micro-batch${r.microBatches === 1 ? '' : 'es'}, ${r.splitBackward ? 'backward split into I and W' : 'whole backwards'}`,
    `  period          ${r.period} cycles per minibatch (simulated ${r.simulatedPeriod ?? '-'}; lower bound of the graph ${r.lowerBound})`,
    `  bubble          ${(100 * r.bubble).toFixed(1)} % of the working ranks' time idle`,
    `  peak memory     ${r.peakMemoryBytes.map((b, p) => `rank ${p}: ${b} B`).join(', ')}`,
    `  graph           ${r.graph.name}: ${r.graph.tasks} tasks, ${r.graph.edges} edges`,
  ];
  if (r.skippedCells > 0) lines.push(`  note: ${r.skippedCells} non-compute cell${r.skippedCells === 1 ? '' : 's'} (SEND/RECV, UNSHARD/RESHARD, REDUCE_GRAD) skipped: the cost model times transfers itself`);
  r.orders.forEach((list, p) => lines.push(`  rank ${p}          ${list.join(' ') || '(idle)'}`));
  return lines.join('\n') + '\n';
}
