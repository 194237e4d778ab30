/**
 * `spikepipe accuracy [--epochs n] [--quick] [--limit n] [--seed n] [--networks a,b]
 *  [--workers n] [--json] [--progress]`: test accuracy without delay and with pipeline
 * staleness, for mnist-fc and fmnist-conv (lib/app/trainer/accuracy.ts).
 *
 * The delayed rows take the per-layer staleness of the PipeDream and SpikePipe schedules at
 * `--procs` processors (default 4) on `--hw` (lib/app/pipeline/accuracy-rows.ts).
 */
import type { Command } from 'commander';
import type { CliIO } from '../io';
import { dedupeList } from '../lists';
import { printJson } from '../io';
import { fail } from '../../../model/errors';
import { accuracyTable } from '../../trainer/accuracy';
import { accuracyRowsTable } from '../../../../reports/accuracy-table';
import { toText } from '../../../../reports/table';
import { scheduleAccuracyRows } from '../../pipeline/accuracy-rows';
import { loadHardware } from '../../../model/spec/hardware';
import { parsePositiveInt } from './cost';
import { defaultWorkers, parseCount, progressReporter } from './train';

interface AccuracyCliOptions {
  epochs?: string;
  quick?: boolean;
  limit?: string;
  testLimit?: string;
  seed?: string;
  networks?: string;
  workers?: string;
  json?: boolean;
  progress?: boolean;
  procs?: string;
  hw?: string;
}

/** Settings of `--quick`: one epoch on at most 1,000 train and 1,000 test samples. */
export const QUICK = { epochs: 1, limit: 1000, testLimit: 1000 };
/**
 * Defaults: 3 epochs on at most 9,000 training samples (all of mnist's split, a stratified
 * 15 % of Fashion-MNIST's 60,000, so both networks see as many samples) and 2,000 test
 * samples (mnist has 1,000). fmnist-conv runs at roughly 30–45 samples/s here, so a full
 * Fashion-MNIST epoch would take about half an hour per row.
 */
export const DEFAULTS = { epochs: 3, limit: 9000, testLimit: 2000 };
export const DEFAULT_NETWORKS = ['mnist-fc', 'fmnist-conv'];


export function register(program: Command, io: CliIO): void {
  program
    .command('accuracy')
    .description('test accuracy without delay and with pipeline gradient staleness (stash / EMA), for mnist-fc and fmnist-conv')
    .option('--epochs <n>', `epochs per row (default ${DEFAULTS.epochs}; ${QUICK.epochs} with --quick)`)
    .option('--quick', `one epoch on at most ${QUICK.limit} train / ${QUICK.testLimit} test samples`)
    .option('--limit <n>', `at most n training samples per row, seeded and stratified (default ${DEFAULTS.limit})`)
    .option('--test-limit <n>', `at most n test samples per row (default ${DEFAULTS.testLimit})`)
    .option('--seed <n>', 'seed', '0')
    .option('--networks <list>', `comma-separated networks (default ${DEFAULT_NETWORKS.join(',')})`)
    .option('--workers <n>', 'threads (default: 2 when the machine has 2 cores)')
    .option('--procs <n>', 'processors of the schedules whose staleness is trained with (default 4)', '4')
    .option('--hw <file>', 'hardware of those schedules (default hardware otherwise)')
    .option('--json', 'print the rows as JSON')
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .action(async (opts: AccuracyCliOptions) => {
      const base = opts.quick ? QUICK : DEFAULTS;
      const epochs = parsePositiveInt(opts.epochs, '--epochs') ?? base.epochs;
      const limit = parsePositiveInt(opts.limit, '--limit') ?? base.limit;
      const testLimit = parsePositiveInt(opts.testLimit, '--test-limit') ?? base.testLimit;
      const seed = parseCount(opts.seed, '--seed') as number;
      const workers = parsePositiveInt(opts.workers, '--workers') ?? defaultWorkers();
      const networks = opts.networks === undefined ? DEFAULT_NETWORKS : dedupeList(opts.networks.split(',').map((s) => s.trim()), '--networks', io);
      if (networks.length === 0 || networks.some((n) => n === '')) fail('--networks', `expected a comma-separated list, got "${opts.networks}"`);
      const progress = progressReporter(io, opts.progress === true);
      try {
        const rows = await accuracyTable({
          rows: await scheduleAccuracyRows(networks, parsePositiveInt(opts.procs, '--procs')!, loadHardware(opts.hw)),
          epochs,
          limit,
          testLimit,
          seed,
          workers,
          onRowStart: (r) => {
            progress.stop();
            if (io.isTTY || opts.progress) io.err(`${r.network}: ${r.label} (delays ${r.staleness.join(',')}, ${r.mode})\n`);
          },
          onStep: (p) => progress.step(p),
        });
        if (opts.json) printJson(io, rows);
        else io.out(toText(accuracyRowsTable(rows)));
      } finally {
        progress.stop();
      }
    });
}
