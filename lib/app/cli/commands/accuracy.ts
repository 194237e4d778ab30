/**
 * `spikepipe accuracy [--epochs n] [--quick] [--limit n] [--test-limit n] [--seeds 1,2,…]
 *  [--networks a,b] [--cache file.jsonl] [--workers n] [--json] [--progress]`: test accuracy
 * without delay and with pipeline staleness, for mnist-fc and fmnist-conv, every row over
 * several seeds with mean, min … max and the paired difference to the no-delay row
 * (lib/app/trainer/accuracy.ts). `--quick` is a smoke test and says so.
 *
 * The delayed rows take the per-layer staleness of the PipeDream and SpikePipe schedules at
 * `--procs` processors (default 4) on `--hw` (lib/app/pipeline/accuracy-rows.ts).
 */
import type { Command } from 'commander';
import type { CliIO } from '../io';
import { dedupeList } from '../lists';
import { printJson } from '../io';
import { fail } from '../../../model/errors';
import { runAccuracyJobs, summarizeAccuracy, type AccuracyJob } from '../../trainer/accuracy';
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
  seeds?: string;
  networks?: string;
  cache?: string;
  workers?: string;
  json?: boolean;
  progress?: boolean;
  procs?: string;
  hw?: string;
}

/** Settings of `--quick` (a smoke test): one epoch on at most 1,000 train and 1,000 test samples, one seed. */
export const QUICK = { epochs: 1, limit: 1000, testLimit: 1000, seeds: [1] };
/**
 * Defaults (evidence): 3 epochs on at most 20,000 training samples (mnist's whole 9,000 split;
 * a stratified third of Fashion-MNIST's 60,000) and 10,000 test samples (mnist has 1,000;
 * Fashion-MNIST's whole test set), every row with seeds 1 and 2. fmnist-conv trains at roughly
 * 200 samples/s on 2 cores (SIMD kernels), so one fmnist-conv (row, seed) takes about 5 minutes
 * and the whole default run about an hour (measured: README, "Accuracy rows").
 */
export const DEFAULTS = { epochs: 3, limit: 20000, testLimit: 10000, seeds: [1, 2] };
export const DEFAULT_NETWORKS = ['mnist-fc', 'fmnist-conv'];

/**
 * `--seeds 1,2,3`: integers ≥ 0, comma-separated; an empty list or item, or a non-integer, is
 * refused (InputError: one line, exit 2); a seed listed twice runs once, with a note.
 */
export function parseSeeds(value: string, flag: string, io: CliIO): number[] {
  const items = value.split(',').map((x) => x.trim());
  if (items.length === 0 || items.some((x) => x === '')) fail(flag, `expected a comma-separated list of integers ≥ 0, got "${value}"`);
  const seeds = items.map((x) => {
    if (!/^\d+$/.test(x) || !Number.isSafeInteger(Number(x))) fail(flag, `seeds must be integers ≥ 0, got "${x}"`);
    return Number(x);
  });
  return dedupeList(seeds, flag, io);
}

export function register(program: Command, io: CliIO): void {
  program
    .command('accuracy')
    .description('test accuracy without delay and with pipeline gradient staleness (stash / EMA), for mnist-fc and fmnist-conv, over several seeds')
    .option('--epochs <n>', `epochs per row (default ${DEFAULTS.epochs}; ${QUICK.epochs} with --quick)`)
    .option('--quick', `smoke test, not evidence: one epoch on at most ${QUICK.limit} train / ${QUICK.testLimit} test samples, seed ${QUICK.seeds.join(',')}`)
    .option('--limit <n>', `at most n training samples per row, seeded and stratified (default ${DEFAULTS.limit})`)
    .option('--test-limit <n>', `at most n test samples per row (default ${DEFAULTS.testLimit})`)
    .option('--seeds <list>', `seeds, comma-separated: every row is trained once per seed (default ${DEFAULTS.seeds.join(',')}; ${QUICK.seeds.join(',')} with --quick)`)
    .option('--seed <n>', 'one seed (the same as --seeds n)')
    .option('--networks <list>', `comma-separated networks (default ${DEFAULT_NETWORKS.join(',')})`)
    .option('--cache <file>', 'keep every finished (row, seed) in this JSONL file and train only the missing ones (resume after a kill)')
    .option('--workers <n>', 'threads (default: 2 when the machine has 2 cores)')
    .option('--procs <n>', 'processors of the schedules whose staleness is trained with (default 4)', '4')
    .option('--hw <file>', 'hardware of those schedules (default hardware otherwise)')
    .option('--json', 'print the rows (mean, spread, per-seed accuracies) as JSON')
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .action(async (opts: AccuracyCliOptions) => {
      const base = opts.quick ? QUICK : DEFAULTS;
      const epochs = parsePositiveInt(opts.epochs, '--epochs') ?? base.epochs;
      const limit = parsePositiveInt(opts.limit, '--limit') ?? base.limit;
      const testLimit = parsePositiveInt(opts.testLimit, '--test-limit') ?? base.testLimit;
      if (opts.seed !== undefined && opts.seeds !== undefined) fail('--seed/--seeds', 'choose one');
      const seeds = opts.seeds !== undefined ? parseSeeds(opts.seeds, '--seeds', io) : opts.seed !== undefined ? [parseCount(opts.seed, '--seed') as number] : base.seeds;
      const workers = parsePositiveInt(opts.workers, '--workers') ?? defaultWorkers();
      const procs = parsePositiveInt(opts.procs, '--procs')!;
      const networks = opts.networks === undefined ? DEFAULT_NETWORKS : dedupeList(opts.networks.split(',').map((s) => s.trim()), '--networks', io);
      if (networks.length === 0 || networks.some((n) => n === '')) fail('--networks', `expected a comma-separated list, got "${opts.networks}"`);
      const specs = await scheduleAccuracyRows(networks, procs, loadHardware(opts.hw));
      // Seed-major: after the first seed a complete one-seed table exists (and is cached).
      const jobs: AccuracyJob[] = seeds.flatMap((seed) => specs.map((spec) => ({ spec, seed, epochs, limit, testLimit })));
      const verbose = io.isTTY || opts.progress === true;
      const progress = progressReporter(io, opts.progress === true);
      try {
        const runs = await runAccuracyJobs({
          jobs,
          workers,
          cache: opts.cache,
          onWarning: (m) => io.err(`spikepipe: warning: ${m}\n`),
          onJob: (done, total, job, cached) => {
            progress.stop();
            if (job && verbose) io.err(`[${done + 1}/${total}] ${job.spec.network}: ${job.spec.label} (delays ${job.spec.staleness.join(',')}, ${job.spec.mode}), seed ${job.seed}${cached ? ': cached' : ''}\n`);
          },
          onStep: (p) => progress.step(p),
          onRow: (row, _job, seconds) => {
            if (seconds !== null && verbose) io.err(`  test accuracy ${(100 * row.testAccuracy).toFixed(2)} % (${seconds.toFixed(0)} s)\n`);
          },
        });
        const rows = summarizeAccuracy(runs);
        if (opts.json) printJson(io, rows);
        else io.out(toText(accuracyRowsTable(rows, { smoke: opts.quick === true }), { caption: true }));
      } finally {
        progress.stop();
      }
    });
}
