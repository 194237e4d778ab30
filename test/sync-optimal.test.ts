// The optimal synchronous schedule on a fixed partition (solvers/pipeline/sync-optimal.ts): on unit
// chunk graphs against a brute force over every pair of per-rank orders and against hand-derived
// optima; on tiny-fc and mnist-fc at 2 against 1F1B.
import { describe, expect, it } from 'vitest';
import { actionSchedule, act, orderDeadlock, sequencesOf, type Action } from '../solvers/pipeline/actions';
import { oneFOneBOrders } from '../solvers/pipeline/1f1b';
import { optimiseSync, syncOptimal } from '../solvers/pipeline/sync-optimal';
import { windowTiming } from '../solvers/pipeline/sync-milp';
import { validate } from '../lib/model/schedule/validate';
import { loadNetwork } from '../lib/model/spec/network';
import { unitChunks } from './sync-helpers';
import { zeroBubbleOrders } from '../solvers/pipeline/zero-bubble';
import { ctxOf, run } from './helpers/methods';

/** Every order of one rank's F, I, W of micro-batches 0..m−1 with F_j before I_j before W_j. */
function rankOrders(stage: number, m: number): Action[][] {
  const out: Action[][] = [];
  const next = new Array<number>(m).fill(0); // 0: F next, 1: I next, 2: W next, 3: done
  const kinds = ['F', 'I', 'W'] as const;
  const list: Action[] = [];
  const go = () => {
    if (list.length === 3 * m) return void out.push([...list]);
    for (let j = 0; j < m; j++) {
      if (next[j] > 2) continue;
      list.push(act(stage, kinds[next[j]++], j));
      go();
      next[j]--;
      list.pop();
    }
  };
  go();
  return out;
}

describe('sync-optimal on unit chunk graphs (F = I = W = 2 cycles, no transfers)', () => {
  it('S = 2, m = 2: the MILP optimum is 14 cycles = the brute force over all 20 × 20 order pairs, below 1F1B (18; 16 split)', async () => {
    const { cg, rankOf, machine } = unitChunks(2, 2, true);
    const whole = unitChunks(2, 2, false);
    const oneFOneB = oneFOneBOrders({ ranks: 2, v: 1, micro: 2 });
    expect(actionSchedule(whole.cg, whole.machine, 2, whole.rankOf, oneFOneB, '1f1b').period).toBe(18);
    const seqs = [rankOrders(0, 2), rankOrders(1, 2)];
    expect(seqs[0].length).toBe(20);
    let brute = Infinity;
    let bruteSelfTimed = Infinity;
    for (const a of seqs[0]) {
      for (const b of seqs[1]) {
        if (orderDeadlock(cg, rankOf, [a, b])) continue;
        const t = windowTiming(cg.graph, machine, cg.proc, sequencesOf(cg, rankOf, [a, b]), 1, 1000)!;
        brute = Math.min(brute, t.period);
        bruteSelfTimed = Math.min(bruteSelfTimed, actionSchedule(cg, machine, 2, rankOf, [a, b], 'x').period);
      }
    }
    // By hand: rank 0 runs F_0^0, then can only run F_0^1 until I_0^0's input returns from rank 1
    // (F_1^0, I_1^0: two more units after F_0^0), so it idles one unit; 6 units of work + 1 idle.
    expect([brute, bruteSelfTimed]).toEqual([14, 14]);
    for (const formulation of ['window', 'period-ilp'] as const) {
      const r = await optimiseSync(cg, machine, 2, rankOf, oneFOneB, { timeLimitSeconds: 30, formulation });
      expect([r.status, r.placement.period, r.bound, r.listsPeriod], formulation).toEqual(['optimal', 14, 14, 16]);
      expect(validate(cg.graph, machine, { kind: 'periodic', procs: 2, period: r.placement.period, tasks: cg.graph.tasks.map((t, v) => ({ id: t.id, processor: r.placement.proc[v], start: r.placement.start[v] })) }).violations).toEqual([]);
    }
  });

  it('S = 2, m = 3: optimum 18 cycles = the busiest rank\'s load (by hand: rank 0 runs F0 F1 F2 while I_1^0 comes back), 1F1B 24', async () => {
    const { cg, rankOf, machine } = unitChunks(2, 3, true);
    const whole = unitChunks(2, 3, false);
    const oneFOneB = oneFOneBOrders({ ranks: 2, v: 1, micro: 3 });
    expect(actionSchedule(whole.cg, whole.machine, 2, whole.rankOf, oneFOneB, '1f1b').period).toBe(24);
    const r = await optimiseSync(cg, machine, 2, rankOf, oneFOneB, { timeLimitSeconds: 30, formulation: 'window' });
    expect([r.status, r.placement.period, r.bound]).toEqual(['optimal', 18, 18]);
    // The hand schedule: rank 0 F0 F1 F2 I0 W0 I1 W1 I2 W2, rank 1 F0 I0 F1 I1 F2 I2 W0 W1 W2.
    const hand = [
      [act(0, 'F', 0), act(0, 'F', 1), act(0, 'F', 2), act(0, 'I', 0), act(0, 'W', 0), act(0, 'I', 1), act(0, 'W', 1), act(0, 'I', 2), act(0, 'W', 2)],
      [act(1, 'F', 0), act(1, 'I', 0), act(1, 'F', 1), act(1, 'I', 1), act(1, 'F', 2), act(1, 'I', 2), act(1, 'W', 0), act(1, 'W', 1), act(1, 'W', 2)],
    ];
    expect(actionSchedule(cg, machine, 2, rankOf, hand, 'hand').period).toBe(18);
  });
});

describe('sync-optimal on networks, 2 processors', () => {
  for (const name of ['tiny-fc', 'mnist-fc']) {
    it(`${name}: proven optimal and ≤ 1F1B, at 1F1B's best shape and at S = 2, m = 2`, async () => {
      const ctx = ctxOf(loadNetwork(name), 2);
      const oneFOneB = await run<{ ranks: number }>('1f1b', ctx);
      const best = await run<{ oneFOneBPeriod: number }>(syncOptimal, ctx);
      expect(best.status).toBe('optimal');
      expect(best.period).toBeLessThanOrEqual(oneFOneB.period);
      expect(best.details.oneFOneBPeriod).toBe(oneFOneB.period);
      const cell = await ctx.cell.run('sync-optimal', { ranks: 2, microBatches: 2 });
      const d = cell.result.details as { oneFOneBPeriod: number; selfTimedPeriod: number };
      expect(cell.result.status).toBe('optimal');
      expect(cell.result.period).toBeLessThan(d.oneFOneBPeriod);
      expect(cell.lowerBound).toBe(cell.result.period);
      expect(cell.simulation.measuredPeriod).toBe(cell.result.period);
    });
  }

  it('mnist-fc, S = 2, m = 16: 98 tasks, declined with the reason; 1F1B\'s lists on the split graph, unproven', async () => {
    const ctx = ctxOf(loadNetwork('mnist-fc'), 2);
    const r = (await ctx.cell.run('sync-optimal', { ranks: 2, microBatches: 16 })).result;
    const d = r.details as { oneFOneBPeriod: number; milp: { declined?: string } };
    expect([r.status, r.graph.tasks.length, d.milp.declined]).toEqual(['feasible', 98, 'the chunk graph has 98 tasks > 60']);
    expect(r.notes[0]).toBe("MILP declined: the chunk graph has 98 tasks > 60 (S = 2, m = 16); 1F1B's lists on the split graph returned, not proven optimal");
    expect(r.period).toBeLessThanOrEqual(d.oneFOneBPeriod);
  });
});

describe('the synchronous optimum against every synchronous baseline on the same partition', () => {
  it('unit chunk graphs, one chunk per rank: the optimum is never above 1F1B, ZB-H1 or ZB-H2 with the same S and m', async () => {
    for (const [S, m] of [
      [2, 2],
      [2, 3],
    ] as const) {
      const split = unitChunks(S, m, true);
      const whole = unitChunks(S, m, false);
      const opt = await optimiseSync(split.cg, split.machine, S, split.rankOf, oneFOneBOrders({ ranks: S, v: 1, micro: m }), { timeLimitSeconds: 30, formulation: 'window' });
      const baselines = {
        '1f1b': actionSchedule(whole.cg, whole.machine, S, whole.rankOf, oneFOneBOrders({ ranks: S, v: 1, micro: m }), '1f1b').period,
        'zb-h1': actionSchedule(split.cg, split.machine, S, split.rankOf, zeroBubbleOrders(S, m, S), 'zb-h1').period,
        'zb-h2': actionSchedule(split.cg, split.machine, S, split.rankOf, zeroBubbleOrders(S, m, 2 * S - 1), 'zb-h2').period,
      };
      expect(opt.status, `S=${S} m=${m}`).toBe('optimal');
      for (const [name, P] of Object.entries(baselines)) expect(opt.placement.period, `${name} S=${S} m=${m}`).toBeLessThanOrEqual(P);
    }
  }, 120_000);
});
