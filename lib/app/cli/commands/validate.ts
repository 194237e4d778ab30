/**
 * `spikepipe validate <graph> <schedule.json> [--procs N] [--hw file] [--delays rule]
 *  [--variant v] [--granularity g] [--simulate] [--iterations K] [--trace out.json] [--json]`:
 * judge a schedule with lib/model/schedule/validate and print `valid` or every violation; with
 * --simulate also run it (lib/model/schedule/simulate: measured period, staleness, lateness,
 * memory); --trace writes a Chrome trace of it. Exit 0 valid (and the simulation agrees),
 * 1 invalid, 2 bad input.
 *
 * The graph is rebuilt the way the schedule was made: a schedule written by `schedule --out`
 * carries its build recipe (GPipe/PipeDream stage graphs, SpikePipe's dataflows;
 * lib/model/graph/recipe.ts), used unless --variant/--granularity override it. A schedule
 * without one is checked against the training graph of --variant and --granularity (default
 * spikepipe, layer): nothing is guessed from task ids. Processors default to the schedule's
 * `procs`; for networks the per-layer staleness comes from --delays, else from the
 * schedule's `staleness`, else none.
 */
import type { Command } from 'commander';
import type { CliIO } from '../io';
import { CliExit, printJson } from '../io';
import { checkOutputPath, writeOutput } from '../../../model/io/output';
import type { ValidationResult } from '../../../model/types';
import { fail, inFile } from '../../../model/errors';
import { loadScheduleFile } from '../../../model/schedule/schedule';
import { validate } from '../../../model/schedule/validate';
import { simulate, simulateMakespan, type MakespanSimulationReport, type SimulationReport } from '../../../model/schedule/simulate';
import { toChromeTrace } from '../../../model/io/trace';
import { GRANULARITIES, VARIANTS } from '../../../model/graph/training';
import { loadProblem } from './bounds';
import { parseChoice, parsePositiveInt } from './cost';

interface ValidateCliOptions {
  procs?: string;
  hw?: string;
  delays?: string;
  variant?: string;
  granularity?: string;
  simulate?: boolean;
  iterations?: string;
  trace?: string;
  json?: boolean;
}

export function formatValidation(r: ValidationResult, header: string): string {
  if (r.valid) return `valid: ${header}\n`;
  const lines = [`invalid: ${header}: ${r.violations.length} violation${r.violations.length === 1 ? '' : 's'}`];
  for (const v of r.violations) lines.push(`  ${v.kind}: ${v.message}`);
  return lines.join('\n') + '\n';
}

/** One or two lines summarising a simulation. */
export function formatSimulation(r: SimulationReport | MakespanSimulationReport): string {
  if ('claimedPeriod' in r) {
    const st = r.staleness.length
      ? `, staleness measured [${r.staleness.map((x) => x.measured ?? '?').join(',')}] claimed [${r.staleness.map((x) => x.claimed).join(',')}]`
      : '';
    const lines = [
      `simulated ${r.iterations} iterations (${r.mode}): ${r.ok ? 'ok' : 'FAILED'}, period ${r.measuredPeriod ?? 'none (deadlock)'} (claimed ${r.claimedPeriod})${st}, ` +
        `late ${r.late.count}, crossing ${r.crossBytesPerIteration} B/iteration, peak memory ${r.peakMemoryBytes} B`,
    ];
    for (const msg of r.messages) lines.push(`  ${msg}`);
    return lines.join('\n') + '\n';
  }
  const lines = [
    `replayed (${r.mode}): ${r.ok ? 'ok' : 'FAILED'}, makespan ${r.measuredMakespan ?? 'none (deadlock)'} (stated ${r.claimedMakespan}), late ${r.late.count}`,
  ];
  for (const msg of r.messages) lines.push(`  ${msg}`);
  return lines.join('\n') + '\n';
}

export function register(program: Command, io: CliIO): void {
  program
    .command('validate')
    .description('check a schedule against its graph; prints every violation. Exit status: 0 valid, 1 invalid, 2 bad input')
    .argument('<graph>', 'network JSON file or shipped id, an .stg file, or a .dot file')
    .argument('<schedule>', 'schedule JSON file')
    .option('--procs <n>', "processors of the machine (default: the schedule's procs)")
    .option('--hw <file>', 'hardware JSON file or shipped id (default hardware otherwise)')
    .option('--delays <rule>', "networks: staleness per layer none|2S:N|d1,…,dL (default: the schedule's staleness)")
    .option('--variant <variant>', "networks: spikepipe or pipedream (default: the schedule's build recipe, else spikepipe)")
    .option('--granularity <g>', "networks: layer or timestep (default: the schedule's build recipe, else layer)")
    .option('--simulate', 'also run the schedule in the discrete-event simulator (time-triggered)')
    .option('--iterations <k>', 'iterations to simulate (default 32) and to show in --trace (default 4)')
    .option('--trace <file>', 'write a Chrome trace-event JSON of the schedule (chrome://tracing, Perfetto)')
    .option('--json', 'print JSON {valid, violations, …}')
    .action((graph: string, schedFile: string, opts: ValidateCliOptions) => {
      const file = loadScheduleFile(schedFile);
      const s = file.schedule;
      const variant = parseChoice(opts.variant, VARIANTS, '--variant');
      const granularity = parseChoice(opts.granularity, GRANULARITIES, '--granularity');
      const recipe = variant === undefined && granularity === undefined ? file.build : undefined;
      const procs = parsePositiveInt(opts.procs, '--procs') ?? s.procs;
      const isNetwork = !/\.(stg|dot|gv)$/i.test(graph);
      const p = loadProblem(graph, {
        procs,
        hw: opts.hw,
        delays: opts.delays,
        staleness: isNetwork ? s.staleness : undefined,
        variant,
        granularity,
        recipe: isNetwork ? recipe : undefined,
        recipeFile: schedFile,
      });
      const iterations = parsePositiveInt(opts.iterations, '--iterations');
      if (opts.simulate && s.kind === 'periodic' && iterations !== undefined && iterations < 2) fail('--iterations', 'must be at least 2 to simulate');
      if (opts.trace) checkOutputPath(opts.trace, '--trace');
      const r = validate(p.g, p.m, s);
      // The simulator needs every task placed once on a real processor: skip it otherwise.
      const runnable = !r.violations.some((v) => ['missing', 'duplicate', 'unknown-task', 'processor', 'negative-start', 'period'].includes(v.kind));
      let sim: SimulationReport | MakespanSimulationReport | null = null;
      try {
        if (opts.simulate && runnable) sim = s.kind === 'periodic' ? simulate(p.g, p.m, s, { iterations }) : simulateMakespan(p.g, p.m, s);
      } catch (err) {
        inFile(schedFile, err);
      }
      const value = s.kind === 'periodic' ? `period ${s.period}` : `makespan ${s.makespan}`;
      const header = `${schedFile} on ${p.g.name} (${s.kind}, ${value}, ${s.tasks.length} tasks on ${s.procs} of ${p.m.procs} processors)`;
      // The trace is written before anything is printed: a refused target never follows "valid".
      if (opts.trace) writeOutput(opts.trace, JSON.stringify(toChromeTrace(p.g, s, { iterations, clockHz: p.m.clockHz })) + '\n', '--trace');
      if (opts.json) {
        const out: Record<string, unknown> = { valid: r.valid, graph: p.g.name, schedule: schedFile, kind: s.kind, procs: s.procs };
        if (s.kind === 'periodic') out.period = s.period;
        else out.makespan = s.makespan;
        out.violations = r.violations;
        if (opts.simulate) out.simulation = sim;
        printJson(io, out);
      } else {
        io.out(formatValidation(r, header));
        if (sim) io.out(formatSimulation(sim));
        else if (opts.simulate) io.out('not simulated: the schedule does not place every task once on a valid processor\n');
      }
      if (!r.valid || (sim && !sim.ok)) throw new CliExit(1);
    });
}
