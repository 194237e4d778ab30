/**
 * `spikepipe schedule <network> --procs N --method M [--hw f] [--micro-batches m]
 *  [--time-limit s] [--out schedule.json] [--json]`: run one pipelined-training method
 * (lib/app/pipeline/run: schedule, validate, simulate, measure) and print its period, bound,
 * staleness and placement.
 *
 * `--out` writes the Schedule (with `staleness`, `graph` = the network's name, `method`, and
 * `build`, the recipe that rebuilds the scheduled graph) only after validation and simulation
 * succeeded and the recipe was checked to rebuild the very graph scheduled; the file is
 * written to a temporary name and renamed, so it is never partial.
 *
 * Bad input → one line, exit 2: unknown method, N above the number of tasks of the network's
 * training graph, micro-batches not dividing the batch, and whatever the method itself rejects.
 */
import type { Command } from 'commander';
import type { CliIO } from '../io';
import { printJson } from '../io';
import { fail } from '../../../model/errors';
import { checkProcs } from '../../../model/machine';
import { loadNetwork } from '../../../model/spec/network';
import { loadHardware, machineFromHardware } from '../../../model/spec/hardware';
import type { HardwareSpec, ResolvedNetwork } from '../../../model/spec/types';
import { sortedTasks } from '../../../model/schedule/schedule';
import { writeFileAtomic } from '../../../model/io/jsonl';
import { commOverhead } from '../../../model/metrics';
import type { PipelineContext, PipelineOptions } from '../../../../solvers/pipeline/method';
import { getMethod, METHOD_NAMES } from '../../../../solvers/pipeline/registry';
import { checkProcsForNetwork, graphRecipe, rebuildGraph, runMethod, sameGraph, trainingCommunication, type PipelineRunResult } from '../../pipeline/run';
import { parsePositiveInt } from './cost';

interface ScheduleCliOptions {
  procs?: string;
  method?: string;
  hw?: string;
  microBatches?: string;
  timeLimit?: string;
  out?: string;
  json?: boolean;
}

/** A positive number of seconds (`--time-limit`). */
export function parseSeconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(value) || !(x > 0)) fail(flag, `must be a positive number of seconds, got "${value}"`);
  return x;
}

/** Options shared by `schedule` and `compare`, checked against a network. */
export function pipelineOptions(opts: { microBatches?: string; timeLimit?: string }): PipelineOptions {
  const o: PipelineOptions = {};
  const mb = parsePositiveInt(opts.microBatches, '--micro-batches');
  if (mb !== undefined) o.microBatches = mb;
  const tl = parseSeconds(opts.timeLimit, '--time-limit');
  if (tl !== undefined) o.timeLimitSeconds = tl;
  return o;
}

export function checkMicroBatches(net: ResolvedNetwork, options: PipelineOptions): void {
  const mb = options.microBatches;
  if (mb !== undefined && net.spec.batch % mb !== 0) {
    fail('--micro-batches', `must divide the batch ${net.spec.batch} of ${net.spec.name}, got ${mb}`);
  }
}

export interface ScheduleReport {
  network: string;
  procs: number;
  method: string;
  period: number;
  lowerBound: number;
  gap: number;
  simulatedPeriod: number | null;
  staleness: number[];
  crossingBytes: number;
  /** Against PipeDream on the same network and N (null when PipeDream itself fails). */
  commOverhead: number | null;
  totalCommunication: number;
  peakMemoryBytes: number;
  utilisation: number[];
  status: string;
  details: Record<string, unknown>;
  notes: string[];
  solverSeconds: number;
  graph: { name: string; tasks: number; edges: number };
  schedule: ReturnType<typeof fileSchedule>;
}

/** The Schedule as written by --out: the schedule, network name as `graph`, and the build recipe. */
export function fileSchedule(r: PipelineRunResult, net: ResolvedNetwork, hw: HardwareSpec) {
  const s = r.result.schedule;
  return {
    kind: s.kind,
    procs: s.procs,
    period: s.period,
    staleness: [...r.result.staleness],
    method: r.method,
    graph: net.spec.name,
    build: graphRecipe(r.result.graph, net, hw),
    tasks: sortedTasks(s),
  };
}

/** Run the method and assemble the report (library form of the command). */
export async function scheduleCommand(network: string, procs: number, method: string, hwArg: string | undefined, options: PipelineOptions): Promise<{ report: ScheduleReport; run: PipelineRunResult; net: ResolvedNetwork; hw: HardwareSpec }> {
  checkProcs(procs);
  getMethod(method);
  const net = loadNetwork(network);
  const hw = loadHardware(hwArg);
  checkProcsForNetwork(net, hw, procs);
  checkMicroBatches(net, options);
  const ctx: PipelineContext = { net, hw, machine: machineFromHardware(hw, procs), procs, options };
  const total = trainingCommunication(net, hw);
  const run = await runMethod(method, ctx, { totalCommunication: total });
  let overhead: number | null = null;
  if (method === 'pipedream') overhead = 0;
  else {
    try {
      const pd = await runMethod('pipedream', ctx, { totalCommunication: total });
      overhead = commOverhead(run.crossing.total, pd.crossing.total, total);
    } catch {
      overhead = null;
    }
  }
  const report: ScheduleReport = {
    network: net.spec.name,
    procs,
    method: run.method,
    period: run.result.period,
    lowerBound: run.lowerBound,
    gap: run.gap,
    simulatedPeriod: run.simulation.measuredPeriod,
    staleness: [...run.result.staleness],
    crossingBytes: run.crossing.total,
    commOverhead: overhead,
    totalCommunication: total,
    peakMemoryBytes: run.peakMemoryBytes,
    utilisation: run.simulation.utilisation,
    status: run.result.status,
    details: run.result.details,
    notes: run.notes,
    solverSeconds: run.result.solverSeconds,
    graph: { name: run.result.graph.name, tasks: run.result.graph.tasks.length, edges: run.result.graph.edges.length },
    schedule: fileSchedule(run, net, hw),
  };
  return { report, run, net, hw };
}

const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(3)} %`);

export function formatScheduleReport(r: ScheduleReport): string {
  const lines = [
    `${r.method} on ${r.network}, ${r.procs} processors (graph ${r.graph.name}: ${r.graph.tasks} tasks, ${r.graph.edges} edges)`,
    `  period          ${r.period} cycles per minibatch (simulated ${r.simulatedPeriod ?? '-'})`,
    `  lower bound     ${r.lowerBound}  (gap ${pct(r.gap)})`,
    `  staleness d_l   ${r.staleness.join(', ')}`,
    `  crossing bytes  ${r.crossingBytes} per minibatch (comm overhead vs PipeDream ${pct(r.commOverhead)} of ${r.totalCommunication} B)`,
    `  peak memory     ${r.peakMemoryBytes} B on the busiest processor`,
    `  utilisation     ${r.utilisation.map((u) => `${(100 * u).toFixed(1)}%`).join(' ')}`,
  ];
  const d = r.details;
  if (typeof d.microBatches === 'number') lines.push(`  micro-batches   ${d.microBatches}`);
  if (Array.isArray(d.stages)) lines.push(`  stages          ${(d.stages as [number, number][]).map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(' | ')}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  lines.push('  placement (processor: task@start …)');
  const byProc = new Map<number, string[]>();
  for (const t of r.schedule.tasks) {
    const l = byProc.get(t.processor) ?? [];
    l.push(`${t.id}@${t.start}`);
    byProc.set(t.processor, l);
  }
  for (const [p, l] of [...byProc].sort((a, b) => a[0] - b[0])) lines.push(`    p${p}: ${l.join(' ')}`);
  return lines.join('\n') + '\n';
}

export function register(program: Command, io: CliIO): void {
  program
    .command('schedule')
    .description('schedule the training of a network with one pipelining method; validated and simulated')
    .argument('<network>', 'network JSON file or shipped id')
    .requiredOption('--procs <n>', 'number of processors')
    .requiredOption('--method <m>', `one of ${METHOD_NAMES.join(', ')}`)
    .option('--hw <file>', 'hardware JSON file or shipped id (default hardware otherwise)')
    .option('--micro-batches <m>', 'GPipe: micro-batches (must divide the batch; default: best of 1, 2, 4, 8)')
    .option('--time-limit <s>', 'exact solvers: wall-clock limit in seconds')
    .option('--out <file>', 'write the schedule JSON (only once it validated)')
    .option('--json', 'print JSON')
    .action(async (network: string, opts: ScheduleCliOptions) => {
      const procs = parsePositiveInt(opts.procs, '--procs')!;
      const options = pipelineOptions(opts);
      const { report, run, net, hw } = await scheduleCommand(network, procs, opts.method!, opts.hw, options);
      if (opts.out !== undefined) {
        const rebuilt = rebuildGraph(report.schedule.build, net, hw, report.staleness);
        if (!sameGraph(rebuilt, run.result.graph)) throw new Error(`schedule --out: the recipe does not rebuild ${run.result.graph.name} (bug)`);
        writeFileAtomic(opts.out, JSON.stringify(report.schedule, null, 2) + '\n');
      }
      if (opts.json) printJson(io, report);
      else io.out(formatScheduleReport(report));
    });
}
