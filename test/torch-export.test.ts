/**
 * `spikepipe export-torch`: the exported PyTorch script against the reference trainer, step by
 * step. Both start from the initial weights the export writes (float64), read the same data file
 * and shuffle with the same seeded generator; the trainer runs in-process in float64, the script
 * under Debian's python3-torch in float64 (`--dtype float64`). The losses of the first 20 steps
 * must agree within 1e-4 relative, without delays and with per-layer delays in both modes.
 * Residual networks, which the trainer cannot train yet, are checked in torch alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli';
import { loadNetwork } from '../lib/model/spec/network';
import { loadData } from '../lib/app/data';
import { planNetwork } from '../lib/app/trainer/plan';
import { parseDelays } from '../lib/app/trainer/delays';
import { type DelayMode, train } from '../lib/app/trainer/trainer';

const PY = '/usr/bin/python3';
const hasTorch = spawnSync(PY, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
if (!hasTorch) console.log('torch-export parity: skipped (/usr/bin/python3 cannot import torch; Debian: apt-get install python3-torch)');

const STEPS = 20;
const dir = mkdtempSync(join(tmpdir(), 'spikepipe-torch-'));

/** A small conv net: conv + maxpool + conv + fc readout, Adam. */
const CONV = join(dir, 'small-conv.json');
writeFileSync(
  CONV,
  JSON.stringify({
    name: 'small-conv',
    dataset: 'synthetic',
    input: [2, 6, 6],
    timesteps: 3,
    batch: 8,
    classes: 4,
    optimizer: 'adam',
    neuron: { alpha: 0.9, beta: 1, theta: 0.5, reset: 'soft' },
    layers: [
      { type: 'conv', out: 4, kernel: 3, padding: 'same' },
      { type: 'maxpool', kernel: 2 },
      { type: 'conv', out: 6, kernel: 3, stride: 1, padding: 0 },
      { type: 'fc', out: 4 },
    ],
  }),
);

/** The trainer's first STEPS minibatch losses, in float64, from the same seed. */
async function trainerLosses(network: string, delays?: string, mode?: DelayMode): Promise<number[]> {
  const net = loadNetwork(network);
  const plan = planNetwork(net);
  const data = loadData('synthetic', { seed: 0, shape: plan.input, classes: plan.classes });
  const losses: number[] = [];
  await train(plan, data, {
    epochs: 1,
    batch: net.spec.batch,
    optimizer: net.spec.optimizer,
    seed: 0,
    delays: delays === undefined ? undefined : parseDelays(delays, net.spec.name, plan.layers.length),
    mode,
    dtype: 'float64',
    workers: 1,
    onStep: (p) => {
      if (losses.length < STEPS) losses.push(p.loss);
    },
  });
  return losses;
}

/** Export, run the script for STEPS steps in float64, return its losses. */
async function scriptLosses(network: string, tag: string, delays?: string, mode?: string): Promise<number[]> {
  const script = join(dir, `${tag}.py`);
  const args = ['export-torch', network, '--out', script, '--weights-out', join(dir, `${tag}-w.bin`), '--data-out', join(dir, `${tag}-d.bin`)];
  if (delays !== undefined) args.push('--delays', delays);
  if (mode !== undefined) args.push('--mode', mode);
  const r = await cli(...args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lossFile = join(dir, `${tag}-losses.json`);
  const py = spawnSync(PY, [script, '--dtype', 'float64', '--weights', join(dir, `${tag}-w.bin`), '--data', join(dir, `${tag}-d.bin`), '--steps', String(STEPS), '--no-eval', '--threads', '1', '--losses-out', lossFile], { encoding: 'utf8' });
  expect(py.stderr).toBe('');
  expect(py.status).toBe(0);
  return (JSON.parse(readFileSync(lossFile, 'utf8')) as { losses: number[] }).losses;
}

const maxRel = (a: number[], b: number[]): number => Math.max(...a.map((x, i) => Math.abs(x - b[i]) / Math.abs(b[i])));

const CASES: { name: string; network: string; delays?: string; mode?: DelayMode }[] = [
  { name: 'tiny-fc, no delays', network: 'tiny-fc' },
  { name: 'tiny-fc, delays 3,1, stash', network: 'tiny-fc', delays: '3,1', mode: 'stash' },
  { name: 'tiny-fc, delays 3,1, ema', network: 'tiny-fc', delays: '3,1', mode: 'ema' },
  { name: 'small conv, no delays', network: CONV },
  { name: 'small conv, delays 2S:3, stash', network: CONV, delays: '2S:3', mode: 'stash' },
  { name: 'small conv, delays 2S:3, ema', network: CONV, delays: '2S:3', mode: 'ema' },
];

describe.skipIf(!hasTorch)('export-torch: the script against the trainer (float64, first 20 steps)', () => {
  CASES.forEach((c, i) => {
    it(c.name, async () => {
      const ours = await trainerLosses(c.network, c.delays, c.mode);
      const theirs = await scriptLosses(c.network, `case${i}`, c.delays, c.mode);
      expect(ours).toHaveLength(STEPS);
      expect(theirs).toHaveLength(STEPS);
      const rel = maxRel(theirs, ours);
      console.log(`export-torch parity, ${c.name}: max relative loss difference ${rel.toExponential(2)}`);
      expect(rel).toBeLessThan(1e-4);
      // the delayed runs really differ from the undelayed one
      if (c.delays) expect(maxRel(theirs, await trainerLosses(c.network))).toBeGreaterThan(1e-6);
    }, 120_000);
  });
});

/** A residual net with a spike add, a membrane add and a concat, pooled before the readout. */
const RES = join(dir, 'small-res.json');
writeFileSync(
  RES,
  JSON.stringify({
    name: 'small-res',
    dataset: 'synthetic',
    input: [2, 6, 6],
    timesteps: 3,
    batch: 8,
    classes: 4,
    optimizer: 'adam',
    neuron: { alpha: 0.9, beta: 1, theta: 0.3, reset: 'soft' },
    layers: [
      { name: 'stem', type: 'conv', out: 4, kernel: 3, padding: 'same' },
      { name: 'a', type: 'conv', out: 4, kernel: 3, padding: 'same' },
      { name: 'b', type: 'conv', out: 4, kernel: 3, padding: 'same' },
      { name: 'sum', type: 'add', inputs: ['b', 'stem'] },
      { name: 'c', type: 'conv', out: 4, kernel: 3, padding: 'same', inputs: ['sum'] },
      { name: 'd', type: 'conv', out: 4, kernel: 1, inputs: ['stem'] },
      { name: 'm', type: 'add', mode: 'membrane', inputs: ['c', 'd'] },
      { name: 'cat', type: 'concat', inputs: ['m', 'sum'] },
      { type: 'maxpool', kernel: 2 },
      { type: 'fc', out: 4 },
    ],
  }),
);

function runScript(script: string, ...args: string[]): number[] {
  const out = `${script}-${args.length}-losses.json`;
  const py = spawnSync(PY, [script, '--dtype', 'float64', '--no-eval', '--threads', '1', '--losses-out', out, ...args], { encoding: 'utf8' });
  expect(py.stderr).toBe('');
  expect(py.status).toBe(0);
  return (JSON.parse(readFileSync(out, 'utf8')) as { losses: number[] }).losses;
}

describe.skipIf(!hasTorch)('export-torch: residual networks (torch alone; the trainer runs chains only)', () => {
  it('spike add, membrane add and concat train, with the written initial weights equal to the script\'s own draws', async () => {
    for (const mode of ['stash', 'ema']) {
      const script = join(dir, `res-${mode}.py`);
      const w = join(dir, `res-${mode}-w.bin`);
      const r = await cli('export-torch', RES, '--out', script, '--weights-out', w, '--delays', '2S:3', '--mode', mode);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/small-res, 6 weight layers, delays 4,4,2,2,0,0 \(/);
      const own = runScript(script, '--steps', '60');
      const written = runScript(script, '--steps', '60', '--weights', w);
      expect(written).toEqual(own);
      expect(own.every(Number.isFinite)).toBe(true);
      expect(Math.abs(own[0] - Math.log(4))).toBeGreaterThan(1e-3); // spikes reach the readout
      const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
      expect(mean(own.slice(-15))).toBeLessThan(mean(own.slice(0, 15)));
    }
  }, 180_000);
});

describe('export-torch: bad input is one line, exit 2', () => {
  it('a network that cannot be built, delays of the wrong length, an unknown mode, a dataset without a loader, an unwritable --out', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'bad', dataset: 'synthetic', input: [1, 4, 4], timesteps: 2, batch: 4, classes: 4, layers: [{ type: 'fc', out: 8 }, { type: 'conv', out: 2, kernel: 1 }, { type: 'fc', out: 4 }] }));
    const noLoader = join(dir, 'no-loader.json');
    writeFileSync(noLoader, JSON.stringify({ name: 'nl', dataset: 'imagenet', input: [1, 4, 4], timesteps: 2, batch: 4, classes: 4, layers: [{ type: 'fc', out: 8 }, { type: 'fc', out: 4 }] }));
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const cases: [string[], RegExp][] = [
      [[bad], /bad\.json: \/layers\/1\/type: conv cannot follow a flattened/],
      [['tiny-fc', '--delays', '1,2,3'], /^spikepipe: --delays: expected 2 delays \(one per weight layer\), got 3\n$/],
      [['tiny-fc', '--delays', '2S:2', '--mode', 'lazy'], /^spikepipe: --mode: must be one of stash, ema, got "lazy"\n$/],
      [['tiny-fc', '--delays', '2S:2', '--mode', 'none'], /^spikepipe: --mode: must be one of stash, ema, got "none" \(mode none, a delayed backward on stored activations, is not exported\)\n$/],
      [[noLoader], /no-loader\.json: \/dataset: "imagenet" has no loader; training needs one of .*, or give --dataset\n$/],
      [['tiny-fc', '--out', join(file, 'x.py')], /^spikepipe: --out: cannot write .*a-file\/x\.py: .*a-file is not a directory\n$/],
      [['tiny-fc', '--out', dir], /^spikepipe: --out: cannot write .*EISDIR/],
    ];
    for (const [args, msg] of cases) {
      const r = await cli('export-torch', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });
});

const FASHION = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';
describe.skipIf(!hasTorch || !existsSync(FASHION))('export-torch: the default loader', () => {
  it("reads the trainer's Fashion-MNIST-32 split (seeded --limit, padding, channels) exactly", async () => {
    const script = join(dir, 'vgg.py');
    const data = join(dir, 'vgg-d.bin');
    expect((await cli('export-torch', 'cifar10-vgg', '--out', script, '--data-out', data, '--limit', '300', '--seed', '3')).code).toBe(0);
    const check = [
      'import importlib.util, sys, argparse, torch',
      "spec = importlib.util.spec_from_file_location('m', sys.argv[1]); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)",
      "a = m.load_data(argparse.Namespace(data=None, dataset='fashion-mnist-32', data_dir=None, limit=300, seed=3))",
      'b = m.read_data_file(sys.argv[2])',
      "print([list(x.shape) for x in a], all(torch.equal(x, y) for x, y in zip(a, b)))",
    ].join('\n');
    const py = spawnSync(PY, ['-c', check, script, data], { encoding: 'utf8' });
    expect(py.stdout.trim()).toBe('[[300, 3, 32, 32], [300], [300, 3, 32, 32], [300]] True');
  }, 120_000);
});
