/**
 * `spikepipe export-schedule <schedule.json> --format torch-csv [--hw f] [--out file.csv]`: a
 * synchronous schedule (build recipe a `chunks` contraction) as torch.distributed.pipelining's
 * compute-only schedule CSV (lib/app/torch/export.ts `exportTorchCsv`): one row per rank, one column
 * per step of torch's unit-step grid, empty cells where a rank waits. Without --out the CSV goes to
 * stdout. Anything else (another contraction, no recipe, an invalid schedule, a stage on two
 * processors) → one line, exit 2.
 */
import type { Command } from 'commander';
import type { CliIO } from '../io';
import { checkOutputPath, writeOutput } from '../../../model/io/output';
import { exportTorch } from '../../torch/export';
import { parseChoice } from './cost';
import { maxOf } from '../../../model/extrema';

export const EXPORT_FORMATS = ['torch-csv'] as const;

interface ExportCliOptions {
  format?: string;
  hw?: string;
  out?: string;
}

export function register(program: Command, io: CliIO): void {
  program
    .command('export-schedule')
    .description("write a synchronous schedule (1f1b, sync-optimal, import-schedule --out) as torch.distributed.pipelining's schedule CSV")
    .argument('<schedule>', 'schedule JSON file whose build recipe is a chunks contraction')
    .requiredOption('--format <f>', `output format: ${EXPORT_FORMATS.join(', ')}`)
    .option('--hw <file>', "hardware JSON file or shipped id to rebuild the graph (default: the schedule's build.hardware)")
    .option('--out <file>', 'write the CSV here (default: stdout)')
    .action((file: string, opts: ExportCliOptions) => {
      parseChoice(opts.format, EXPORT_FORMATS, '--format');
      if (opts.out !== undefined) checkOutputPath(opts.out, '--out');
      const r = exportTorch(file, { hw: opts.hw });
      if (opts.out === undefined) {
        io.out(r.csv);
        return;
      }
      writeOutput(opts.out, r.csv, '--out');
      const steps = maxOf(r.csv.split('\n').map((l) => (l === '' ? 0 : l.split(',').length)), 0);
      io.out(`wrote ${opts.out}: ${r.orders.length} ranks, ${r.orders.reduce((a, l) => a + l.length, 0)} actions, ${steps} steps\n`);
    });
}
