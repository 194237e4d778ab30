/**
 * The WebAssembly SIMD products (lib/app/trainer/simd) against the float64 JavaScript kernels
 * they replace in float32 runs, on widths that exercise the 16-lane blocks and the scalar
 * tails, strided and padded convs; a hand-computed case; and whole training steps of the
 * engine, SIMD against the JavaScript kernels.
 */
import { describe, expect, it } from 'vitest';
import { allocSparseRows, denseBackward, spmm, spmmWeightGrad, toSparseRows } from '../lib/app/trainer/kernels';
import { type ConvGeom, convBackwardInputGather, maxPoolForward, slideOut } from '../lib/app/trainer/conv';
import { SimdKernels } from '../lib/app/trainer/simd';
import { type NeuronParams, lifBackward, lifForward } from '../lib/app/trainer/neuron';
import { createRng } from '../lib/app/trainer/rng';
import { resolveNetwork } from '../lib/model/spec/network';
import { planNetwork } from '../lib/app/trainer/plan';
import { train } from '../lib/app/trainer/trainer';
import { loadData } from '../lib/app/data';

/** Values rounded to float32 (so both sides multiply the same numbers). */
function randomF32(n: number, seed: number, zeroShare = 0, binary = false): Float64Array {
  const rng = createRng(seed, 'simd');
  return Float64Array.from({ length: n }, () => (rng.next() < zeroShare ? 0 : binary ? 1 : Math.fround(rng.uniform(-1, 1))));
}

/** Largest |a − b| relative to the largest |b| (float32 sums of up to a few thousand terms). */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let m = 1e-30;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / m;
}

describe('SIMD kernels', () => {
  it('a hand-computed product, weight gradient and activation gradient', () => {
    // S = [[1, 0, 2], [0, 0, 0], [0, 3, 0]] (3×3), Wt = [[1, 2], [3, 4], [5, 6]] (K=3, M=2)
    const S = toSparseRows(Float64Array.from([1, 0, 2, 0, 0, 0, 0, 3, 0]), 0, 3, 3, allocSparseRows(3, 9, Float32Array));
    const k = new SimdKernels([{ K: 3, M: 2, conv: false }], { rows: 3, nnz: 9, dense: 6, out: 9 });
    k.setWeights(0, Float32Array.from([1, 2, 3, 4, 5, 6]));
    const Y = new Float64Array(6);
    k.spmm(S, 0, Y, 0);
    expect([...Y]).toEqual([11, 14, 0, 0, 9, 12]);
    // dWt = Sᵀ·D with D = [[1, −1], [7, 7], [2, 0.5]]
    k.zeroGrad(0);
    k.scatterGrad(S, Float64Array.from([1, -1, 7, 7, 2, 0.5]), 0, 0);
    const dW = new Float64Array(6);
    k.readGrad(0, dW);
    expect([...dW]).toEqual([1, -1, 6, 1.5, 2, -2]);
    // G = D·Wtᵀ for D = [[1, −1]]: [1−2, 3−4, 5−6]
    const G = new Float64Array(3);
    k.denseBackward(Float64Array.from([1, -1]), 0, 1, 0, G, 0);
    expect([...G]).toEqual([-1, -1, -1]);
  });

  it('spmm and the scattered weight gradient match the float64 kernels (blocks of 16 and tails)', () => {
    let seed = 1;
    for (const M of [1, 10, 16, 33, 64, 128]) {
      for (const binary of [true, false]) {
        const R = 23;
        const K = 41;
        const X = randomF32(R * K, seed++, 0.7, binary);
        const W = randomF32(K * M, seed++);
        const D = randomF32(R * M, seed++);
        const S64 = toSparseRows(X, 0, R, K, allocSparseRows(R, R * K, Float64Array));
        const S32 = toSparseRows(X, 0, R, K, allocSparseRows(R, R * K, Float32Array));
        const k = new SimdKernels([{ K, M, conv: false }], { rows: R, nnz: R * K, dense: R * M, out: R * M });
        k.setWeights(0, Float32Array.from(W));
        const want = new Float64Array(R * M);
        spmm(S64, W, M, want, 0);
        const got = new Float64Array(R * M + 3);
        k.spmm(S32, 0, got, 3);
        expect(relErr(got.subarray(3), want)).toBeLessThan(1e-6);
        const dWant = new Float64Array(K * M);
        spmmWeightGrad(S64, D, 0, M, dWant);
        k.zeroGrad(0);
        // in two halves (rows 0..11 and 12..22), as the engine calls it once per map
        const half = 12;
        const S1 = toSparseRows(X, 0, half, K, allocSparseRows(half, half * K, Float32Array));
        const S2 = toSparseRows(X, half * K, R - half, K, allocSparseRows(R, R * K, Float32Array));
        k.scatterGrad(S1, D, 0, 0);
        k.scatterGrad(S2, D, half * M, 0);
        const dGot = new Float64Array(K * M);
        k.readGrad(0, dGot);
        expect(relErr(dGot, dWant)).toBeLessThan(1e-6);
      }
    }
  });

  it('the dense activation gradient matches the float64 kernel', () => {
    let seed = 100;
    for (const [K, M] of [[1, 1], [3, 5], [37, 128], [130, 10], [9, 4]]) {
      const rows = 6;
      const D = randomF32(rows * M, seed++);
      const W = randomF32(K * M, seed++);
      const want = new Float64Array(rows * K);
      denseBackward(D, 0, rows, M, W, K, want, 0);
      const k = new SimdKernels([{ K, M, conv: false }], { rows, nnz: 1, dense: rows * M, out: rows * K });
      k.setWeights(0, Float32Array.from(W));
      const got = new Float64Array(rows * K);
      k.denseBackward(D, 0, rows, 0, got, 0);
      expect(relErr(got, want)).toBeLessThan(1e-6);
    }
  });

  it('the conv activation gradient matches the float64 gather (same, strided, padded; C with and without tails)', () => {
    let seed = 200;
    const cases = [
      { H: 6, W: 5, C: 32, kernel: 3, stride: 1, padding: 1, M: 8 },
      { H: 7, W: 7, C: 16, kernel: 3, stride: 2, padding: 1, M: 5 },
      { H: 9, W: 8, C: 35, kernel: 5, stride: 1, padding: 0, M: 3 },
      { H: 5, W: 5, C: 1, kernel: 3, stride: 2, padding: 2, M: 4 },
      { H: 8, W: 6, C: 3, kernel: 2, stride: 2, padding: 0, M: 17 },
    ];
    for (const c of cases) {
      const g: ConvGeom = { ...c, Ho: slideOut(c.H, c.kernel, c.stride, c.padding), Wo: slideOut(c.W, c.kernel, c.stride, c.padding) };
      const K = c.kernel * c.kernel * c.C;
      const P = g.Ho * g.Wo;
      const D = randomF32(P * c.M, seed++, 0.6);
      const W = randomF32(K * c.M, seed++);
      const WtT = new Float64Array(K * c.M);
      for (let kk = 0; kk < K; kk++) for (let m = 0; m < c.M; m++) WtT[m * K + kk] = W[kk * c.M + m];
      const want = new Float64Array(c.H * c.W * c.C);
      convBackwardInputGather(D, 0, c.M, WtT, g, want, 0, allocSparseRows(P, P * c.M, Float64Array));
      const k = new SimdKernels([{ K, M: c.M, conv: true }], { rows: P, nnz: P * c.M, dense: P * c.M, out: c.H * c.W * c.C });
      k.setWeights(0, Float32Array.from(W));
      const Dcsr = toSparseRows(D, 0, P, c.M, allocSparseRows(P, P * c.M, Float32Array));
      const got = new Float64Array(c.H * c.W * c.C);
      k.convGather(Dcsr, 0, g, got, 0);
      expect(relErr(got, want)).toBeLessThan(1e-6);
      // binary δ rows (the kernel fills val with ones)
      const Db = D.map((v) => (v !== 0 ? 1 : 0));
      convBackwardInputGather(Db, 0, c.M, WtT, g, want, 0, allocSparseRows(P, P * c.M, Float64Array));
      k.convGather(toSparseRows(Db, 0, P, c.M, allocSparseRows(P, P * c.M, Float32Array)), 0, g, got, 0);
      expect(relErr(got, want)).toBeLessThan(1e-6);
    }
  });

  it('the LIF forward equals the JavaScript neuron bit for bit (static and per-step input, soft and no reset, tails)', () => {
    let seed = 300;
    for (const reset of ['soft', 'none'] as const) {
      for (const staticInput of [true, false]) {
        for (const n of [1, 4, 7, 34]) {
          const rows = 3;
          const T = 6;
          const p: NeuronParams = { alpha: 0.9, beta: 0.8, theta: 1, reset, detachReset: true, spikeFn: 'heaviside', surrogate: 'fast-sigmoid', slope: 25 };
          const I = randomF32(rows * (staticInput ? 1 : T) * n, seed++).map((v) => Math.fround(1.3 * v + 0.4));
          const u = new Float32Array(rows * T * n);
          const sp = new Float32Array(rows * T * n);
          lifForward(p, I, staticInput, rows, T, n, u, sp);
          const k = new SimdKernels([{ K: 1, M: n, conv: false }], { rows: 1, nnz: 1, dense: 1, out: 1, current: I.length, state: rows * T * n });
          // put the current in through the product: S = identity rows, Wt = I as one row per row
          const S = toSparseRows(Float64Array.from({ length: I.length / n }, () => 1), 0, I.length / n, 1, allocSparseRows(I.length / n, I.length / n, Float32Array));
          for (let r = 0; r < I.length / n; r++) {
            k.setWeights(0, Float32Array.from(I.subarray(r * n, (r + 1) * n)));
            const one = { ...S, rows: 1, ptr: Int32Array.from([0, 1]), idx: Int32Array.from([0]) };
            k.spmmToCurrent(one, 0, r * n);
          }
          const u2 = new Float32Array(rows * T * n);
          const s2 = new Float32Array(rows * T * n);
          k.lifForward(staticInput, rows, T, n, p.alpha, p.beta, p.theta, reset === 'soft' ? p.theta : 0, u2, s2);
          expect(Buffer.from(u2.buffer).equals(Buffer.from(u.buffer))).toBe(true);
          expect(Buffer.from(s2.buffer).equals(Buffer.from(sp.buffer))).toBe(true);
          expect(sp.some((v) => v === 1) && sp.some((v) => v === 0)).toBe(true);
        }
      }
    }
  });

  it('the LIF backward equals the JavaScript neuron bit for bit (static and per-step, with δH, silent gradients, odd widths)', () => {
    let seed = 400;
    for (const reset of ['soft', 'none'] as const) {
      for (const staticInput of [true, false]) {
        for (const n of [1, 2, 9]) {
          const rows = 3;
          const T = 5;
          const p: NeuronParams = { alpha: 0.85, beta: 0.9, theta: 1, reset, detachReset: true, spikeFn: 'heaviside', surrogate: 'fast-sigmoid', slope: 25 };
          const g = randomF32(rows * T * n, seed++, 0.5);
          const u = Float32Array.from(randomF32(rows * T * n, seed++), (v) => 1 + 0.2 * v);
          const s = Float32Array.from(u, (v) => (v >= 1 ? 1 : 0));
          const out = rows * (staticInput ? 1 : T) * n;
          const want = new Float64Array(out);
          const wantH = new Float64Array(rows * T * n);
          lifBackward(p, g, u, s, staticInput, rows, T, n, want, new Float64Array(2 * n), wantH);
          const k = new SimdKernels([{ K: 1, M: 1, conv: false }], { rows: 1, nnz: 1, dense: 1, out: 1, neuronSteps: T * n });
          const got = new Float64Array(out);
          const gotH = new Float64Array(rows * T * n);
          k.lifBackward(g, u, staticInput, rows, T, n, p.alpha, p.beta, p.theta, p.slope, got, gotH);
          expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
          expect(Buffer.from(gotH.buffer).equals(Buffer.from(wantH.buffer))).toBe(true);
          expect(want.some((v) => v !== 0)).toBe(true);
        }
      }
    }
  });

  it('2×2 max pooling of the spikes equals the JavaScript pool bit for bit (maxima and first arg-max)', () => {
    const maps = 5;
    for (const [H, W, C] of [[4, 6, 4], [7, 5, 8], [2, 2, 12]]) {
      const n = H * W * C;
      const p: NeuronParams = { alpha: 0.9, beta: 1, theta: 1, reset: 'soft', detachReset: true, spikeFn: 'heaviside', surrogate: 'fast-sigmoid', slope: 25 };
      // static input, T = maps: the spikes of `maps` steps of one sample are `maps` maps
      const I = randomF32(n, H * W + C).map((v) => Math.fround(0.5 + 0.6 * v));
      const k = new SimdKernels([{ K: 1, M: n, conv: false }], { rows: 1, nnz: 1, dense: 1, out: 1, current: n, state: maps * n, pooled: maps * n });
      k.setWeights(0, Float32Array.from(I));
      k.spmmToCurrent({ rows: 1, cols: 1, ptr: Int32Array.from([0, 1]), idx: Int32Array.from([0]), val: Float32Array.from([1]), binary: true }, 0, 0);
      const u = new Float32Array(maps * n);
      const sp = new Float32Array(maps * n);
      k.lifForward(true, 1, maps, n, p.alpha, p.beta, p.theta, p.theta, u, sp);
      const g: ConvGeom = { H, W, C, kernel: 2, stride: 2, padding: 0, Ho: H >> 1, Wo: W >> 1 };
      expect(SimdKernels.pools(g)).toBe(true);
      const m = g.Ho * g.Wo * C;
      const want = new Float32Array(maps * m);
      const wantArg = new Int32Array(maps * m);
      for (let r = 0; r < maps; r++) maxPoolForward(sp, r * n, g, want, r * m, wantArg, r * m);
      const got = new Float32Array(maps * m);
      const gotArg = new Int32Array(maps * m);
      k.maxPool2(maps, g, got, gotArg);
      expect([...got]).toEqual([...want]);
      expect([...gotArg]).toEqual([...wantArg]);
      expect(want.some((v) => v === 1) && want.some((v) => v === 0)).toBe(true);
    }
    expect(SimdKernels.pools({ H: 4, W: 4, C: 6, kernel: 2, stride: 2, padding: 0, Ho: 2, Wo: 2 })).toBe(false);
  });

  it('an operand larger than the scratch it was sized for is refused, not written past', () => {
    const k = new SimdKernels([{ K: 4, M: 2, conv: false }], { rows: 2, nnz: 4, dense: 4, out: 4 });
    const S = toSparseRows(new Float64Array(12).fill(1), 0, 3, 4, allocSparseRows(3, 12, Float32Array));
    expect(() => k.spmm(S, 0, new Float64Array(6), 0)).toThrow(/needs/);
  });
});

describe('SIMD engine', () => {
  // A small conv net (two convs, max pool, fc readout) on random data, 3 steps of 2 shards.
  const spec = {
    name: 'simd-conv',
    input: [2, 12, 12],
    timesteps: 4,
    batch: 8,
    classes: 3,
    neuron: { alpha: 0.9, beta: 1, theta: 0.5, reset: 'soft' },
    readout: 'integrator',
    optimizer: 'adam',
    layers: [
      { type: 'conv', out: 20, kernel: 3, padding: 'same' },
      { type: 'maxpool', kernel: 2 },
      { type: 'conv', out: 18, kernel: 3, stride: 2, padding: 1 },
      { type: 'fc', in: 162, out: 3 },
    ],
  };
  const plan = planNetwork(resolveNetwork(spec as never, 'simd-conv.json'));
  const data = loadData('synthetic', { seed: 1, limit: 24, shape: plan.input, classes: plan.classes });

  it('trains like the JavaScript kernels (float32 rounding apart), with and without delays', async () => {
    for (const [delays, mode] of [[undefined, undefined], [[2, 1, 0], 'stash'], [[2, 1, 0], 'none']] as const) {
      const losses: Record<string, number[]> = {};
      for (const kernels of ['js', 'simd'] as const) {
        const l: number[] = [];
        await train(plan, data, { epochs: 1, batch: 8, seed: 3, delays: delays && [...delays], mode, kernels, onStep: (p) => l.push(p.loss) });
        losses[kernels] = l;
      }
      expect(losses.simd.length).toBe(3);
      for (let i = 0; i < 3; i++) expect(Math.abs(losses.simd[i] - losses.js[i]) / losses.js[i]).toBeLessThan(1e-4);
    }
  });
});
