/**
 * The trainer's kernels against naive references and hand-computed values, the neuron over
 * T steps, the delayed-gradient modes (bit-for-bit identities that pin their semantics down),
 * the data-parallel split, learning a tiny separable set, delay parsing and bad input.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../lib/model/errors';
import { resolveNetwork } from '../lib/model/spec/network';
import type { ResolvedNetwork } from '../lib/model/spec/types';
import { loadData } from '../lib/app/data';
import type { DataSplit } from '../lib/app/data/dataset';
import {
  allocSparseRows,
  denseBackward,
  spmm,
  spmmGrad,
  spmmWeightGrad,
  toSparseRows,
  transposeSparse,
} from '../lib/app/trainer/kernels';
import {
  type ConvGeom,
  avgPoolForward,
  convBackwardInput,
  convBackwardInputGather,
  im2colFromPixels,
  im2colSparse,
  maxPoolBackward,
  maxPoolForward,
} from '../lib/app/trainer/conv';
import { type NeuronParams, integratorBackward, integratorForward, lifBackward, lifForward } from '../lib/app/trainer/neuron';
import { planNetwork, type NetPlan } from '../lib/app/trainer/plan';
import { ShardEngine } from '../lib/app/trainer/engine';
import { Trainer, type TrainOptions, train } from '../lib/app/trainer/trainer';
import { createRng, permutation } from '../lib/app/trainer/rng';
import { graphNamesNetwork, parseDelays, pipeDreamDelays, twoSDelays, twoStageDelays } from '../lib/app/trainer/delays';

const sameBits = (a: Float32Array | Float64Array, b: Float32Array | Float64Array): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function randomMatrix(rows: number, cols: number, seed: number, zeroShare = 0, binary = false): Float64Array {
  const rng = createRng(seed, 'm');
  return Float64Array.from({ length: rows * cols }, () => (rng.next() < zeroShare ? 0 : binary ? 1 : rng.uniform(-1, 1)));
}

describe('kernels', () => {
  it('spmm equals the dense product, binary and valued, written and accumulated', () => {
    for (const binary of [true, false]) {
      const R = 5, K = 7, M = 11;
      const X = randomMatrix(R, K, 1, 0.6, binary);
      const W = randomMatrix(K, M, 2);
      const S = toSparseRows(X, 0, R, K, allocSparseRows(R, R * K, Float64Array));
      expect(S.binary).toBe(binary);
      const Y = new Float64Array(R * M).fill(5);
      spmm(S, W, M, Y, 0);
      const Y2 = new Float64Array(R * M).fill(1);
      spmm(S, W, M, Y2, 0, true);
      for (let r = 0; r < R; r++) {
        for (let m = 0; m < M; m++) {
          let a = 0;
          for (let k = 0; k < K; k++) a += X[r * K + k] * W[k * M + m];
          expect(Y[r * M + m]).toBeCloseTo(a, 12);
          expect(Y2[r * M + m]).toBeCloseTo(1 + a, 12);
        }
      }
    }
  });

  it('the transposed weight gradient equals the simple one bit for bit', () => {
    const R = 9, K = 13, M = 10;
    const X = randomMatrix(R, K, 3, 0.5);
    const D = randomMatrix(R, M, 4);
    const S = toSparseRows(X, 0, R, K, allocSparseRows(R, R * K, Float64Array));
    const ref = new Float64Array(K * M);
    spmmWeightGrad(S, D, 0, M, ref);
    const fast = new Float64Array(K * M).fill(7);
    spmmGrad(transposeSparse(S, allocSparseRows(K, R * K, Float64Array), new Int32Array(K + 1)), D, M, fast, 0);
    expect(sameBits(ref, fast)).toBe(true);
  });

  it('denseBackward equals Wt·δ for row and column counts off the blocking', () => {
    const R = 7, K = 5, M = 9;
    const D = randomMatrix(R, M, 5);
    const W = randomMatrix(K, M, 6);
    const G = new Float64Array(R * K);
    denseBackward(D, 0, R, M, W, K, G, 0);
    for (let r = 0; r < R; r++) {
      for (let k = 0; k < K; k++) {
        let a = 0;
        for (let m = 0; m < M; m++) a += W[k * M + m] * D[r * M + m];
        expect(G[r * K + k]).toBeCloseTo(a, 12);
      }
    }
  });

  it('im2col + spmm equals a direct HWC convolution (stride 2, padding 1)', () => {
    const g: ConvGeom = { H: 5, W: 6, C: 2, kernel: 3, stride: 2, padding: 1, Ho: 3, Wo: 3 };
    const Cout = 3;
    const x = randomMatrix(1, g.H * g.W * g.C, 7, 0.3);
    const W = randomMatrix(g.kernel * g.kernel * g.C, Cout, 8);
    const S = im2colSparse(x, 0, g, allocSparseRows(g.Ho * g.Wo, g.Ho * g.Wo * 18, Float64Array));
    const Y = new Float64Array(g.Ho * g.Wo * Cout);
    spmm(S, W, Cout, Y, 0);
    for (let oy = 0; oy < g.Ho; oy++) {
      for (let ox = 0; ox < g.Wo; ox++) {
        for (let co = 0; co < Cout; co++) {
          let a = 0;
          for (let ky = 0; ky < 3; ky++) {
            for (let kx = 0; kx < 3; kx++) {
              const iy = oy * 2 - 1 + ky;
              const ix = ox * 2 - 1 + kx;
              if (iy < 0 || iy >= g.H || ix < 0 || ix >= g.W) continue;
              for (let c = 0; c < g.C; c++) a += x[(iy * g.W + ix) * g.C + c] * W[((ky * 3 + kx) * g.C + c) * Cout + co];
            }
          }
          expect(Y[(oy * g.Wo + ox) * Cout + co]).toBeCloseTo(a, 12);
        }
      }
    }
  });

  it('im2col through the per-pixel compression writes exactly what im2colSparse writes', () => {
    for (const [g, binary] of [
      [{ H: 5, W: 6, C: 3, kernel: 3, stride: 2, padding: 1, Ho: 3, Wo: 3 }, true],
      [{ H: 7, W: 7, C: 2, kernel: 5, stride: 2, padding: 2, Ho: 4, Wo: 4 }, false],
      [{ H: 6, W: 6, C: 4, kernel: 3, stride: 1, padding: 1, Ho: 6, Wo: 6 }, true],
    ] as [ConvGeom, boolean][]) {
      const x = randomMatrix(1, g.H * g.W * g.C, 11, 0.7, binary);
      const cap = g.Ho * g.Wo * g.kernel * g.kernel * g.C;
      const a = im2colSparse(x, 0, g, allocSparseRows(g.Ho * g.Wo, cap, Float64Array));
      const px = toSparseRows(x, 0, g.H * g.W, g.C, allocSparseRows(g.H * g.W, g.H * g.W * g.C, Float64Array));
      const b = im2colFromPixels(px, g, allocSparseRows(g.Ho * g.Wo, cap, Float64Array));
      const nnz = a.ptr[a.rows];
      expect([b.rows, b.cols, b.binary]).toEqual([a.rows, a.cols, a.binary]);
      expect(Array.from(b.ptr.subarray(0, b.rows + 1))).toEqual(Array.from(a.ptr.subarray(0, a.rows + 1)));
      expect(Array.from(b.idx.subarray(0, nnz))).toEqual(Array.from(a.idx.subarray(0, nnz)));
      if (!binary) expect(Array.from(b.val.subarray(0, nnz))).toEqual(Array.from(a.val.subarray(0, nnz)));
    }
  });

  it('the gathered conv activation gradient equals the column-buffer one (strides, padding)', () => {
    for (const g of [
      { H: 5, W: 6, C: 3, kernel: 3, stride: 2, padding: 1, Ho: 3, Wo: 3 },
      { H: 7, W: 7, C: 9, kernel: 5, stride: 2, padding: 2, Ho: 4, Wo: 4 },
      { H: 6, W: 6, C: 16, kernel: 3, stride: 1, padding: 1, Ho: 6, Wo: 6 },
      { H: 7, W: 7, C: 2, kernel: 3, stride: 2, padding: 0, Ho: 3, Wo: 3 },
    ] as ConvGeom[]) {
      const M = 5;
      const K = g.kernel * g.kernel * g.C;
      const P = g.Ho * g.Wo;
      const D = randomMatrix(P, M, 12, 0.6);
      const Wm = randomMatrix(M, K, 13);
      const ref = new Float64Array(g.H * g.W * g.C);
      const got = new Float64Array(g.H * g.W * g.C).fill(NaN);
      convBackwardInput(D, 0, M, Wm, g, ref, 0, allocSparseRows(P, P * M, Float64Array), new Float64Array(P * K));
      convBackwardInputGather(D, 0, M, Wm, g, got, 0, allocSparseRows(P, P * M, Float64Array));
      for (let i = 0; i < ref.length; i++) expect(got[i]).toBeCloseTo(ref[i], 12);
    }
  });

  it('pools a hand-made 4×4 map', () => {
    // one channel: rows 1 2 3 4 / 5 6 7 8 / 9 10 11 12 / 13 14 15 16
    const x = Float64Array.from({ length: 16 }, (_, i) => i + 1);
    const g: ConvGeom = { H: 4, W: 4, C: 1, kernel: 2, stride: 2, padding: 0, Ho: 2, Wo: 2 };
    const avg = new Float64Array(4);
    avgPoolForward(x, 0, g, avg, 0);
    expect(Array.from(avg)).toEqual([3.5, 5.5, 11.5, 13.5]);
    const mx = new Float64Array(4);
    const arg = new Int32Array(4);
    maxPoolForward(x, 0, g, mx, 0, arg, 0);
    expect(Array.from(mx)).toEqual([6, 8, 14, 16]);
    const gx = new Float64Array(16);
    maxPoolBackward(Float64Array.from([1, 2, 3, 4]), 0, g, arg, 0, gx, 0);
    expect(Array.from(gx)).toEqual([0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4]);
  });
});

describe('the LIF / IIR neuron', () => {
  const p: NeuronParams = { alpha: 0.5, beta: 1, theta: 1, reset: 'soft', detachReset: true, spikeFn: 'heaviside', surrogate: 'fast-sigmoid', slope: 25 };

  it('integrates, fires at θ and resets by subtraction (hand-computed)', () => {
    const I = Float64Array.from([0.6, 0.6, 0.6, 0.0, 1.5]);
    const u = new Float64Array(5);
    const s = new Float64Array(5);
    lifForward(p, I, false, 1, 5, 1, u, s);
    // u1 = .6; u2 = .3+.6 = .9; u3 = .45+.6 = 1.05 → spike; u4 = .525−1 = −.475; u5 = −.2375+1.5 = 1.2625 → spike
    expect(Array.from(u).map((v) => +v.toFixed(6))).toEqual([0.6, 0.9, 1.05, -0.475, 1.2625]);
    expect(Array.from(s)).toEqual([0, 0, 1, 0, 1]);
    // a static input (direct encoding) is the same current every step
    const us = new Float64Array(3);
    const ss = new Float64Array(3);
    lifForward({ ...p, reset: 'hard' }, Float64Array.from([0.7]), true, 1, 3, 1, us, ss);
    expect(Array.from(us).map((v) => +v.toFixed(6))).toEqual([0.7, 1.05, 0.7]); // hard reset to 0, then +0.7
  });

  it('runs the same filter backwards with the surrogate (fast sigmoid slope 25, triangle, arctan)', () => {
    // T = 2, one neuron: u = [1, 1.04]; g = [1, 1]
    const u = Float64Array.from([1, 1.04]);
    const s = Float64Array.from([1, 1]);
    const g = Float64Array.from([1, 1]);
    const dI = new Float64Array(2);
    const scratch = new Float64Array(2);
    lifBackward(p, g, u, s, false, 1, 2, 1, dI, scratch);
    // σ'(0) = 1, σ'(0.04) = 1/(25·0.04+1)² = 0.25; e2 = 0.25, e1 = 1 + 0.5·0.25
    expect(dI[0]).toBeCloseTo(1.125, 12);
    expect(dI[1]).toBeCloseTo(0.25, 12);
    lifBackward({ ...p, surrogate: 'triangle', slope: 1 }, g, u, s, false, 1, 2, 1, dI, scratch);
    expect(dI[1]).toBeCloseTo(0.96, 12);
    lifBackward({ ...p, surrogate: 'arctan', slope: 2 }, g, u, s, false, 1, 2, 1, dI, scratch);
    expect(dI[1]).toBeCloseTo(1 / (1 + (Math.PI * 0.04) ** 2), 12);
    // static input: δI summed over t, scaled by β
    lifBackward({ ...p, beta: 0.5 }, g, u, s, true, 1, 2, 1, dI, scratch);
    expect(dI[0]).toBeCloseTo(0.5 * (1.125 + 0.25), 12);
  });

  it('the integrator readout is the mean membrane and its backward the reverse filter', () => {
    const I = Float64Array.from([1, 2, 3]);
    const logits = new Float64Array(1);
    integratorForward(0.5, 2, I, false, 1, 3, 1, logits, new Float64Array(1));
    // o = [2, 1+4, 2.5+6] → mean 5.166…
    expect(logits[0]).toBeCloseTo((2 + 5 + 8.5) / 3, 12);
    const dI = new Float64Array(3);
    integratorBackward(0.5, 2, Float64Array.from([3]), false, 1, 3, 1, dI);
    // e3 = 1, e2 = 1.5, e1 = 1.75 (dlogits/T = 1); δI = β·e
    expect(Array.from(dI)).toEqual([3.5, 3, 2]);
  });
});

describe('rng', () => {
  it('is deterministic per seed and stream, and permutations are permutations', () => {
    const a = createRng(5, 's');
    const b = createRng(5, 's');
    const c = createRng(5, 't');
    const xs = Array.from({ length: 5 }, () => a.uint32());
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.uint32())).not.toEqual(xs);
    const p = permutation(1000, createRng(1));
    expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const r = createRng(2);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60000; i++) counts[r.int(6)]++;
    for (const k of counts) expect(Math.abs(k - 10000)).toBeLessThan(400); // > 4 σ
  });
});

// ---------------------------------------------------------------------------------------
// Training-loop semantics on a small network and a synthetic set.

const smallSpec = (layers = 3) => ({
  name: 'small-fc',
  dataset: 'synthetic',
  input: [1, 6, 6],
  timesteps: 4,
  batch: 16,
  classes: 4,
  layers: layers === 3 ? [{ type: 'fc', out: 20 }, { type: 'fc', out: 12 }, { type: 'fc', out: 4 }] : [{ type: 'fc', out: 20 }, { type: 'fc', out: 4 }],
});

function setup(layers = 3): { net: ResolvedNetwork; plan: NetPlan; data: DataSplit } {
  const net = resolveNetwork(smallSpec(layers), 'small-fc.json');
  const plan = planNetwork(net);
  return { net, plan, data: loadData('synthetic', { seed: 1, shape: plan.input, classes: plan.classes }) };
}

/** Weights after running `iters` iterations on fixed batches. */
async function runIters(o: Partial<TrainOptions>, iters: number, layers = 3): Promise<Float32Array[]> {
  const { plan, data } = setup(layers);
  const t = await Trainer.create(plan, data, { epochs: 1, batch: 16, seed: 3, ...o });
  const perm = permutation(data.train.n, createRng(9));
  try {
    for (let k = 0; k < iters; k++) await t.iterate(perm.subarray(k * 16, (k + 1) * 16));
    return t.weights.map((w) => Float32Array.from(w));
  } finally {
    await t.close();
  }
}

const allSame = (a: Float32Array[], b: Float32Array[]): boolean => a.every((w, l) => sameBits(w, b[l]));

describe('delayed gradients', () => {
  it('stash with all d_l = 0 equals plain training bit for bit (Adam and SGD)', async () => {
    for (const optimizer of ['adam', 'sgd'] as const) {
      const plain = await runIters({ optimizer }, 6);
      const stash = await runIters({ optimizer, delays: [0, 0, 0], mode: 'stash' }, 6);
      expect(allSame(plain, stash)).toBe(true);
      const init = await runIters({ optimizer }, 0);
      expect(allSame(plain, init)).toBe(false);
    }
  });

  it('ema and none with all d_l = 0 equal plain training bit for bit', async () => {
    const plain = await runIters({}, 5);
    expect(allSame(plain, await runIters({ delays: [0, 0, 0], mode: 'ema' }, 5))).toBe(true);
    expect(allSame(plain, await runIters({ delays: [0, 0, 0], mode: 'none' }, 5))).toBe(true);
  });

  it('stash applies the gradient of iteration k − d at iteration k, nothing before', async () => {
    // d = 1 everywhere: iteration 0 applies nothing, iteration 1 applies ∇L(W⁰; batch 0).
    const plain1 = await runIters({}, 1);
    expect(allSame(await runIters({ delays: [1, 1, 1] }, 1), await runIters({}, 0))).toBe(true);
    expect(allSame(await runIters({ delays: [1, 1, 1] }, 2), plain1)).toBe(true);
    // per layer: d = (2, 0, 0) leaves layer 1 untouched for two iterations only
    const init = await runIters({}, 0);
    const w2 = await runIters({ delays: [2, 0, 0] }, 2);
    const w3 = await runIters({ delays: [2, 0, 0] }, 3);
    expect(sameBits(w2[0], init[0])).toBe(true);
    expect(sameBits(w2[1], init[1])).toBe(false);
    expect(sameBits(w3[0], init[0])).toBe(false);
  });

  it('none: a layer whose backward is late but whose gradient needs no later weights matches stash', async () => {
    // 2 layers, d = (1, 0): layer 1's delayed backward reads the stored forward state and the
    // gradient layer 2 sent at forward time — exactly what stash computes.
    const a = await runIters({ delays: [1, 0], mode: 'none' }, 6, 2);
    const b = await runIters({ delays: [1, 0], mode: 'stash' }, 6, 2);
    expect(allSame(a, b)).toBe(true);
    // 3 layers, d = (2, 1, 0): layer 2's late Wᵀ·δ uses newer weights than stash would, so
    // layer 1 gets a different gradient from iteration 3 on (layer 2's own gradient does not
    // depend on its weights, and binary spikes hide the small change from the layers above).
    const c = await runIters({ delays: [2, 1, 0], mode: 'none' }, 6);
    const d = await runIters({ delays: [2, 1, 0], mode: 'stash' }, 6);
    expect(sameBits(c[1], d[1])).toBe(true);
    expect(sameBits(c[0], d[0])).toBe(false);
    const c3 = await runIters({ delays: [2, 1, 0], mode: 'none' }, 3);
    const d3 = await runIters({ delays: [2, 1, 0], mode: 'stash' }, 3);
    expect(allSame(c3, d3)).toBe(true);
  });

  it('ema rebuilds W − d·Δ̄ and applies the gradient taken there at once', async () => {
    const { plan, data } = setup();
    const lr = 0.05;
    const o: TrainOptions = { epochs: 1, batch: 16, seed: 3, optimizer: 'sgd', lr, shards: 1 };
    const perm = permutation(data.train.n, createRng(9));
    const b0 = perm.subarray(0, 16);
    const b1 = perm.subarray(16, 32);
    const t = await Trainer.create(plan, data, { ...o, delays: [3, 2, 1], mode: 'ema' });
    const W0 = t.weights.map((w) => Float32Array.from(w));
    await t.iterate(b0);
    await t.iterate(b1);
    // by hand: g0 at W0; W1 = W0 − lr·g0; Δ̄ = 0.1·(−lr·g0); rebuilt R = W1 − d·Δ̄; g1 at R; W2 = W1 − lr·g1
    const engine = new ShardEngine(plan, { neuron: { ...plan.neuron, detachReset: true, spikeFn: 'heaviside', surrogate: 'fast-sigmoid', slope: 25 }, maxSamples: 16, dtype: 'float32' });
    const g = plan.layers.map((l) => new Float64Array(l.K * l.M));
    engine.step(0, data.train.x, data.train.y, b0, 16, W0, g);
    const W1 = W0.map((w, l) => w.map((v, i) => v + -lr * g[l][i]));
    const R = W1.map((w, l) => {
      const d = [3, 2, 1][l];
      return w.map((v, i) => v - d * (0.9 * 0 + (1 - 0.9) * (-lr * g[l][i])));
    });
    engine.step(1, data.train.x, data.train.y, b1, 16, R, g);
    const W2 = W1.map((w, l) => w.map((v, i) => v + -lr * g[l][i]));
    expect(allSame(t.weights as Float32Array[], W2)).toBe(true);
    await t.close();
  });

  it('two worker threads train bit-identically to one (fixed shard split)', async () => {
    const one = await runIters({ workers: 1, shards: 2, delays: [2, 1, 0] }, 4);
    const two = await runIters({ workers: 2, shards: 2, delays: [2, 1, 0] }, 4);
    expect(allSame(one, two)).toBe(true);
  }, 60_000);
});

describe('training', () => {
  it('a small network learns a small separable set (> 95 % test accuracy) deterministically', async () => {
    const { plan, data } = setup();
    const o: TrainOptions = { epochs: 4, batch: 16, seed: 1, lr: 0.01 };
    const r = await train(plan, data, o);
    expect(r.epochs[3].testAccuracy).toBeGreaterThan(0.95);
    expect(r.epochs[3].trainLoss).toBeLessThan(r.epochs[0].trainLoss);
    const again = await train(plan, data, o);
    expect(again.epochs.map((e) => [e.trainLoss, e.testAccuracy])).toEqual(r.epochs.map((e) => [e.trainLoss, e.testAccuracy]));
    const other = await train(plan, data, { ...o, seed: 2 });
    expect(other.epochs[0].trainLoss).not.toBe(r.epochs[0].trainLoss);
  });

  it('with 2S delays the small network still learns', async () => {
    const { plan, data } = setup();
    for (const mode of ['stash', 'ema', 'none'] as const) {
      const r = await train(plan, data, { epochs: 4, batch: 16, seed: 1, lr: 0.01, delays: twoSDelays(3), mode });
      expect(r.epochs[3].testAccuracy).toBeGreaterThan(0.9);
    }
  });
});

describe('delay rules', () => {
  it('2S:N, PipeDream, constants and lists', () => {
    expect(twoStageDelays(3, 4)).toEqual([4, 2, 0]); // N > L: one layer per stage
    expect(twoStageDelays(3, 3)).toEqual([4, 2, 0]);
    expect(twoStageDelays(4, 2)).toEqual([2, 2, 0, 0]);
    expect(twoStageDelays(6, 4)).toEqual([6, 6, 4, 4, 2, 0]);
    expect(twoSDelays(4)).toEqual([6, 4, 2, 0]);
    expect(pipeDreamDelays(4)).toEqual([3, 2, 1, 0]);
    expect(parseDelays('2S:4', 'n', 3)).toEqual([4, 2, 0]);
    expect(parseDelays('3', 'n', 3)).toEqual([3, 3, 3]);
    expect(parseDelays('none', 'n', 2)).toEqual([0, 0]);
    expect(parseDelays('5,1,0', 'n', 3)).toEqual([5, 1, 0]);
    expect(() => parseDelays('5,1', 'n', 3)).toThrow(InputError);
    expect(() => parseDelays('2S:0', 'n', 3)).toThrow(InputError);
    expect(() => parseDelays('soon', 'n', 3)).toThrow(InputError);
  });

  it('reads a schedule file and refuses one for another network or layer count', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-delays-'));
    const write = (name: string, o: object): string => {
      const f = join(dir, name);
      writeFileSync(f, JSON.stringify({ kind: 'periodic', procs: 2, period: 10, tasks: [], ...o }));
      return f;
    };
    const ok = write('ok.json', { graph: 'mnist-fc-spikepipe-layer', staleness: [4, 2, 0] });
    expect(parseDelays(ok, 'mnist-fc', 3)).toEqual([4, 2, 0]);
    const other = write('other.json', { graph: 'fmnist-conv-spikepipe-layer', staleness: [4, 2, 0] });
    expect(() => parseDelays(other, 'mnist-fc', 3)).toThrow(/is for "fmnist-conv-spikepipe-layer", not for network "mnist-fc"/);
    const short = write('short.json', { graph: 'mnist-fc', staleness: [2, 0] });
    expect(() => parseDelays(short, 'mnist-fc', 3)).toThrow(/has 2 entries but network "mnist-fc" has 3 weight layers/);
    const none = write('none.json', { graph: 'mnist-fc' });
    expect(() => parseDelays(none, 'mnist-fc', 3)).toThrow(/no per-layer staleness/);
    expect(graphNamesNetwork('mnist-fc-pipedream-timestep', 'mnist-fc')).toBe(true);
    expect(graphNamesNetwork('mnist-fc (x)', 'mnist-fc')).toBe(true);
    expect(graphNamesNetwork('mnist-fc2', 'mnist-fc')).toBe(false);
    expect(graphNamesNetwork('mnist-fc-other-layer', 'mnist-fc')).toBe(false);
  });
});

describe('bad input', () => {
  it('an unsupported layer, a wrong dataset shape, lr ≤ 0, delays that mode none cannot run', async () => {
    const { net, plan, data } = setup();
    const bad = { ...net, weightLayers: net.weightLayers.map((w, i) => (i === 1 ? { ...w, type: 'rnn' as unknown as 'fc' } : w)) };
    expect(() => planNetwork(bad)).toThrow(/\/layers\/1: unsupported layer type "rnn"/);
    const wrong = loadData('synthetic', { seed: 1, shape: [1, 5, 5], classes: 4 });
    await expect(Trainer.create(plan, wrong, { epochs: 1 })).rejects.toThrow(/samples are 1×5×5 but network "small-fc" takes 1×6×6/);
    await expect(Trainer.create(plan, data, { epochs: 1, lr: 0 })).rejects.toThrow(InputError);
    await expect(Trainer.create(plan, data, { epochs: 1, lr: -1 })).rejects.toThrow(/must be > 0/);
    await expect(Trainer.create(plan, data, { epochs: 1, delays: [0, 1, 2], mode: 'none' })).rejects.toThrow(/do not increase/);
  });

  it('a NaN loss, or weights gone non-finite, names the epoch and step', async () => {
    const { plan, data } = setup();
    await expect(train(plan, data, { epochs: 1, batch: 16, optimizer: 'sgd', lr: 1e300 })).rejects.toThrow(
      /^small-fc: epoch 1 step 1: the weights became NaN or infinite \(training diverged; try a smaller --lr\)$/,
    );
    const t = await Trainer.create(plan, data, { epochs: 1, batch: 16 });
    await t.trainEpoch(1);
    t.weights[2].fill(NaN); // the readout: any spike below now makes the logits NaN
    await expect(t.trainEpoch(2)).rejects.toThrow(/^small-fc: epoch 2 step 1: the training loss is NaN/);
  });
});
