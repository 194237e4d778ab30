// Interleaved 1F1B (solvers/pipeline/interleaved-1f1b.ts) on unit-cost chunk graphs against
// the numbers Narayanan et al. (SC'21) derive, and torch's generalisation of its shapes.
import { describe, expect, it } from 'vitest';
import { validate } from '../lib/model/schedule/validate';
import { actionSchedule } from '../solvers/pipeline/actions';
import { interleavedOrders } from '../solvers/pipeline/interleaved-1f1b';
import { inFlightPeaks } from '../solvers/pipeline/zero-bubble';
import { MICRO_BATCH_CANDIDATES } from '../solvers/pipeline/micro-batches';
import { runUnitChain, unitChain } from './helpers/unit-chain';

describe('interleaved 1F1B, unit costs', () => {
  // Megatron's shapes (S divides m): the fill and drain cost S − 1 chunk-steps, a 1/v share of
  // 1F1B's: period = 6·(m·v + S − 1), bubble over the ideal (1/v)·(S − 1)/m.
  for (const [S, v, m] of [
    [2, 2, 4],
    [4, 2, 8],
    [4, 4, 4],
    [3, 3, 6],
    [4, 3, 16],
    [8, 2, 8],
  ] as const) {
    it(`S = ${S}, v = ${v}, m = ${m}: period 6·(m·v + S − 1) = ${6 * (m * v + S - 1)}; rank 0 holds Megatron's warm-up + 1 chunk activations`, () => {
      const orders = interleavedOrders({ ranks: S, v, micro: m });
      if ('skip' in orders) throw new Error(orders.skip);
      const { period, bubble } = runUnitChain(S * v, S, m, false, orders);
      expect(period).toBe(6 * (m * v + S - 1));
      expect((period - 6 * m * v) / (6 * m * v)).toBeCloseTo((1 / v) * ((S - 1) / m), 12);
      expect(bubble).toBeCloseTo((S - 1) / (m * v + S - 1), 12);
      expect(inFlightPeaks(orders)[0]).toBe(Math.min(m * v, 2 * (S - 1) + (v - 1) * S + 1));
      // Against 1F1B over the same S ranks (v times coarser chunks, 6·v cycles a step): (m + S − 1)·6v.
      expect(period).toBeLessThan((m + S - 1) * 6 * v);
    });
  }

  it("torch's generalisation (rounds = ⌊m/S⌋ dividing m): 6·(v·max(m, S) + min(m, S) − 1); other m declined with the reason", () => {
    for (const [S, v, m] of [
      [4, 2, 6],
      [4, 2, 10],
      [3, 2, 4],
      [5, 3, 8],
      [4, 2, 2],
      [4, 3, 1],
      [8, 4, 4],
    ] as const) {
      const orders = interleavedOrders({ ranks: S, v, micro: m });
      if ('skip' in orders) throw new Error(orders.skip);
      expect(runUnitChain(S * v, S, m, false, orders).period, `S=${S} v=${v} m=${m}`).toBe(6 * (v * Math.max(m, S) + Math.min(m, S) - 1));
    }
    expect(interleavedOrders({ ranks: 3, v: 2, micro: 16 })).toEqual({ skip: 'interleaving needs the 5 rounds of ⌊m/S⌋ to divide m = 16 (torch ScheduleInterleaved1F1B)' });
  });

  it('every shape torch accepts (S ≤ 8, v = 2, 3, 4, m = 1, 2, 4, …, 32) is deadlock-free and valid', () => {
    let shapes = 0;
    for (let S = 1; S <= 8; S++)
      for (const v of [2, 3, 4])
        for (const m of MICRO_BATCH_CANDIDATES) {
          const orders = interleavedOrders({ ranks: S, v, micro: m });
          if ('skip' in orders) continue;
          const { cg, rankOf, machine } = unitChain(S * v, S, m, false);
          const t = actionSchedule(cg, machine, S, rankOf, orders, 'test');
          expect(validate(cg.graph, machine, t.schedule).violations, `S=${S} v=${v} m=${m}`).toEqual([]);
          shapes++;
        }
    expect(shapes).toBe(3 * (8 * 6 - 5)); // declined: m = 16, 32 at S = 3 and 5, m = 32 at S = 6
  });
});
