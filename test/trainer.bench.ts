/**
 * Training speed of the reference trainer on mnist-fc (FC 784-500-500-10, T = 8, batch 64,
 * Adam): one bench op = one training iteration (forward, BPTT, gradient sum, Adam step) on 64
 * samples, so training samples per second = 64 × ops/s (printed at the end). With one
 * thread and with two (the batch cut into two shards either way, so both compute the same
 * numbers). The PyTorch anchor (shared/anchors/snn_torch.py, 2 threads) does 230–250
 * samples/s on this machine.
 */
import { afterAll, beforeAll, bench, describe } from 'vitest';
import { loadNetwork } from '../lib/model/spec/network';
import { planNetwork } from '../lib/app/trainer/plan';
import { Trainer } from '../lib/app/trainer/trainer';
import { loadData } from '../lib/app/data';
import { createRng, permutation } from '../lib/app/trainer/rng';

const BATCH = 64;
const trainers: Record<number, Trainer> = {};
const times: Record<number, number[]> = { 1: [], 2: [] };
/** CPU seconds (all threads of the process) spent in the timed iterations. */
const cpu: Record<number, number> = { 1: 0, 2: 0 };
let perm: Int32Array;
let steps = 0;

beforeAll(async () => {
  const plan = planNetwork(loadNetwork('mnist-fc'));
  const data = loadData('mnist', { seed: 0 });
  perm = permutation(data.train.n, createRng(0, 'bench'));
  for (const workers of [1, 2]) {
    const t = await Trainer.create(plan, data, { epochs: 1, batch: BATCH, seed: 0, workers });
    // warm-up: let the spike rates settle to trained-network values and V8 optimise
    for (let k = 0; k < 20; k++) await t.iterate(perm.subarray((k % 100) * BATCH, (k % 100 + 1) * BATCH));
    trainers[workers] = t;
  }
}, 300_000);

afterAll(async () => {
  for (const w of [1, 2]) {
    const ts = times[w].slice().sort((a, b) => a - b);
    if (!ts.length) continue;
    // On a shared machine wall time also counts other processes; samples per CPU-second
    // (all threads) shows the work per sample independent of that.
    const perCpu = (BATCH * ts.length) / cpu[w];
    console.log(
      `mnist-fc, ${w} thread(s): ${(BATCH / (ts[ts.length >> 1] / 1000)).toFixed(1)} training samples/s (median of ${ts.length} iterations), ${perCpu.toFixed(1)} samples per CPU-second`,
    );
  }
  await Promise.all(Object.values(trainers).map((t) => t.close()));
}, 60_000);

async function step(workers: number): Promise<void> {
  const k = steps++ % 140;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await trainers[workers].iterate(perm.subarray(k * BATCH, (k + 1) * BATCH));
  times[workers].push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu[workers] += (c.user + c.system) / 1e6;
}

describe('mnist-fc training iteration (64 samples)', () => {
  bench('1 thread', () => step(1), { time: 8000, warmupIterations: 2 });
  bench('2 threads', () => step(2), { time: 8000, warmupIterations: 2 });
});
