/**
 * `spikepipe schedule <network> --procs N --method M [--hw f] [--micro-batches m]
 *  [--time-limit s] [--delay-rule r] [--option name=value…] [--out schedule.json] [--json]`:
 * run one pipelined-training method (lib/app/pipeline/run: schedule, validate, simulate,
 * measure) and print its period, bound, staleness and placement. Options are the method's own
 * (its descriptor; lib/app/cli/method-options.ts): one it does not take is refused.
 *
 * `--out` writes the schedule file (format 2, lib/model/schedule/schedule.ts: the schedule
 * with `staleness`, `graph` = the network's name, `method`, and `build`, the recipe that
 * rebuilds the scheduled graph) only after validation and simulation succeeded and the recipe
 * was checked to rebuild the very graph scheduled; the file is written to a temporary name and
 * renamed, so it is never partial.
 *
 * Bad input → one line, exit 2: unknown method or option, N above the number of tasks of the
 * network's training graph, micro-batches not dividing the batch, and whatever the method
 * itself rejects.
 */
import type { Command } from 'commander';
import type { CliIO } from '../io';
import { printJson } from '../io';
import { fail } from '../../../model/errors';
import { checkProcs } from '../../../model/machine';
import { loadNetwork } from '../../../model/spec/network';
import { loadHardware } from '../../../model/spec/hardware';
import type { HardwareSpec, ResolvedNetwork } from '../../../model/spec/types';
import { scheduleFileJson, type ScheduleBuild } from '../../../model/schedule/schedule';
import { checkOutputPath, writeOutput } from '../../../model/io/output';
import { commOverhead } from '../../../model/metrics';
import { optionHelp } from '../../../../solvers/options';
import { getMethod, listMethods, methodNames } from '../../../../solvers/registry';
import { checkMethodOptions, checkProcsForNetwork, pipelineCell, type MethodOptions, type PipelineRunResult } from '../../pipeline/run';
import { addOptionFlags, methodOptionsFromFlags, seconds, type MethodOptionFlags } from '../method-options';
import { parsePositiveInt } from './cost';
import { formatGraphScheduleReport, isGraphFileArg, scheduleGraphCommand } from './schedule-graph';

interface ScheduleCliOptions extends MethodOptionFlags {
  procs?: string;
  method?: string;
  hw?: string;
  out?: string;
  json?: boolean;
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
  /** Micro-batches per minibatch (GPipe). */
  microBatches?: number;
  /** With a budget: whether the lower bound takes it into account. */
  boundUnderBudget?: boolean;
  details: Record<string, unknown>;
  notes: string[];
  solverSeconds: number;
  graph: { name: string; tasks: number; edges: number };
  /** The schedule file `--out` writes (format 2, with its build recipe). */
  schedule: Record<string, unknown>;
}

/** The build recipe of a run: its network, hardware and graph recipe. */
export function scheduleBuild(r: PipelineRunResult, net: ResolvedNetwork, hw: HardwareSpec): ScheduleBuild {
  return { network: net.spec.name, hardware: hw.name, ...r.result.recipe };
}

/**
 * Run the method and assemble the report (library form of the command). `options` are per
 * method name (the method's own, and those of the methods it seeds from).
 */
export async function scheduleCommand(network: string, procs: number, method: string, hwArg: string | undefined, options: MethodOptions = {}): Promise<{ report: ScheduleReport; run: PipelineRunResult; net: ResolvedNetwork; hw: HardwareSpec }> {
  checkProcs(procs);
  getMethod(method);
  checkMethodOptions(options, 'options');
  const net = loadNetwork(network);
  const hw = loadHardware(hwArg);
  checkProcsForNetwork(net, hw, procs);
  const mb = options.gpipe?.microBatches;
  if (typeof mb === 'number' && net.spec.batch % mb !== 0) fail('--micro-batches', `must divide the batch ${net.spec.batch} of ${net.spec.name}, got ${mb}`);
  const cell = pipelineCell({ net, hw, procs, options });
  const run = await cell.run(method);
  const total = cell.totalCommunication();
  let overhead: number | null = null;
  if (method === 'pipedream') overhead = 0;
  else {
    try {
      const pd = await cell.run('pipedream');
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
    ...(run.result.microBatches !== undefined ? { microBatches: run.result.microBatches } : {}),
    ...(run.result.boundUnderBudget !== undefined ? { boundUnderBudget: run.result.boundUnderBudget } : {}),
    details: run.result.details,
    notes: run.notes,
    solverSeconds: run.result.solverSeconds,
    graph: { name: run.result.graph.name, tasks: run.result.graph.tasks.length, edges: run.result.graph.edges.length },
    schedule: scheduleFileJson({ ...run.result.schedule, staleness: [...run.result.staleness], method: run.method }, scheduleBuild(run, net, hw)),
  };
  return { report, run, net, hw };
}

const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(3)} %`);

export function formatScheduleReport(r: ScheduleReport): string {
  const lines = [
    `${r.method} on ${r.network}, ${r.procs} processors (graph ${r.graph.name}: ${r.graph.tasks} tasks, ${r.graph.edges} edges)`,
    `  period          ${r.period} cycles per minibatch (simulated ${r.simulatedPeriod ?? '-'})`,
    `  lower bound     ${r.lowerBound}  (gap ${pct(r.gap)}${r.boundUnderBudget === false ? '; a bound that ignores the budget' : r.boundUnderBudget ? '; under the budget' : ''})`,
    `  staleness d_l   ${r.staleness.join(', ')}`,
    `  crossing bytes  ${r.crossingBytes} per minibatch (comm overhead vs PipeDream ${pct(r.commOverhead)} of ${r.totalCommunication} B)`,
    `  peak memory     ${r.peakMemoryBytes} B on the busiest processor`,
    `  utilisation     ${r.utilisation.map((u) => `${(100 * u).toFixed(1)}%`).join(' ')}`,
  ];
  const d = r.details;
  if (r.microBatches !== undefined) lines.push(`  micro-batches   ${r.microBatches}`);
  if (Array.isArray(d.stages)) lines.push(`  stages          ${(d.stages as [number, number][]).map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(' | ')}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  lines.push('  placement (processor: task@start …)');
  const byProc = new Map<number, string[]>();
  for (const t of r.schedule.tasks as { id: string; processor: number; start: number }[]) {
    const l = byProc.get(t.processor) ?? [];
    l.push(`${t.id}@${t.start}`);
    byProc.set(t.processor, l);
  }
  for (const [p, l] of [...byProc].sort((a, b) => a[0] - b[0])) lines.push(`    p${p}: ${l.join(' ')}`);
  return lines.join('\n') + '\n';
}

export function register(program: Command, io: CliIO): void {
  addOptionFlags(program.command('schedule'))
    .description('schedule the training of a network with one pipelining method; validated and simulated')
    .argument('<network>', 'network JSON file or shipped id; or a graph file (.stg, .dot, or a DAG .json with a per-processor cost table) with a makespan solver as --method')
    .requiredOption('--procs <n>', 'number of processors')
    .requiredOption('--method <m>', `one of ${methodNames().join(', ')}`)
    .option('--hw <file>', 'hardware JSON file or shipped id (default hardware otherwise)')
    .option('--out <file>', 'write the schedule JSON (only once it validated)')
    .option('--json', 'print JSON')
    .addHelpText('after', () => `\nMethods and their options:\n${listMethods()
      .map((m) => [`  ${m.name} (${m.kind}): ${m.description}`, ...optionHelp(m.options).map((l) => `      ${l}`)].join('\n'))
      .join('\n')}\n`)
    .action(async (network: string, opts: ScheduleCliOptions) => {
      const procs = parsePositiveInt(opts.procs, '--procs')!;
      if (opts.out !== undefined) checkOutputPath(opts.out, '--out');
      if (isGraphFileArg(network)) {
        const r = await scheduleGraphCommand(network, procs, opts.method!, { timeLimitSeconds: opts.timeLimit === undefined ? undefined : seconds(opts.timeLimit, '--time-limit') });
        if (opts.out !== undefined) writeOutput(opts.out, JSON.stringify(r.schedule, null, 2) + '\n', '--out');
        if (opts.json) printJson(io, r);
        else io.out(formatGraphScheduleReport(r));
        return;
      }
      const method = getMethod(opts.method!);
      const options = methodOptionsFromFlags(opts, [method]);
      const { report } = await scheduleCommand(network, procs, method.name, opts.hw, options);
      if (opts.out !== undefined) writeOutput(opts.out, JSON.stringify(report.schedule, null, 2) + '\n', '--out');
      if (opts.json) {
        // Timings apart from the result, so that two identical runs print identical results.
        const { solverSeconds, ...result } = report;
        printJson(io, { ...result, timings: { solverSeconds } });
      } else io.out(formatScheduleReport(report));
    });
}
