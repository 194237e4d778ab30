/**
 * `spikepipe train <network> [--dataset] [--epochs] [--batch] [--lr] [--seed]
 *  [--delays schedule.json|2S:N|k|d1,…,dL] [--mode stash|ema|none] [--limit n]
 *  [--surrogate] [--optimizer] [--workers n] [--kernels simd|js] [--json] [--progress]`:
 * train a network with the reference SNN trainer (lib/app/trainer) and print one line (or one
 * JSON line) per epoch. A progress bar goes to stderr when stderr is a terminal (or with
 * --progress).
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import type { CliIO } from '../io';
import { fail } from '../../../model/errors';
import { loadNetwork } from '../../../model/spec/network';
import { DATASETS, datasetForNetwork, loadData } from '../../data';
import { planNetwork } from '../../trainer/plan';
import { parseDelays } from '../../trainer/delays';
import { DELAY_MODES, type EpochStats, type StepProgress, train } from '../../trainer/trainer';
import { SURROGATES } from '../../trainer/neuron';
import type { OptimizerKind } from '../../trainer/optim';
import type { KernelKind } from '../../trainer/engine';
import { parseChoice, parsePositiveInt } from './cost';

interface TrainCliOptions {
  dataset?: string;
  epochs?: string;
  batch?: string;
  lr?: string;
  seed?: string;
  delays?: string;
  mode?: string;
  limit?: string;
  surrogate?: string;
  optimizer?: string;
  workers?: string;
  kernels?: string;
  json?: boolean;
  progress?: boolean;
}

/** Threads to use by default: both cores when there are two or more. */
export function defaultWorkers(): number {
  return Math.min(2, Math.max(1, availableParallelism()));
}

/** A number option; InputError naming the flag when it is not a finite number. */
export function parseNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(x)) fail(flag, `must be a number, got "${value}"`);
  return x;
}

/** A non-negative integer option (seeds). */
export function parseCount(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) fail(flag, `must be an integer ≥ 0, got "${value}"`);
  return Number(value);
}

/**
 * A progress reporter on the CLI's stderr: a cli-progress bar when stderr is a terminal, or
 * when `force` asks for one (then plain lines at most every 2 s, cli-progress's noTTYOutput
 * mode, so CI logs get some sign of life); nothing otherwise (tests, pipes).
 */
export function progressReporter(io: CliIO, force: boolean): { step(p: StepProgress): void; stop(): void } {
  if (!io.isTTY && !force) return { step() {}, stop() {} };
  const stream = {
    isTTY: io.isTTY,
    columns: process.stderr.columns ?? 100,
    // readline's cursor helpers (used by cli-progress on terminals) write escape codes here
    write: (s: string) => {
      io.err(s);
      return true;
    },
  };
  const bar = new SingleBar({
    stream: stream as unknown as NodeJS.WritableStream,
    format: 'epoch {epoch} [{bar}] {value}/{total} steps | loss {loss} | {rate} samples/s | eta {eta_formatted}',
    noTTYOutput: !io.isTTY,
    notTTYSchedule: 2000,
    hideCursor: io.isTTY,
    clearOnComplete: true,
  });
  let epoch = -1;
  let t0 = 0;
  return {
    step(p) {
      if (p.epoch !== epoch) {
        if (epoch !== -1) bar.stop();
        epoch = p.epoch;
        t0 = Date.now();
        bar.start(p.steps, 0, { epoch: p.epoch, loss: '-', rate: '-' });
      }
      const secs = (Date.now() - t0) / 1000;
      bar.update(p.step, { loss: p.loss.toFixed(4), rate: secs > 0 ? ((p.step * p.batch) / secs).toFixed(0) : '-' });
      if (p.step === p.steps) {
        bar.stop();
        epoch = -1;
      }
    },
    stop() {
      if (epoch !== -1) bar.stop();
      epoch = -1;
    },
  };
}

export function formatEpoch(e: EpochStats): string {
  return (
    `epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}, test accuracy ${(100 * e.testAccuracy).toFixed(2)} %, ` +
    `${e.trainSamplesPerSecond.toFixed(1)} training samples/s (${e.trainSeconds.toFixed(1)} s)\n`
  );
}

export function register(program: Command, io: CliIO): void {
  program
    .command('train')
    .description('train a network with the reference SNN trainer (BPTT, surrogate gradients, optional delayed gradients)')
    .argument('<network>', 'network JSON file or shipped id (mnist-fc, fmnist-conv, tiny-fc, …)')
    .option('--dataset <name>', `${DATASETS.join(' | ')} (default: the network's)`)
    .option('--epochs <n>', 'epochs', '1')
    .option('--batch <n>', "samples per minibatch (default: the network's)")
    .option('--lr <x>', 'learning rate (default 1e-3 for Adam, 0.1 for SGD)')
    .option('--seed <n>', 'seed of the split, initialisation and shuffling', '0')
    .option('--delays <d>', 'per-layer gradient staleness: schedule .json, 2S:N, a constant k, none, or d1,…,dL')
    .option('--mode <m>', `weight versioning under delays: ${DELAY_MODES.join(' | ')} (default stash)`)
    .option('--limit <n>', 'use at most n training and n test samples (seeded, stratified)')
    .option('--surrogate <s>', `${SURROGATES.join(' | ')} (default fast-sigmoid, slope 25)`)
    .option('--optimizer <o>', "adam | sgd (default: the network's, else adam)")
    .option('--workers <n>', 'threads (default: 2 when the machine has 2 cores)')
    .option('--kernels <k>', 'products of the float32 trainer: simd (WebAssembly, default) | js (scalar, for comparison)')
    .option('--json', 'print one JSON line per epoch')
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .action(async (network: string, opts: TrainCliOptions) => {
      const epochs = parsePositiveInt(opts.epochs, '--epochs') as number;
      const batch = parsePositiveInt(opts.batch, '--batch');
      const lr = parseNumber(opts.lr, '--lr');
      if (lr !== undefined && !(lr > 0)) fail('--lr', `the learning rate must be > 0, got ${opts.lr}`);
      const seed = parseCount(opts.seed, '--seed') as number;
      const limit = parsePositiveInt(opts.limit, '--limit');
      const workers = parsePositiveInt(opts.workers, '--workers') ?? defaultWorkers();
      const mode = parseChoice(opts.mode, DELAY_MODES, '--mode');
      const surrogate = parseChoice(opts.surrogate, SURROGATES, '--surrogate');
      const optimizer = parseChoice<OptimizerKind>(opts.optimizer, ['adam', 'sgd'], '--optimizer');
      const dataset = parseChoice(opts.dataset, DATASETS, '--dataset');
      const kernels = parseChoice<KernelKind>(opts.kernels, ['simd', 'js'], '--kernels');
      if (mode !== undefined && opts.delays === undefined) fail('--mode', 'only means something with --delays');
      const net = loadNetwork(network);
      const plan = planNetwork(net);
      const delays = opts.delays === undefined ? undefined : parseDelays(opts.delays, net.spec.name, plan.layers.length);
      const dsName = dataset ?? datasetForNetwork(net.file ?? net.spec.name, net.spec.dataset, ', or give --dataset');
      const data = loadData(dsName, { seed, limit, channels: plan.input[0], shape: plan.input, classes: plan.classes });
      const progress = progressReporter(io, opts.progress === true);
      try {
        await train(plan, data, {
          epochs,
          batch: batch ?? net.spec.batch,
          lr,
          optimizer: optimizer ?? net.spec.optimizer,
          seed,
          delays,
          mode,
          surrogate,
          workers,
          kernels,
          onStep: (p) => progress.step(p),
          onEpoch: (e) => {
            progress.stop();
            if (opts.json) {
              io.out(JSON.stringify({ epoch: e.epoch, trainLoss: e.trainLoss, testAccuracy: e.testAccuracy, trainSamplesPerSecond: e.trainSamplesPerSecond }) + '\n');
            } else io.out(formatEpoch(e));
          },
        });
      } finally {
        progress.stop();
      }
    });
}
