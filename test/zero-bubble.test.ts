// Zero Bubble ZB-H1 / ZB-H2 (solvers/pipeline/zero-bubble.ts) on unit-cost chunk graphs, against
// the numbers the paper derives (Qi et al., ICLR'24) and torch's ZB1P order; then today's
// synchronous pipelines (1F1B, interleaved 1F1B, ZB-H1, ZB-H2) on the real networks.
import { describe, expect, it } from 'vitest';
import { loadNetwork } from '../lib/model/spec/network';
import { defaultHardware, machineFromHardware } from '../lib/model/spec/hardware';
import { compare } from '../lib/app/pipeline/compare';
import { pipelineCell, runMethod } from '../lib/app/pipeline/run';
import { actionSchedule, formatAction } from '../solvers/pipeline/actions';
import { oneFOneBOrders } from '../solvers/pipeline/1f1b';
import { inFlightPeaks, pendingBackwardPeaks, zbWarmup, zeroBubbleOrders, type ZeroBubbleDetails } from '../solvers/pipeline/zero-bubble';
import { MICRO_BATCH_CANDIDATES } from '../solvers/pipeline/micro-batches';
import { syncCandidate, type SyncCandidate } from '../solvers/pipeline/sync-search';
import type { PipelineContext } from '../solvers/pipeline/method';
import { runUnitChain, unitChain } from './helpers/unit-chain';

const oneFOneB = (S: number, m: number) => runUnitChain(S, S, m, false, oneFOneBOrders({ ranks: S, v: 1, micro: m })).period;

/**
 * torch's `ScheduleInterleavedZeroBubble` with one stage per rank, as its
 * `_calculate_single_rank_operations` / `_get_1f1b_rank_ops` build it (idle slots dropped):
 * warm-up min(S − 1 − r, m) forwards; each 1F1B step F, I, and from step r on the oldest W; the
 * cool-down I's likewise; then the W's left.
 */
function torchZB1P(S: number, m: number): string[][] {
  return Array.from({ length: S }, (_, r) => {
    const out: string[] = [];
    const warm = Math.min(S - 1 - r, m);
    let f = 0;
    let i = 0;
    let w = 0;
    for (let op = 0; op < m + warm; op++) {
      if (op < warm) {
        out.push(`${r}F${f++}`);
        continue;
      }
      if (op < m) out.push(`${r}F${f++}`);
      out.push(`${r}I${i++}`);
      if (op - warm >= r) out.push(`${r}W${w++}`);
    }
    while (w < m) out.push(`${r}W${w++}`);
    return out;
  });
}

describe('ZB-H1 (memory limit S), unit costs', () => {
  for (const [S, m] of [
    [2, 4],
    [4, 4],
    [4, 8],
    [3, 7],
    [8, 8],
    [8, 16],
  ] as const) {
    it(`S = ${S}, m = ${m}: period 2·(3m + S − 1) = ${2 * (3 * m + S - 1)}, a third of 1F1B's bubble; 1F1B's memory`, () => {
      const orders = zeroBubbleOrders(S, m, S);
      const { period } = runUnitChain(S, S, m, true, orders);
      expect(period).toBe(2 * (3 * m + S - 1));
      const p1 = oneFOneB(S, m);
      expect(p1).toBe(6 * (m + S - 1));
      // Each rank works 6m cycles: ZB-H1 idles (S − 1)·(F + I − W) = 2(S − 1), 1F1B 6(S − 1).
      expect(3 * (period - 6 * m)).toBe(p1 - 6 * m);
      // Micro-batches awaiting their input gradient: 1F1B's on every rank (min(m, S − r));
      // held until W: S on every rank (the paper: "the same number of in-flight micro-batches"),
      // so the peak over ranks is 1F1B's (rank 0's S), the ranks behind hold their deferred W's.
      const ref = oneFOneBOrders({ ranks: S, v: 1, micro: m });
      expect(pendingBackwardPeaks(orders)).toEqual(inFlightPeaks(ref));
      expect(inFlightPeaks(orders)).toEqual(new Array<number>(S).fill(Math.min(S, m)));
      expect(Math.max(...inFlightPeaks(orders))).toBe(Math.max(...inFlightPeaks(ref)));
    });
  }

  // For m < S the drains differ (here a W fills each wait between two I's, torch runs the W's
  // after them); the periods are the same.
  it("the orders are torch's ScheduleInterleavedZeroBubble (one stage per rank), action for action, for m ≥ S", () => {
    for (let S = 1; S <= 8; S++)
      for (const m of [S, S + 1, 2 * S, 16, 32].filter((x) => x >= S)) {
        expect(zeroBubbleOrders(S, m, S).map((l) => l.map(formatAction)), `S=${S} m=${m}`).toEqual(torchZB1P(S, m));
      }
  });
});

describe('ZB-H2 (memory limit 2S − 1), unit costs', () => {
  for (const [S, m] of [
    [2, 4],
    [3, 8],
    [4, 8],
    [4, 16],
    [8, 15],
    [8, 32],
  ] as const) {
    it(`S = ${S}, m = ${m} ≥ 2S − 1: no bubble, period 6m = ${6 * m}; rank r holds 2(S − r) − 1 awaiting I, 2S − 1 in all`, () => {
      const orders = zeroBubbleOrders(S, m, 2 * S - 1);
      const { period, bubble } = runUnitChain(S, S, m, true, orders);
      expect(period).toBe(6 * m);
      expect(bubble).toBe(0);
      expect(zbWarmup(S, m, 2 * S - 1)).toEqual(Array.from({ length: S }, (_, r) => 2 * (S - r) - 1));
      expect(pendingBackwardPeaks(orders)).toEqual(Array.from({ length: S }, (_, r) => 2 * (S - r) - 1));
      expect(inFlightPeaks(orders)).toEqual(new Array<number>(S).fill(2 * S - 1));
    });
  }

  it('below m = 2S − 1 the warm-up cannot cover the wait for the first I: 4 ranks, m = 4: 2·(3m + 3), as ZB-H1; never slower than ZB-H1', () => {
    expect(runUnitChain(4, 4, 4, true, zeroBubbleOrders(4, 4, 7)).period).toBe(2 * (3 * 4 + 3));
    for (let S = 1; S <= 8; S++)
      for (const m of [1, 2, 3, 4, 7, 8, 15, 16, 32]) {
        const h1 = runUnitChain(S, S, m, true, zeroBubbleOrders(S, m, S)).period;
        const h2 = runUnitChain(S, S, m, true, zeroBubbleOrders(S, m, 2 * S - 1)).period;
        expect(h2, `S=${S} m=${m}`).toBeLessThanOrEqual(h1);
        if (m >= 2 * S - 1) expect(h2).toBe(6 * m);
      }
  });
});

describe('the memory limit maxInFlight', () => {
  it('4 ranks, m = 16: every limit K = 1..8 holds (≤ K per rank), valid; a larger K is never slower; K = 4 is ZB-H1, K = 7 ZB-H2', () => {
    const periods: number[] = [];
    for (let K = 1; K <= 8; K++) {
      const orders = zeroBubbleOrders(4, 16, K);
      expect(Math.max(...inFlightPeaks(orders))).toBeLessThanOrEqual(K);
      periods.push(runUnitChain(4, 4, 16, true, orders).period);
    }
    for (let k = 1; k < periods.length; k++) expect(periods[k]).toBeLessThanOrEqual(periods[k - 1]);
    expect([periods[3], periods[6]]).toEqual([2 * (48 + 3), 96]);
    // K = 1: one micro-batch at a time on each rank (F, I, W, then the next F).
    expect(zeroBubbleOrders(4, 16, 1)[0].slice(0, 6).map(formatAction)).toEqual(['0F0', '0I0', '0W0', '0F1', '0I1', '0W1']);
  });

  it('every limit K = 1..2S + 1 on S ≤ 8 ranks, m = 1, 3, 8, 17, 32: the unit-time run progresses, holds ≤ K, and the orders time without a contradiction', () => {
    for (let S = 1; S <= 8; S++)
      for (const m of [1, 3, 8, 17, 32])
        for (let K = 1; K <= 2 * S + 1; K++) {
          const orders = zeroBubbleOrders(S, m, K);
          expect(Math.max(...inFlightPeaks(orders)), `S=${S} m=${m} K=${K}`).toBeLessThanOrEqual(K);
          const { cg, rankOf, machine } = unitChain(S, S, m, true);
          expect(actionSchedule(cg, machine, S, rankOf, orders, 'test').period).toBeGreaterThanOrEqual(6 * m);
        }
  });
});

describe('on the real networks', () => {
  const hw = defaultHardware();
  const methods = ['1f1b', 'interleaved-1f1b', 'zb-h1', 'zb-h2'];

  it('compare: tiny-fc and mnist-fc at 2 and 4 processors, every row valid, simulated, synchronous', async () => {
    const { rows } = await compare({ networks: ['tiny-fc', 'mnist-fc'], procs: [2, 4], methods, hw });
    expect(rows.map((r) => r.method)).toEqual([...methods, ...methods, ...methods, ...methods]);
    for (const r of rows) {
      expect(r.valid, `${r.network} N=${r.procs} ${r.method}: ${r.notes.join('; ')}`).toBe(true);
      expect(r.simulatedPeriod).toBe(r.period);
      expect(r.staleness.every((d) => d === 0)).toBe(true);
      // Only the interleaved method reports chunks per rank, and then at least 2 (v = 1 is plain 1F1B).
      if (r.method === 'interleaved-1f1b') expect(r.chunksPerRank).toBeGreaterThanOrEqual(2);
      else expect(r.chunksPerRank).toBeUndefined();
    }
  });

  it('mnist-fc at 4: the ZB rows hold at most their memory limit on every rank, by default S and 2S − 1, or the maxInFlight given', async () => {
    const net = loadNetwork('mnist-fc');
    const cell = pipelineCell({ net, hw, procs: 4, options: { 'zb-h2': { maxInFlight: 2 } } });
    for (const [method, limit] of [
      ['zb-h1', (S: number) => S],
      ['zb-h2', () => 2],
    ] as const) {
      const d = (await runMethod(method, cell)).result.details as ZeroBubbleDetails;
      expect(d.maxInFlight).toBe(limit(d.ranks));
      expect(d.inFlight.length).toBe(d.ranks);
      expect(Math.max(...d.inFlight)).toBeLessThanOrEqual(d.maxInFlight);
    }
  });

  // A shape's period does not depend on N ≥ S: every S ≤ 8 once covers the cells at N = 2, 4, 8.
  for (const name of ['mnist-fc', 'fmnist-conv', 'cifar10-vgg']) {
    it(`${name}: ZB-H1 is never slower than 1F1B on the same partition (every S ≤ 8, every m)`, () => {
      const net = loadNetwork(name);
      const ctx: PipelineContext = { net, hw, machine: machineFromHardware(hw, 8), procs: 8, use: () => Promise.reject(new Error('not used')) };
      const L = net.weightLayers.length;
      let shapes = 0;
      for (let S = 1; S <= Math.min(8, L); S++)
        for (const m of MICRO_BATCH_CANDIDATES.filter((x) => net.spec.batch % x === 0)) {
          const shape = { ranks: S, v: 1, micro: m };
          const a = syncCandidate(ctx, '1f1b', { splitW: false, rankOf: (c) => c, orders: oneFOneBOrders }, shape) as SyncCandidate;
          const b = syncCandidate(ctx, 'zb-h1', { splitW: true, rankOf: (c) => c, orders: (s) => zeroBubbleOrders(s.ranks, s.micro, s.ranks) }, shape) as SyncCandidate;
          expect(b.chunks).toEqual(a.chunks);
          expect(b.timed.period, `S=${S} m=${m}`).toBeLessThanOrEqual(a.timed.period);
          shapes++;
        }
      expect(shapes).toBeGreaterThan(0);
    });
  }
});
