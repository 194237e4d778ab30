// Memory traffic (on-chip SRAM ↔ array / vector unit) per dataflow and per task, and the second
// reading of the total communication of training. Closed forms: lib/model/cost/dataflow/ws.ts,
// os.ts, is.ts; per-task bytes: lib/model/cost/memory.ts; totals: lib/model/metrics/memory-traffic.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultHardware, loadHardware } from '../lib/model/spec/hardware';
import { loadNetwork, resolveNetwork } from '../lib/model/spec/network';
import type { Dataflow } from '../lib/model/spec/types';
import {
  DATAFLOWS, dataflowCost, dataflowTraffic, isCost, isTraffic, osCost, osTraffic, wsCost, wsTraffic,
  type ArrayDims, type GemmShape, type GemmTraffic,
} from '../lib/model/cost/dataflow';
import { combinedBackwardCost, costTable, layerTaskCosts, lossTaskCost } from '../lib/model/cost/tasks';
import { backwardVectorTraffic, forwardVectorTraffic, gemmTraffic, updateTraffic } from '../lib/model/cost/memory';
import { chooseGemm, gemmShape } from '../lib/model/cost/gemm';
import { buildTrainingGraph } from '../lib/model/graph/training';
import { trainingCommunication, trainingMemoryTraffic, trainingTraffic } from '../lib/model/metrics';
import { InputError } from '../lib/model/errors';
import { cli } from './helpers/cli';

const hw = defaultHardware();
const tiny4 = loadHardware('tiny-4x4');
const a4: ArrayDims = { rows: 4, cols: 4 };

/**
 * The same counts, fold by fold, as SCALE-Sim's compute modules add them up: loops over the
 * folds, valid rows and columns only (min(R, rest)), independent of the closed forms. Also the
 * MACs each fold performs (valid PEs × elements streamed).
 */
function enumerate(df: Dataflow, { M, K, N }: GemmShape, { rows: R, cols: C }: ArrayDims): GemmTraffic & { macs: number } {
  const t = { readA: 0, readB: 0, writeC: 0, macs: 0 };
  const tiles = (n: number, step: number) => Array.from({ length: Math.ceil(n / step) }, (_, i) => Math.min(step, n - i * step));
  if (df === 'ws') {
    for (const mv of tiles(M, C)) for (const kv of tiles(K, R)) {
      t.readA += kv * mv; // the stationary tile
      t.readB += kv * N; // N columns of the fold's K-rows streamed
      t.writeC += N * mv; // a partial sum per output of the fold's columns
      t.macs += kv * mv * N;
    }
  } else if (df === 'os') {
    for (const mv of tiles(M, C)) for (const nv of tiles(N, R)) {
      t.readA += K * mv;
      t.readB += K * nv;
      t.writeC += nv * mv; // the finished outputs, once
      t.macs += nv * mv * K;
    }
  } else {
    for (const nv of tiles(N, C)) for (const kv of tiles(K, R)) {
      t.readA += kv * M; // M rows of A over the fold's K
      t.readB += kv * nv; // the stationary tile
      t.writeC += M * nv;
      t.macs += kv * nv * M;
    }
  }
  return t;
}

describe('SRAM traffic per dataflow, hand cases on a 4×4 array', () => {
  it('a GEMM that fits in one fold moves each operand once: M=4, K=4, N=3', () => {
    const g = { M: 4, K: 4, N: 3 };
    // ws folds ceil(4/4)·ceil(4/4) = 1; os ceil(3/4)·ceil(4/4) = 1; is ceil(4/4)·ceil(3/4) = 1.
    // A = M·K = 16, B = K·N = 12, C = M·N = 12 — no re-streaming, no partial sums.
    for (const df of DATAFLOWS) {
      expect(dataflowCost(df, g, a4).folds).toBe(1);
      expect(dataflowTraffic(df, g, a4)).toEqual({ readA: 16, readB: 12, writeC: 12 });
    }
  });

  it('ws, M=6, K=5, N=3: 4 folds, A 30, B 30, C 36', () => {
    // folds ceil(K/4)·ceil(M/4) = 2·2 = 4 (K-rows 4+1, M-columns 4+2), cycles 4·(8+4+3−2) = 52.
    //   fold (k 0–3, m 0–3): A 4·4 = 16, B 4·3 = 12, C 3·4 = 12
    //   fold (k 0–3, m 4–5): A 4·2 =  8, B 4·3 = 12, C 3·2 =  6
    //   fold (k 4,   m 0–3): A 1·4 =  4, B 1·3 =  3, C 3·4 = 12
    //   fold (k 4,   m 4–5): A 1·2 =  2, B 1·3 =  3, C 3·2 =  6
    // A = 30 = M·K; B = 30 = ceil(6/4)·5·3; C = 36 = ceil(5/4)·6·3 (two K-folds of partial sums).
    expect(wsCost({ M: 6, K: 5, N: 3 }, a4)).toEqual({ folds: 4, cycles: 52 });
    expect(wsTraffic({ M: 6, K: 5, N: 3 }, a4)).toEqual({ readA: 30, readB: 30, writeC: 36 });
  });

  it('os, M=6, K=5, N=3: 2 folds, A 30, B 30, C 18', () => {
    // folds ceil(N/4)·ceil(M/4) = 1·2 = 2 (N-rows 3 of 4, M-columns 4+2), cycles 2·(8+4+5−2) = 30.
    //   fold (n 0–2, m 0–3): A 5·4 = 20, B 5·3 = 15, C 3·4 = 12
    //   fold (n 0–2, m 4–5): A 5·2 = 10, B 5·3 = 15, C 3·2 =  6
    // A = 30 = ceil(3/4)·6·5; B = 30 = ceil(6/4)·5·3; C = 18 = M·N, written once.
    expect(osCost({ M: 6, K: 5, N: 3 }, a4)).toEqual({ folds: 2, cycles: 30 });
    expect(osTraffic({ M: 6, K: 5, N: 3 }, a4)).toEqual({ readA: 30, readB: 30, writeC: 18 });
  });

  it('is, M=6, K=5, N=3: 2 folds, A 30, B 15, C 36', () => {
    // folds ceil(K/4)·ceil(N/4) = 2·1 = 2 (K-rows 4+1, N-columns 3 of 4), cycles 2·(8+4+6−2) = 32.
    //   fold (k 0–3, n 0–2): A 4·6 = 24, B 4·3 = 12, C 6·3 = 18
    //   fold (k 4,   n 0–2): A 1·6 =  6, B 1·3 =  3, C 6·3 = 18
    // A = 30 = ceil(3/4)·6·5; B = 15 = K·N; C = 36 = ceil(5/4)·6·3.
    expect(isCost({ M: 6, K: 5, N: 3 }, a4)).toEqual({ folds: 2, cycles: 32 });
    expect(isTraffic({ M: 6, K: 5, N: 3 }, a4)).toEqual({ readA: 30, readB: 15, writeC: 36 });
  });

  it('M=6, K=5, N=7: every folded dimension cut in two, the streamed operands re-read', () => {
    // ws: 2·2 folds; A 6·5 = 30; B ceil(6/4)·5·7 = 70; C ceil(5/4)·6·7 = 84
    expect(wsTraffic({ M: 6, K: 5, N: 7 }, a4)).toEqual({ readA: 30, readB: 70, writeC: 84 });
    // os: ceil(7/4)·ceil(6/4) = 4 folds; A ceil(7/4)·6·5 = 60; B ceil(6/4)·5·7 = 70; C 6·7 = 42
    expect(osTraffic({ M: 6, K: 5, N: 7 }, a4)).toEqual({ readA: 60, readB: 70, writeC: 42 });
    // is: ceil(5/4)·ceil(7/4) = 4 folds; A ceil(7/4)·6·5 = 60; B 5·7 = 35; C ceil(5/4)·6·7 = 84
    expect(isTraffic({ M: 6, K: 5, N: 7 }, a4)).toEqual({ readA: 60, readB: 35, writeC: 84 });
  });

  it('closed forms = fold-by-fold enumeration; all three dataflows perform M·K·N MACs', () => {
    const dim = fc.integer({ min: 1, max: 300 });
    const side = fc.integer({ min: 1, max: 40 });
    fc.assert(
      fc.property(dim, dim, dim, side, side, (M, K, N, rows, cols) => {
        const g = { M, K, N };
        const a = { rows, cols };
        for (const df of DATAFLOWS) {
          const e = enumerate(df, g, a);
          expect(dataflowTraffic(df, g, a)).toEqual({ readA: e.readA, readB: e.readB, writeC: e.writeC });
          expect(e.macs).toBe(M * K * N);
          // every operand at least once; nothing more than once when the GEMM fits one fold
          const t = dataflowTraffic(df, g, a);
          expect(t.readA).toBeGreaterThanOrEqual(M * K);
          expect(t.readB).toBeGreaterThanOrEqual(K * N);
          expect(t.writeC).toBeGreaterThanOrEqual(M * N);
          if (dataflowCost(df, g, a).folds === 1) expect(t).toEqual({ readA: M * K, readB: K * N, writeC: M * N });
        }
        // The MACs read off the traffic: each stationary element meets the whole stream.
        expect(wsTraffic(g, a).readA * N).toBe(M * K * N); // every weight meets N columns
        expect(isTraffic(g, a).readB * M).toBe(M * K * N); // every input meets M rows
        expect(osTraffic(g, a).writeC * K).toBe(M * K * N); // every output accumulates K products
        // is is ws with the operands' roles swapped
        const w = wsTraffic({ M: N, K, N: M }, a);
        expect(isTraffic(g, a)).toEqual({ readA: w.readB, readB: w.readA, writeC: w.writeC });
      }),
      { numRuns: 200 },
    );
  });
});

describe('tiny-fc on the default hardware (128×128, B = 4, T = 2, s = B·T = 8, 2-byte values, bit spikes, SGD)', () => {
  const net = loadNetwork('tiny-fc');
  const withMem = costTable(net, hw, { memoryTraffic: true });
  const byId = Object.fromEntries(withMem.tasks.map((r) => [r.id, r]));

  it('F_1 by hand: 8×16×8 on ws, 400 bytes read, 264 written', () => {
    // GEMM ws M=8, K=16, N=8, one fold: A = W 8·16 = 128 values = 256 B;
    //   B = input spikes ceil(8/128)·16·8 = 128 bits = 16 B; C = currents ceil(16/128)·8·8 = 64 values = 128 B.
    // IIR forward: read 8·8 = 64 currents = 128 B; write 64 state values = 128 B and 64 spikes = 8 B.
    // read 256 + 16 + 128 = 400; written 128 + 128 + 8 = 264
    expect(byId.F_1).toEqual({
      id: 'F_1', kind: 'F', layer: 1, gemm: { M: 8, K: 16, N: 8, dataflow: 'ws', folds: 1 },
      gemmCycles: 390, vectorCycles: 4, cycles: 394, memoryReadBytes: 400, memoryWriteBytes: 264,
    });
  });

  it('every other row by hand', () => {
    const rw = (id: string) => [byId[id].memoryReadBytes, byId[id].memoryWriteBytes];
    // Ba1_1: read gradient 64 values 128 B + state 128 B; write δI 128 B
    expect(rw('Ba1_1')).toEqual([256, 128]);
    // Bw_1 os M=8, K=8, N=16: A = δI ceil(16/128)·8·8 = 64 values 128 B; B = spikes ceil(8/128)·8·16 = 128 bits 16 B;
    //   C = ΔW 8·16 = 128 values 256 B
    expect(rw('Bw_1')).toEqual([144, 256]);
    // U_1 SGD, |W| = 128: read W and ΔW 2·128·2 = 512; write W 256
    expect(rw('U_1')).toEqual([512, 256]);
    // F_2 ws M=4, K=8, N=8: A 32 values 64 B; B 64 bits 8 B; C 32 values 64 B.
    //   Readout IIR: read 32 currents 64 B; write state 64 B + logits 4·4·2 = 32 B
    expect(rw('F_2')).toEqual([64 + 8 + 64, 64 + 64 + 32]);
    // Ba1_2: read ∂L/∂logits 32 B + state 64 B; write δI 64 B
    expect(rw('Ba1_2')).toEqual([96, 64]);
    // Ba2_2 ws M=8, K=4, N=8: A = Wᵀ 32 values 64 B; B = δI 32 values 64 B; C = 64 values 128 B
    expect(rw('Ba2_2')).toEqual([128, 128]);
    // Bw_2 os M=4, K=8, N=8: A = δI 32 values 64 B; B = spikes 64 bits 8 B; C = ΔW 32 values 64 B
    expect(rw('Bw_2')).toEqual([72, 64]);
    expect(rw('U_2')).toEqual([128, 64]); // |W| = 32
    expect(rw('Loss')).toEqual([32, 32]); // 16 logits in, 16 gradients out
    // 400+256+144+512+136+96+128+72+128+32 = 1904; 264+128+256+256+160+64+128+64+64+32 = 1416
    expect([withMem.totalMemoryReadBytes, withMem.totalMemoryWriteBytes]).toEqual([1904, 1416]);
  });

  it('cycles and the default shape untouched: the memory columns are opt-in', () => {
    const plain = costTable(net, hw);
    expect(withMem.tasks.map(({ memoryReadBytes: _r, memoryWriteBytes: _w, ...rest }) => rest)).toEqual(plain.tasks);
    expect(withMem.totalCycles).toBe(plain.totalCycles);
    expect(plain.tasks.some((r) => 'memoryReadBytes' in r || 'memoryWriteBytes' in r)).toBe(false);
    expect('totalMemoryReadBytes' in plain).toBe(false);
  });

  it('trainingMemoryTraffic = edges and weights 2000 + 1904 read + 1416 written = 5320', () => {
    expect(trainingCommunication(net, hw)).toBe(2000); // the first reading, as test/cost.test.ts sums it
    expect(trainingTraffic(net, hw)).toEqual({ communication: 2000, memoryReadBytes: 1904, memoryWriteBytes: 1416, total: 5320 });
    expect(trainingMemoryTraffic(net, hw)).toBe(5320);
    // the cost table's tasks are the graph's tasks
    const g = buildTrainingGraph(net, hw);
    expect(withMem.tasks.map((r) => r.id).sort()).toEqual(g.tasks.map((t) => t.id).sort());
  });

  it('PipeDream B_l sums its parts; timestep granularity is refused', () => {
    const c = layerTaskCosts(net.weightLayers[1], net, hw, { memoryTraffic: true });
    expect(combinedBackwardCost(c)).toMatchObject({ memoryReadBytes: 96 + 128 + 72 + 128, memoryWriteBytes: 64 + 128 + 64 + 64 });
    expect(lossTaskCost(net, hw, { memoryTraffic: true })).toMatchObject({ memoryReadBytes: 32, memoryWriteBytes: 32 });
    expect(() => layerTaskCosts(net.weightLayers[0], net, hw, { memoryTraffic: true, granularity: 'timestep' })).toThrow(InputError);
  });
});

describe('mnist-fc on the default hardware (B = 64, T = 8, s = 512, Adam)', () => {
  it('memory traffic 18558368 read + 15544000 written on top of 9431280 (hand sum)', () => {
    const mnist = loadNetwork('mnist-fc');
    // F_l ws, Ba2 ws, Bw os on 128×128; values 2 B, spikes 1/8 B.
    const read =
      // F_1: W 392000·2; spikes 4·784·512/8; currents 256000·2 | Ba1_1: grad + state 2·512000
      // Bw_1: δI 7·500·512·2; spikes 4·512·784/8 | U_1: 4·392000·2
      784000 + 200704 + 512000 + 1024000 + 3584000 + 200704 + 3136000 +
      // F_2: 500000 + 4·500·512/8 + 512000 | Ba1_2 1024000 | Ba2_2: Wᵀ 500000 + δI 4·500·512·2
      // Bw_2: 4·500·512·2 + 4·512·500/8 | U_2: 4·250000·2
      500000 + 128000 + 512000 + 1024000 + 500000 + 2048000 + 2048000 + 128000 + 2000000 +
      // F_3: 10000 + 500·512/8 + 5120·2 | Ba1_3: 1280 + 10240 | Ba2_3: 10000 + 4·10·512·2
      // Bw_3: 4·10·512·2 + 512·500/8 | U_3 4·5000·2 | Loss 1280
      10000 + 32000 + 10240 + 11520 + 10000 + 40960 + 40960 + 32000 + 40000 + 1280;
    const written =
      // F_1: psums 7·500·512·2 + state 512000 + spikes 32000 | Ba1_1 512000 | Bw_1 392000·2 | U_1 3·392000·2
      3584000 + 512000 + 32000 + 512000 + 784000 + 2352000 +
      // F_2: 4·500·512·2 + 512000 + 32000 | Ba1_2 512000 | Ba2_2 4·500·512·2 | Bw_2 500000 | U_2 1500000
      2048000 + 512000 + 32000 + 512000 + 2048000 + 500000 + 1500000 +
      // F_3: 4·10·512·2 + state 10240 + logits 1280 | Ba1_3 10240 | Ba2_3 500·512·2 | Bw_3 10000 | U_3 30000 | Loss 1280
      40960 + 10240 + 1280 + 10240 + 512000 + 10000 + 30000 + 1280;
    expect([read, written]).toEqual([18558368, 15544000]);
    expect(trainingTraffic(mnist, hw)).toEqual({ communication: 9431280, memoryReadBytes: read, memoryWriteBytes: written, total: 43533648 });
  });
});

describe('operand encodings: spikes bit-packed where the edges pack them', () => {
  // conv1 (1→2, 3×3) → conv2 (2→3, 3×3) → avgpool 2 → fc 12→4, on tiny-4x4, T = 2, B = 1.
  const spec = (pool: 'avgpool' | 'maxpool') => resolveNetwork(
    {
      name: 'enc', dataset: 'synthetic', input: [1, 8, 8], timesteps: 2, batch: 1, classes: 4,
      layers: [{ type: 'conv', out: 2, kernel: 3 }, { type: 'conv', out: 3, kernel: 3 }, { type: pool, kernel: 2 }, { type: 'fc', in: 12, out: 4 }],
    },
    'enc',
  );
  it('the fc after an average pool reads values, after a max pool bits', () => {
    for (const [pool, bBytes, poolOut] of [['avgpool', 48, 48], ['maxpool', 3, 3]] as const) {
      const net = spec(pool);
      const [, conv2, fcl] = net.weightLayers;
      // fc F: ws M=4, K=12, N=2, one fold: A 48 values 96 B; B 12·2 = 24 elements (48 B as values, 3 B as bits);
      //   C ceil(12/4)·4·2 = 24 values 48 B
      const g = chooseGemm('F', gemmShape('F', fcl, 2), tiny4);
      expect(gemmTraffic('F', g, fcl, tiny4)).toEqual({ readBytes: 96 + bBytes, writeBytes: 48 });
      // conv2's F vector work, s·nOut = 2·48 = 96: IIR reads 96 currents 192 B, writes 192 B of state and
      //   96 spikes 12 B; the pool reads those 12 B and writes 2·12 = 24 outputs (48 B as values, 3 B as bits)
      expect(forwardVectorTraffic(conv2, net, 2, 1, tiny4)).toEqual({ readBytes: 192 + 12, writeBytes: 192 + 12 + poolOut });
      // Ba1: pool backward reads 24 gradients 48 B, writes 96 values 192 B; IIR reverse reads 192 + 192, writes 192
      expect(backwardVectorTraffic(conv2, net, 2, 1, tiny4)).toEqual({ readBytes: 48 + 384, writeBytes: 192 + 192 });
    }
  });
  it('byte-encoded spikes cost a byte each; Adam moves its two moments', () => {
    const net = loadNetwork('tiny-fc');
    const bytes = { ...hw, spikeEncoding: 'byte' as const };
    const F1 = layerTaskCosts(net.weightLayers[0], net, bytes, { memoryTraffic: true }).F;
    expect(F1.memoryReadBytes).toBe(256 + 128 + 128); // the 128 input spikes at 1 B
    expect(F1.memoryWriteBytes).toBe(128 + 128 + 64); // the 64 output spikes at 1 B
    expect(updateTraffic(100, 'adam', hw)).toEqual({ readBytes: 800, writeBytes: 600 });
  });
});

describe('spikepipe cost: memory traffic beside the cycles', () => {
  it('text: two more columns and their totals; JSON: the fields beside the cycles', async () => {
    const r = await cli('cost', 'tiny-fc');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(/\bcycles\s+memoryReadBytes\s+memoryWriteBytes$/);
    expect(lines[2]).toMatch(/^F_1\s+F\s+1\s+8×16×8\s+ws\s+1\s+390\s+4\s+394\s+400\s+264$/);
    expect(lines.at(-1)).toMatch(/^total\s+1972\s+1904\s+1416$/);
    const j = JSON.parse((await cli('cost', 'tiny-fc', '--json')).stdout);
    expect(j.tasks[0]).toMatchObject({ id: 'F_1', cycles: 394, memoryReadBytes: 400, memoryWriteBytes: 264 });
    expect([j.totalMemoryReadBytes, j.totalMemoryWriteBytes]).toEqual([1904, 1416]);
  });
});
