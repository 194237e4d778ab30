/**
 * `spikepipe import-schedule <file.csv> <network> --procs N [--hw f] [--micro-batches m]
 *  [--whole-backward] [--iterations k] [--json] [--out schedule.json] [--trace trace.json]`: a
 * torch.distributed.pipelining schedule CSV timed on our cost model (lib/app/torch/import.ts
 * `importTorchCsv`): period, bubble, peak memory per rank; --out writes the schedule file (format
 * 2, `chunks` recipe), --trace a Chrome trace of it.
 *
 * Bad input → exit 2. A CSV that is no schedule of the chunk graph prints EVERY violation on
 * stderr, one line each (`spikepipe: file.csv: row 2, column 3: …`), then exits 2; a deadlock,
 * like any other bad input, is one line.
 */
import type { Command } from 'commander';
import type { CliIO } from '../io';
import { CliExit, printJson } from '../io';
import { checkOutputPath, writeOutputSet, type OutputFile } from '../../../model/io/output';
import { toChromeTrace } from '../../../model/io/trace';
import { fail } from '../../../model/errors';
import { formatTorchImport, importTorchCsv, TorchCsvError } from '../../torch/import';
import { parsePositiveInt } from './cost';

interface ImportCliOptions {
  procs?: string;
  hw?: string;
  microBatches?: string;
  wholeBackward?: boolean;
  iterations?: string;
  json?: boolean;
  out?: string;
  trace?: string;
}

export function register(program: Command, io: CliIO): void {
  program
    .command('import-schedule')
    .description("time a torch.distributed.pipelining schedule CSV (one row per rank) on our cost model; lists every violation")
    .argument('<csv>', 'schedule CSV: one row per rank, cells {stage}{F|I|W|B}{microbatch} or empty')
    .argument('<network>', 'network JSON file or shipped id')
    .requiredOption('--procs <n>', 'processors (ranks); the CSV must have one row per rank')
    .option('--hw <file>', 'hardware JSON file or shipped id (default hardware otherwise)')
    .option('--micro-batches <m>', 'micro-batches per minibatch (default: the largest index in the CSV + 1)')
    .option('--whole-backward', 'require whole backwards (B): refuse I and W')
    .option('--iterations <k>', 'iterations to simulate (default 32) and to show in --trace (default 4)')
    .option('--json', 'print JSON')
    .option('--out <file>', 'write the schedule file (format 2, with its chunks recipe)')
    .option('--trace <file>', 'write a Chrome trace-event JSON of the schedule')
    .action((csv: string, network: string, opts: ImportCliOptions) => {
      const procs = parsePositiveInt(opts.procs, '--procs')!;
      const microBatches = parsePositiveInt(opts.microBatches, '--micro-batches');
      const iterations = parsePositiveInt(opts.iterations, '--iterations');
      if (iterations !== undefined && iterations < 2) fail('--iterations', 'must be at least 2 to simulate');
      if (opts.out !== undefined) checkOutputPath(opts.out, '--out');
      if (opts.trace !== undefined) checkOutputPath(opts.trace, '--trace');
      let r: ReturnType<typeof importTorchCsv>;
      try {
        r = importTorchCsv(csv, network, { procs, hw: opts.hw, microBatches, wholeBackward: opts.wholeBackward, iterations });
      } catch (err) {
        if (!(err instanceof TorchCsvError)) throw err;
        for (const line of err.lines) io.err(`spikepipe: ${line}\n`);
        throw new CliExit(2);
      }
      const files: OutputFile[] = [];
      if (opts.out !== undefined) files.push({ file: opts.out, data: JSON.stringify(r.report.schedule, null, 2) + '\n' });
      if (opts.trace !== undefined) files.push({ file: opts.trace, data: JSON.stringify(toChromeTrace(r.graph, r.schedule, { iterations, clockHz: r.machine.clockHz })) + '\n' });
      writeOutputSet(files);
      if (opts.json) printJson(io, r.report);
      else io.out(formatTorchImport(r.report));
    });
}
