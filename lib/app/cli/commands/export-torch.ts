/**
 * `spikepipe export-torch <network> [--delays schedule.json|2S:N|k|d1,…] [--mode stash|ema]
 *  [--out file.py] [--weights-out file] [--data-out file] [--dataset d] [--seed n] [--limit n]`:
 * one self-contained PyTorch script of the network with the reference trainer's neuron, readout,
 * loss, optimizer and delayed updates (lib/app/torch/snn-export.ts `exportTorchScript`); beside it
 * optionally the initial weights of `train --seed` and the data split the trainer uses. Without
 * --out the script goes to stdout. Bad input (a network the trainer cannot build, delays of the
 * wrong length, an unknown mode, a dataset without a loader, a file that cannot be written): one
 * line, exit 2.
 */
import { existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliIO } from '../io';
import { fail } from '../../../model/errors';
import { loadData } from '../../data';
import { dataFile, exportTorchScript, initialWeightsFile, EXPORT_MODES } from '../../torch/snn-export';
import { parseCount } from './train';
import { parsePositiveInt } from './cost';

interface ExportTorchCliOptions {
  delays?: string;
  mode?: string;
  out?: string;
  weightsOut?: string;
  dataOut?: string;
  dataset?: string;
  seed?: string;
  limit?: string;
}

/**
 * Write `data` to `file` (through a temporary file and a rename); an InputError naming the flag
 * and the file when its directory is missing or the write fails. Directories are not created.
 */
function writeOrFail(flag: string, file: string, data: string | Uint8Array): void {
  const dir = dirname(resolve(file));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) fail(flag, `cannot write ${file}: ${dir} is not a directory`);
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    fail(flag, `cannot write ${file}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}

export function register(program: Command, io: CliIO): void {
  program
    .command('export-torch')
    .description('write a self-contained PyTorch script of a network with the reference trainer\'s neuron, readout, optimizer and delayed updates')
    .argument('<network>', 'network JSON file or shipped id')
    .option('--delays <d>', 'per-layer staleness: schedule .json, 2S:N, a constant k, none, or d1,…,dL')
    .option('--mode <m>', `weight versioning under delays: ${EXPORT_MODES.join(' | ')} (default stash)`)
    .option('--out <file>', 'write the script here (default: stdout)')
    .option('--weights-out <file>', 'write the initial weights of `train --seed` (float64) for the script\'s --weights')
    .option('--data-out <file>', 'write the data split the trainer uses for the script\'s --data')
    .option('--dataset <name>', "the loader (default: the network's)")
    .option('--seed <n>', 'seed of the initial weights, the split and the shuffles', '0')
    .option('--limit <n>', 'with --data-out: at most n training and n test samples (seeded, stratified)')
    .action((network: string, opts: ExportTorchCliOptions) => {
      const seed = parseCount(opts.seed, '--seed') as number;
      const limit = parsePositiveInt(opts.limit, '--limit');
      if (limit !== undefined && opts.dataOut === undefined) fail('--limit', 'only means something with --data-out');
      const r = exportTorchScript(network, { delays: opts.delays, mode: opts.mode, dataset: opts.dataset, seed });
      const what: string[] = [];
      if (opts.out === undefined) io.out(r.script);
      else {
        writeOrFail('--out', opts.out, r.script);
        what.push(`wrote ${opts.out}: ${r.net.spec.name}, ${r.weights.length} weight layers, ${r.delays ? `delays ${r.delays.join(',')} (${r.mode})` : 'no delays'}, data ${r.dataset}`);
      }
      if (opts.weightsOut !== undefined) {
        writeOrFail('--weights-out', opts.weightsOut, initialWeightsFile(r.net, seed));
        what.push(`initial weights (seed ${seed}) in ${opts.weightsOut}`);
      }
      if (opts.dataOut !== undefined) {
        const [c, h, w] = r.net.spec.input;
        const split = loadData(r.dataset, { seed, limit, channels: c, shape: [c, h, w], classes: r.net.spec.classes });
        writeOrFail('--data-out', opts.dataOut, dataFile(split));
        what.push(`data ${split.train.n} + ${split.test.n} samples in ${opts.dataOut}`);
      }
      const msg = what.join('; ');
      if (msg) (opts.out === undefined ? io.err : io.out)(`${msg}\n`);
    });
}
