/**
 * `spikepipe export-torch`: the exported PyTorch script against the reference trainer, step by
 * step. Both start from the initial weights the export writes (float64), read the same data file
 * and shuffle with the same seeded generator; the trainer runs in-process in float64, the script
 * under Debian's python3-torch in float64 (`--dtype float64`). The losses of the first 20 steps
 * must agree within 1e-4 relative, without delays and with per-layer delays in both modes.
 * Residual networks, which the trainer cannot train yet, are checked in torch alone.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
