import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultHardware, loadHardware } from '../lib/model/spec/hardware';
import { loadNetwork, resolveNetwork } from '../lib/model/spec/network';
import type { Dataflow, HardwareSpec } from '../lib/model/spec/types';
import { DATAFLOWS, dataflowCost, isCost, osCost, wsCost } from '../lib/model/cost/dataflow';
import { chooseGemm, gemmShape } from '../lib/model/cost/gemm';
import { iirCycles, lossCycles, poolCycles, updateCycles } from '../lib/model/cost/vector';
import { combinedBackwardCost, costTable, layerTaskCosts, lossTaskCost } from '../lib/model/cost/tasks';
import { layerBytes, logitBytes, totalCommunication, weightBytes } from '../lib/model/cost/bytes';
import { buildTrainingGraph } from '../lib/model/graph/training';
import { InputError } from '../lib/model/errors';

const hw = defaultHardware();
const mnist = loadNetwork('mnist-fc');
const tiny4 = loadHardware('tiny-4x4');

describe('worked values: mnist-fc on the default hardware (B = 64, T = 8, B·T = 512)', () => {
  const [l1, l2, l3] = mnist.weightLayers.map((w) => layerTaskCosts(w, mnist, hw));

  it('F_1: 500×784×512 on ws = 28 folds, 25032 GEMM + 4000 vector = 29032 cycles', () => {
    // folds = ceil(784/128)·ceil(500/128) = 7·4 = 28; per fold 2·128 + 128 + 512 − 2 = 894
    // vector: IIR 8·ceil(64·500/128)·2 = 8·250·2 = 4000
    expect(l1.F.gemm).toEqual({ M: 500, K: 784, N: 512, dataflow: 'ws', folds: 28, cycles: 25032 });
    expect(l1.F).toMatchObject({ gemmCycles: 25032, vectorCycles: 4000, cycles: 29032 });
  });
  it('Ba2_2: 500×500×512 on ws = 16 folds, 14304 cycles', () => {
    expect(l2.Ba2?.gemm).toEqual({ M: 500, K: 500, N: 512, dataflow: 'ws', folds: 16, cycles: 14304 });
    expect(l2.Ba2?.cycles).toBe(14304);
  });
  it('Bw_1: 500×512×784 on os = 28 folds, 25032 cycles', () => {
    // folds = ceil(784/128)·ceil(500/128) = 28; per fold 2·128 + 128 + 512 − 2 = 894
    expect(l1.Bw.gemm).toEqual({ M: 500, K: 512, N: 784, dataflow: 'os', folds: 28, cycles: 25032 });
    expect(l1.Bw.cycles).toBe(25032);
  });
  it('the other tasks', () => {
    expect(l1.Ba2).toBeNull();
    expect(l1.Ba1.cycles).toBe(4000);
    expect(l1.U.cycles).toBe(Math.ceil(392000 / 128) * 4); // 3063·4 = 12252 (Adam)
    expect(l2.F.cycles).toBe(14304 + 4000);
    expect(l2.Bw.cycles).toBe(14304);
    expect(l2.U.cycles).toBe(Math.ceil(250000 / 128) * 4); // 1954·4 = 7816
    // readout 500→10: ws folds ceil(500/128)·ceil(10/128) = 4; IIR 8·ceil(640/128)·2 = 80
    expect(l3.F).toMatchObject({ gemmCycles: 4 * 894, vectorCycles: 80, cycles: 3656 });
    expect(l3.Ba2?.gemm).toMatchObject({ M: 500, K: 10, N: 512, folds: 4, cycles: 3576 });
    expect(l3.Bw.gemm).toMatchObject({ M: 10, K: 512, N: 500, folds: 4, cycles: 3576 });
    expect(l3.U.cycles).toBe(Math.ceil(5000 / 128) * 4); // 160
    expect(lossTaskCost(mnist, hw).cycles).toBe(Math.ceil(640 / 128) * 4); // 20
  });
  it('costTable: rows F, Ba1, Ba2, Bw, U per layer then Loss; total 140112', () => {
    const t = costTable(mnist, hw);
    expect(t.tasks.map((r) => r.id)).toEqual(
      ['F_1', 'Ba1_1', 'Bw_1', 'U_1', 'F_2', 'Ba1_2', 'Ba2_2', 'Bw_2', 'U_2', 'F_3', 'Ba1_3', 'Ba2_3', 'Bw_3', 'U_3', 'Loss'],
    );
    expect(t.tasks[0]).toEqual({
      id: 'F_1', kind: 'F', layer: 1, gemm: { M: 500, K: 784, N: 512, dataflow: 'ws', folds: 28 },
      gemmCycles: 25032, vectorCycles: 4000, cycles: 29032,
    });
    // 29032+4000+25032+12252 + 18304+4000+14304+14304+7816 + 3656+80+3576+3576+160 + 20
    expect(t.totalCycles).toBe(140112);
    expect(t.totalCycles).toBe(t.tasks.reduce((s, r) => s + r.cycles, 0));
  });
  it('batch override and per-timestep costing', () => {
    const b32 = layerTaskCosts(mnist.weightLayers[0], mnist, hw, { batch: 32 });
    expect(b32.F.gemm?.cycles).toBe(28 * (384 + 256 - 2)); // 17864
    expect(b32.F.vectorCycles).toBe(8 * 125 * 2);
    const step = layerTaskCosts(mnist.weightLayers[0], mnist, hw, { granularity: 'timestep' });
    expect(step.F).toMatchObject({ gemmCycles: 28 * (384 + 64 - 2), vectorCycles: 250 * 2, cycles: 12488 + 500 });
    expect(step.Bw.cycles).toBe(25032); // Bw stays whole-layer
    expect(() => layerTaskCosts(mnist.weightLayers[0], mnist, hw, { batch: 0 })).toThrow(InputError);
  });
});

describe('dataflow formulas (SCALE-Sim analytic model)', () => {
  it('hand cases on a 4×4 array', () => {
    const a = { rows: 4, cols: 4 };
    // M=3, K=18, N=32: ws ceil(18/4)·ceil(3/4) = 5 folds × (8+4+32−2 = 42) = 210
    expect(wsCost({ M: 3, K: 18, N: 32 }, a)).toEqual({ folds: 5, cycles: 210 });
    // os ceil(32/4)·ceil(3/4) = 8 folds × (8+4+18−2 = 28) = 224
    expect(osCost({ M: 3, K: 18, N: 32 }, a)).toEqual({ folds: 8, cycles: 224 });
    // is ceil(18/4)·ceil(32/4) = 40 folds × (8+4+3−2 = 13) = 520
    expect(isCost({ M: 3, K: 18, N: 32 }, a)).toEqual({ folds: 40, cycles: 520 });
  });
  it('a GEMM that fits is one fold of 2R + C + streamed − 2', () => {
    const a = { rows: 8, cols: 8 };
    expect(wsCost({ M: 8, K: 8, N: 5 }, a)).toEqual({ folds: 1, cycles: 16 + 8 + 5 - 2 });
    expect(osCost({ M: 8, K: 5, N: 8 }, a)).toEqual({ folds: 1, cycles: 16 + 8 + 5 - 2 });
    expect(isCost({ M: 5, K: 8, N: 8 }, a)).toEqual({ folds: 1, cycles: 16 + 8 + 5 - 2 });
  });
  it('no dataflow beats full utilisation: cycles·R·C ≥ M·K·N; best ≤ every dataflow', () => {
    const dim = fc.integer({ min: 1, max: 5000 });
    fc.assert(
      fc.property(dim, dim, dim, fc.integer({ min: 1, max: 256 }), fc.integer({ min: 1, max: 256 }), (M, K, N, rows, cols) => {
        const g = { M, K, N };
        const a = { rows, cols };
        for (const df of DATAFLOWS) expect(dataflowCost(df, g, a).cycles * rows * cols).toBeGreaterThanOrEqual(M * K * N);
        const h: HardwareSpec = { ...hw, array: a };
        const best = chooseGemm('F', g, h, 'best');
        for (const df of DATAFLOWS) expect(best.cycles).toBeLessThanOrEqual(dataflowCost(df, g, a).cycles);
      }),
      { numRuns: 300 },
    );
  });
});

describe('conv layer on the 4×4 array, all three dataflows (hand-computed)', () => {
  // input 1×8×8 → conv1 2×3×3 → 2×6×6 → conv2 (the case) 3 out, 3×3, no padding → 3×4×4
  // → avgpool 2 → 3×2×2 → fc 12→4. T = 2, B = 1, so B·T = 2.
  const net = resolveNetwork(
    {
      name: 'conv-case', dataset: 'synthetic', input: [1, 8, 8], timesteps: 2, batch: 1, classes: 4,
      layers: [
        { type: 'conv', out: 2, kernel: 3 },
        { type: 'conv', out: 3, kernel: 3 },
        { type: 'avgpool', kernel: 2 },
        { type: 'fc', in: 12, out: 4 },
      ],
    },
    'conv-case',
  );
  const conv2 = net.weightLayers[1];
  const hwWith = (df: Dataflow): HardwareSpec => ({ ...tiny4, dataflow: { F: df, Ba2: df, Bw: df } });

  it('what follows an average pool travels as values, what follows a max pool as bits', () => {
    // conv2 → avgpool → fc: the fc receives B·T·12 = 24 pooled values at 2 bytes = 48 bytes,
    // and conv2 sends the same 48; with a max pool they would be ceil(24/8) = 3 bytes.
    const fc = net.weightLayers[2];
    expect(layerBytes(fc, 2, 1, tiny4, net).spikesIn).toBe(48);
    expect(layerBytes(conv2, 2, 1, tiny4, net).spikesOut).toBe(48);
    const maxConv2 = { ...conv2, pool: { ...conv2.pool!, type: 'maxpool' as const } };
    const maxNet = { ...net, weightLayers: net.weightLayers.map((w) => (w === conv2 ? maxConv2 : w)) };
    expect(layerBytes(fc, 2, 1, tiny4, maxNet).spikesIn).toBe(3);
    expect(layerBytes(maxConv2, 2, 1, tiny4, maxNet).spikesOut).toBe(3);
  });
  it('GEMM shapes by im2col', () => {
    expect(conv2.outShape).toEqual([3, 4, 4]);
    // F: Cout × Cin·k² × B·T·Ho·Wo = 3 × 18 × 32
    expect(gemmShape('F', conv2, 2)).toEqual({ M: 3, K: 18, N: 32 });
    // Ba2: Cin × Cout·k² × B·T·Hi·Wi = 2 × 27 × 72
    expect(gemmShape('Ba2', conv2, 2)).toEqual({ M: 2, K: 27, N: 72 });
    // Bw: Cout × B·T·Ho·Wo × Cin·k² = 3 × 32 × 18
    expect(gemmShape('Bw', conv2, 2)).toEqual({ M: 3, K: 32, N: 18 });
  });

  // R = C = 4, so 2R + C − 2 = 10 fill/drain cycles per fold.
  const expected: Record<Dataflow, { F: [number, number]; Ba2: [number, number]; Bw: [number, number] }> = {
    // ws: folds ceil(K/4)·ceil(M/4), per fold 10 + N
    //   F   5·1 = 5  × (10+32) = 210;  Ba2 7·1 = 7 × (10+72) = 574;  Bw 8·1 = 8 × (10+18) = 224
    ws: { F: [5, 210], Ba2: [7, 574], Bw: [8, 224] },
    // os: folds ceil(N/4)·ceil(M/4), per fold 10 + K
    //   F   8·1 = 8  × (10+18) = 224;  Ba2 18·1 = 18 × (10+27) = 666;  Bw 5·1 = 5 × (10+32) = 210
    os: { F: [8, 224], Ba2: [18, 666], Bw: [5, 210] },
    // is: folds ceil(K/4)·ceil(N/4), per fold 10 + M
    //   F   5·8 = 40 × (10+3) = 520;  Ba2 7·18 = 126 × (10+2) = 1512;  Bw 8·5 = 40 × (10+3) = 520
    is: { F: [40, 520], Ba2: [126, 1512], Bw: [40, 520] },
  };
  it.each(DATAFLOWS)('%s', (df) => {
    const c = layerTaskCosts(conv2, net, hwWith(df));
    for (const kind of ['F', 'Ba2', 'Bw'] as const) {
      const [folds, cycles] = expected[df][kind];
      expect(c[kind]?.gemm).toMatchObject({ dataflow: df, folds, cycles });
    }
    // vector: IIR T·ceil(B·48/V)·2 = 2·12·2 = 48; pool ceil(T·B·48/V) = ceil(96/4) = 24 (pool INPUT size)
    expect(c.F.vectorCycles).toBe(72);
    expect(c.F.cycles).toBe(expected[df].F[1] + 72);
    expect(c.Ba1).toEqual({ gemm: null, gemmCycles: 0, vectorCycles: 72, cycles: 72 });
    // U (Adam): |W| = 3·2·9 = 54 → ceil(54/4)·4 = 56
    expect(c.U.cycles).toBe(56);
  });
  it("'best' picks ws for F and Ba2, os for Bw", () => {
    const c = layerTaskCosts(conv2, net, hwWith('is'), { dataflow: 'best' });
    expect([c.F.gemm?.dataflow, c.Ba2?.gemm?.dataflow, c.Bw.gemm?.dataflow]).toEqual(['ws', 'ws', 'os']);
    expect([c.F.gemmCycles, c.Ba2?.gemmCycles, c.Bw.gemmCycles]).toEqual([210, 574, 210]);
  });
  it('stride 2, padding 1: Ho = floor((6 + 2 − 3)/2) + 1 = 3', () => {
    const s = resolveNetwork(
      {
        name: 's', dataset: 'synthetic', input: [1, 8, 8], timesteps: 2, batch: 1, classes: 4,
        layers: [{ type: 'conv', out: 2, kernel: 3 }, { type: 'conv', out: 3, kernel: 3, stride: 2, padding: 1 }, { type: 'fc', out: 4 }],
      },
      's',
    );
    const w = s.weightLayers[1];
    expect(w.outShape).toEqual([3, 3, 3]);
    const c = layerTaskCosts(w, s, tiny4);
    // F 3×18×18 ws: 5 folds × (10+18) = 140; Ba2 2×27×72 ws (input-sized): 574; Bw 3×18×18 os: 5 × (10+18) = 140
    expect(c.F.gemm).toMatchObject({ M: 3, K: 18, N: 18, folds: 5, cycles: 140 });
    expect(c.Ba2?.gemm).toMatchObject({ M: 2, K: 27, N: 72, folds: 7, cycles: 574 });
    expect(c.Bw.gemm).toMatchObject({ M: 3, K: 18, N: 18, folds: 5, cycles: 140 });
    expect(c.F.vectorCycles).toBe(2 * Math.ceil(27 / 4) * 2); // no pool: 28
  });
});

describe('tiny-fc on tiny-4x4 (B = 4, T = 2, B·T = 8, V = 4, SGD)', () => {
  const net = loadNetwork('tiny-fc');
  const [a, b] = net.weightLayers.map((w) => layerTaskCosts(w, net, tiny4));
  it('every task by hand', () => {
    // F_1 8×16×8 ws: ceil(16/4)·ceil(8/4) = 8 folds × (10+8) = 144; IIR 2·ceil(32/4)·2 = 32
    expect(a.F).toMatchObject({ gemmCycles: 144, vectorCycles: 32, cycles: 176 });
    expect(a.Ba1.cycles).toBe(32);
    // Bw_1 8×8×16 os: ceil(16/4)·ceil(8/4) = 8 × (10+8) = 144
    expect(a.Bw.gemm).toMatchObject({ M: 8, K: 8, N: 16, folds: 8, cycles: 144 });
    expect(a.U.cycles).toBe(32); // ceil(128/4)·1
    // F_2 4×8×8 ws: 2·1 = 2 × 18 = 36; IIR 2·ceil(16/4)·2 = 16
    expect(b.F).toMatchObject({ gemmCycles: 36, vectorCycles: 16, cycles: 52 });
    expect(b.Ba1.cycles).toBe(16);
    // Ba2_2 8×4×8 ws: ceil(4/4)·ceil(8/4) = 2 × 18 = 36; Bw_2 4×8×8 os: 2·1 = 2 × 18 = 36
    expect(b.Ba2?.gemm).toMatchObject({ M: 8, K: 4, N: 8, folds: 2, cycles: 36 });
    expect(b.Bw.gemm).toMatchObject({ M: 4, K: 8, N: 8, folds: 2, cycles: 36 });
    expect(b.U.cycles).toBe(8);
    expect(lossTaskCost(net, tiny4).cycles).toBe(16); // ceil(16/4)·4
    expect(costTable(net, tiny4).totalCycles).toBe(176 + 32 + 144 + 32 + 52 + 16 + 36 + 36 + 8 + 16);
    expect(combinedBackwardCost(b)).toEqual({ gemm: null, gemmCycles: 72, vectorCycles: 24, cycles: 96 });
  });
  it('bytes by hand', () => {
    // layer 1: spikes in ceil(8·16/8) = 16; state/dI 8·8·2 = 128; weights 128·2 = 256
    expect(layerBytes(net.weightLayers[0], 2, 4, tiny4, net)).toEqual({
      spikesIn: 16, spikesOut: 8, state: 128, dI: 128, gradIn: 256, weights: 256,
      perInput: [{ from: 0, into: 'gemm', spikes: 16, grad: 256 }],
    });
    // layer 2: spikes in 8 (out ceil(8·4/8) = 4, unused: readout); state/dI 8·4·2 = 64; grad for layer 1: 8·8·2 = 128; weights 32·2 = 64
    expect(layerBytes(net.weightLayers[1], 2, 4, tiny4, net)).toEqual({
      spikesIn: 8, spikesOut: 4, state: 64, dI: 64, gradIn: 128, weights: 64,
      perInput: [{ from: 1, into: 'gemm', spikes: 8, grad: 128 }],
    });
    expect(logitBytes(net, 4, tiny4)).toBe(32);
    expect(weightBytes(net, tiny4)).toBe(320);
    const byteSpikes = { ...tiny4, spikeEncoding: 'byte' as const };
    expect(layerBytes(net.weightLayers[0], 2, 4, byteSpikes, net).spikesIn).toBe(128);
  });
  it('total communication = Σ edge bytes + 2·Σ|W|·bpv', () => {
    // edges: F1→F2 8, F2→Loss 32, Loss→Ba1_2 32, F2→Ba1_2 64, Ba1_2→Ba2_2 64, Ba1_2→Bw_2 64,
    // F1→Bw_2 8, Bw_2→U_2 64, U_2→F_2 64, U_2→Ba2_2 64, F1→Ba1_1 128, Ba2_2→Ba1_1 128,
    // Ba1_1→Bw_1 128, Bw_1→U_1 256, U_1→F_1 256  = 1360; weights 2·(256 + 64) = 640
    const g = buildTrainingGraph(net, tiny4);
    expect(totalCommunication(g)).toBe(2000);
    // PipeDream: F1→F2 8, F2→Loss 32, Loss→B2 32, F2→B2 64+8, B2→B1 128, B2→F2 64,
    // F1→B1 128+16, B1→F1 256 = 736; + 640
    expect(totalCommunication(buildTrainingGraph(net, tiny4, { variant: 'pipedream' }))).toBe(1376);
  });
  it('mnist-fc total communication (hand sum)', () => {
    // spikes 512·784/8 = 50176 (not on an edge: input), 512·500/8 = 32000; state/dI/grad 512·500·2 = 512000;
    // readout state/dI 512·10·2 = 10240; weights 784000, 500000, 10000; logits 64·10·2 = 1280.
    const edges =
      2 * 32000 + 2 * 1280 + // F1→F2, F2→F3, F3→Loss, Loss→Ba1_3
      3 * 10240 + 32000 + 10000 + 2 * 10000 + 512000 + // layer 3: state, 2×dI, F2→Bw3, Bw3→U3, loops, Ba2_3→Ba1_2
      3 * 512000 + 32000 + 500000 + 2 * 500000 + 512000 + // layer 2
      2 * 512000 + 784000 + 784000; // layer 1: state, dI, Bw1→U1, U1→F1
    expect(edges).toBe(6843280);
    expect(totalCommunication(buildTrainingGraph(mnist, hw))).toBe(edges + 2 * (784000 + 500000 + 10000));
  });
});

describe('vector-unit formulas', () => {
  it('match the cost model of the README', () => {
    expect(iirCycles(8, 64, 500, hw)).toBe(4000);
    expect(updateCycles(129, 'sgd', hw)).toBe(2);
    expect(updateCycles(129, 'adam', hw)).toBe(8);
    expect(lossCycles(64, 100, hw)).toBe(50 * 4);
    expect(poolCycles(4, 64, 64 * 32 * 32, hw)).toBe((4 * 64 * 65536) / 128);
  });
});
