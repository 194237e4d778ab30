/**
 * `spikepipe stg <files|dirs…> [--procs 2,4,8,16] [--solvers hlfet,etf,heft,cpop,peft,ilp]
 *  [--time-limit S] [--restarts N] [--seed N] [--optima DIR] [--jsonl FILE] [--json]
 *  [--format md|csv] [--export-lp FILE] [--timings FILE]`: the STG benchmark
 * (lib/app/stg/benchmark.ts) — one row per (graph, p, solver) and a summary per solver plus
 * `best`. The tables hold no wall times (two runs print the same bytes): `--timings` writes them
 * as CSV, `--json` gives them as a separate `timings` list, and stderr says the total.
 *
 * Progress goes to stderr (lib/app/cli/progress.ts): a bar on a terminal, otherwise one line per 10 %.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import type { CliIO } from '../io';
import { printJson } from '../io';
import { progressBar } from '../progress';
import { fail } from '../../../model/errors';
import { statInput } from '../../../model/io/files';
import { checkOutputPath, writeOutput } from '../../../model/io/output';
import { LIMITS } from '../../../model/limits';
import { dedupeList } from '../lists';
import { shippedFile } from '../../../model/spec/paths';
import { expandStgInputs, runStgBenchmark, type StgResult, } from '../../stg/benchmark';
import { getSolver, solverNames } from '../../../../solvers/registry';
import { toCsv, toMarkdown } from '../../../../reports/table';
import { stgRowsTable, stgSummaryTable } from '../../../../reports/stg-tables';

/** The published optima shipped with the package (networks/stg/optimal). */
export const DEFAULT_OPTIMA = shippedFile('networks', 'stg', 'optimal');

interface StgCliOptions {
  procs: string;
  solvers: string;
  timeLimit: string;
  restarts: string;
  seed: string;
  optima?: string;
  jsonl?: string;
  json?: boolean;
  format: string;
  exportLp?: string;
  timings?: string;
}

function intList(v: string, flag: string): number[] {
  const parts = v.split(',').map((s) => s.trim());
  return parts.map((s) => {
    if (!/^-?\d{1,16}$/.test(s)) fail(flag, `expected a comma-separated list of integers, got "${v}"`);
    const x = Number(s);
    if (x <= 0) fail(flag, `processor count must be a positive integer, got ${x}`);
    if (x > LIMITS.processors) fail(flag, `processor count must be at most ${LIMITS.processors}, got ${s}`);
    return x;
  });
}

function seconds(v: string, flag: string): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x <= 0) fail(flag, `must be a number of seconds > 0, got "${v}"`);
  if (x > LIMITS.timeLimitSeconds) fail(flag, `must be at most ${LIMITS.timeLimitSeconds} seconds (about 23 days), got ${v.trim()}`);
  return x;
}

function nonNegInt(v: string, flag: string): number {
  if (!/^\d+$/.test(v.trim())) fail(flag, `must be an integer ≥ 0, got "${v}"`);
  return Number(v);
}


export function formatStg(r: StgResult, format: 'md' | 'csv'): string {
  if (format === 'csv') return toCsv(stgRowsTable(r.rows)) + '\n' + toCsv(stgSummaryTable(r.summary));
  return toMarkdown(stgRowsTable(r.rows)) + '\n' + toMarkdown(stgSummaryTable(r.summary));
}

export function register(program: Command, io: CliIO): void {
  program
    .command('stg')
    .description('benchmark makespan solvers on Standard Task Graph Set files against published optima')
    .argument('<inputs...>', '.stg files or directories (searched recursively)')
    .option('--procs <list>', 'processor counts', '2,4,8,16')
    .option('--solvers <list>', `solvers (${solverNames().join(', ')})`, 'hlfet,etf,heft,cpop,peft,ilp')
    .option('--time-limit <s>', 'time limit of each exact solve, seconds', '10')
    .option('--restarts <n>', 'seeded randomized-priority restarts per list scheduler (0 = the published algorithms alone)', '16')
    .option('--seed <n>', 'seed of the restarts', '1')
    .option('--optima <dir>', `directory of Case*_OPT.csv tables (default ${DEFAULT_OPTIMA} if it exists)`)
    .option('--jsonl <file>', 'append each finished row to this JSON Lines file; a rerun skips the rows already there')
    .option('--json', 'print {rows, summary} as JSON')
    .option('--format <fmt>', 'md | csv', 'md')
    .option('--export-lp <file>', 'write the exact solvers\' MIP models in CPLEX LP format (one file per case if several)')
    .option('--timings <file>', 'write the wall time of every row as CSV (graph,procs,solver,seconds)')
    .action(async (inputs: string[], opts: StgCliOptions) => {
      const procs = dedupeList(intList(opts.procs, '--procs'), '--procs', io);
      const solvers = dedupeList(opts.solvers.split(',').map((s) => s.trim()).filter((s) => s !== ''), '--solvers', io);
      inputs = dedupeList(inputs, 'inputs', io);
      const timeLimitSeconds = seconds(opts.timeLimit, '--time-limit');
      const restarts = nonNegInt(opts.restarts, '--restarts');
      const seed = nonNegInt(opts.seed, '--seed');
      if (opts.format !== 'md' && opts.format !== 'csv') fail('--format', `must be md or csv, got "${opts.format}"`);
      let optimaDir: string | null = null;
      if (opts.optima !== undefined) {
        let isDir = false;
        try {
          isDir = statInput(opts.optima).isDirectory();
        } catch {
          isDir = false;
        }
        if (!isDir) fail(opts.optima, 'no such directory (--optima)');
        optimaDir = opts.optima;
      } else {
        try {
          if (statInput(DEFAULT_OPTIMA).isDirectory()) optimaDir = DEFAULT_OPTIMA;
        } catch {
          optimaDir = null; // an installation without the shipped set: no published optima
        }
      }
      if (opts.timings !== undefined) checkOutputPath(opts.timings, '--timings');
      if (opts.exportLp !== undefined) checkOutputPath(opts.exportLp, '--export-lp');

      let onModel: ((graph: string, p: number, solver: string, lp: string, kind: string) => void) | undefined;
      if (opts.exportLp) {
        const file = opts.exportLp;
        const exact = solvers.filter((s) => getSolver(s).kind === 'exact').length;
        if (exact === 0) fail('--export-lp', `needs an exact solver in --solvers (${solverNames('exact').join(', ')})`);
        // One case: FILE itself; several: FILE with the case inserted before the extension.
        const single = expandStgInputs(inputs).length * new Set(procs).size * exact === 1;
        onModel = (graph, p, solver, lp, kind) => {
          const ext = path.extname(file);
          const base = file.slice(0, file.length - ext.length);
          const tag = `${graph.replace(/[/\\]/g, '_').replace(/\.stg$/i, '')}.p${p}.${solver}`;
          const target = single ? file : `${base}.${tag}${ext || '.lp'}`;
          writeOutput(target, lp, '--export-lp');
          io.err(`stg: wrote ${kind} model of ${graph} p=${p} (${solver}) to ${target}\n`);
        };
      }
      const bar = progressBar(io, 'stg');
      let result: StgResult;
      try {
        result = await runStgBenchmark({
          inputs,
          procs,
          solvers,
          timeLimitSeconds,
          restarts,
          seed,
          optimaDir,
          jsonl: opts.jsonl,
          onRow: (row, done, total) => {
            if (row.belowPublished) io.err(`stg: BUG: ${row.solver} reports ${row.makespan} for ${row.graph} p=${row.procs}, below the published ${row.publishedOpt ?? row.publishedLb}\n`);
            bar.update(done, total, `${row.graph} p=${row.procs} ${row.solver}`);
          },
          onModel,
          onWarning: (m) => io.err(`stg: warning: ${m}\n`),
        });
      } finally {
        bar.stop();
      }
      if (opts.timings !== undefined) {
        const lines = ['graph,procs,solver,seconds', ...result.timings.map((t) => `${t.graph},${t.procs},${t.solver},${t.seconds.toFixed(3)}`)];
        writeOutput(opts.timings, lines.join('\n') + '\n', '--timings');
      }
      const total = result.timings.reduce((a, t) => a + t.seconds, 0);
      io.err(`stg: ${result.rows.length} rows, ${total.toFixed(1)} s of solving${opts.timings !== undefined ? ` (per row: ${opts.timings})` : ' (per row: --timings FILE)'}\n`);
      if (opts.json) printJson(io, result);
      else io.out(formatStg(result, opts.format as 'md' | 'csv'));
    });
}
