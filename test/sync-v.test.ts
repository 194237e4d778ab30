// ZB-V, DualPipeV (V-shaped, split backward, synchronous) and PipeDream-2BW (no flush, two weight
// versions, staleness 1) on unit-cost chunk graphs (F = I = W = 1 unit = 2 cycles, no transfers),
// against the numbers the papers and repositories give, and in `compare` on the shipped networks.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from '../lib/model/schedule/validate';
import { simulate } from '../lib/model/schedule/simulate';
import { compare } from '../lib/app/pipeline/compare';
import { defaultHardware } from '../lib/model/spec/hardware';
import { actionSchedule, bubbleFraction, type Action } from '../solvers/pipeline/actions';
import { oneFOneBOrders } from '../solvers/pipeline/1f1b';
import { zbvOrders } from '../solvers/pipeline/zb-v';
import { dualpipevOrders } from '../solvers/pipeline/dualpipev';
import { twoBWSchedule } from '../solvers/pipeline/pipedream-2bw';
import { withStaleness } from '../lib/model/graph/taskgraph';
import { inFlight, unitChunks } from './sync-helpers';

const shape = (S: number, m: number, v = 2) => ({ ranks: S, v, micro: m });

/** Orders, asserting the method did not decline the shape. */
function ordersOf(o: Action[][] | { skip: string }): Action[][] {
  if ('skip' in o) throw new Error(`declined: ${o.skip}`);
  return o;
}

/** The V schedule of `orders` on unit chunks: period, validation and a simulated run. */
function runV(S: number, m: number, orders: Action[][], iterations = 6) {
  const { cg, rankOf, machine } = unitChunks(S, m, true, 2, { chunksPerRank: 2 });
  const t = actionSchedule(cg, machine, S, rankOf, orders, 'test');
  const sim = simulate(cg.graph, machine, t.schedule, { iterations });
  return { period: t.period, bubble: bubbleFraction(cg, t.period), violations: validate(cg.graph, machine, t.schedule).violations, ok: sim.ok, measured: sim.measuredPeriod };
}

/**
 * Unit-time replay of per-rank orders on 2S chunks (F, I, W 1 unit, whole B 2 units, no
 * transfers): each rank runs its blocks in order, each as soon as its inputs are done. With
 * `fused`, DualPipe's overlapped pair — an F followed by a whole B on one rank, except the last
 * rank's first one, which dualpipev.py runs apart — is one block of F + B that starts only when
 * both inputs are there, as one overlapped kernel does. Returns the longest rank window.
 */
function replay(orders: Action[][], C: number, fused: boolean): number {
  const done = new Map<string, number>();
  const len = { F: 1, I: 1, W: 1, B: 2 } as const;
  const key = (a: Action, kind: string) => `${kind}${a.stage}/${a.micro}`;
  const needs = (a: Action): string[] => {
    if (a.kind === 'F') return a.stage > 0 ? [key({ ...a, stage: a.stage - 1 }, 'F')] : [];
    if (a.kind === 'W') return [key(a, 'I')];
    return [key(a, 'F'), ...(a.stage < C - 1 ? [key({ ...a, stage: a.stage + 1 }, 'I')] : [])];
  };
  const blocks = orders.map((list, r) => {
    const out: Action[][] = [];
    let firstPair = r === orders.length - 1;
    for (let i = 0; i < list.length; i++) {
      const pair = fused && list[i].kind === 'F' && list[i + 1]?.kind === 'B';
      if (pair && firstPair) firstPair = false;
      else if (pair) {
        out.push([list[i], list[++i]]);
        continue;
      }
      out.push([list[i]]);
    }
    return out;
  });
  const next = blocks.map(() => 0);
  const free = blocks.map(() => 0);
  const first = blocks.map(() => -1);
  for (let progress = true; progress; ) {
    progress = false;
    blocks.forEach((list, r) => {
      if (next[r] >= list.length) return;
      const block = list[next[r]];
      const inputs = block.flatMap(needs).map((k) => done.get(k));
      if (inputs.some((t) => t === undefined)) return;
      const start = Math.max(free[r], ...(inputs as number[]));
      if (first[r] < 0) first[r] = start;
      free[r] = start + block.reduce((a, x) => a + len[x.kind], 0);
      for (const a of block) done.set(key(a, a.kind === 'B' ? 'I' : a.kind), free[r]);
      next[r]++;
      progress = true;
    });
  }
  if (next.some((n, r) => n < blocks[r].length)) throw new Error('replay: the orders deadlock');
  return Math.max(...free.map((f, r) => f - first[r]));
}

describe('ZB-V (torch ScheduleZBVZeroBubble order), unit costs', () => {
  it('zero bubble once m ≥ 2S − 1: period 2m·(F + I + W) = 12m cycles; below, 2 units more per micro-batch short of 2S − 1', () => {
    for (let S = 1; S <= 5; S++) {
      for (let m = 1; m <= 12; m++) {
        const { cg, rankOf, machine } = unitChunks(S, m, true, 2, { chunksPerRank: 2 });
        const t = actionSchedule(cg, machine, S, rankOf, zbvOrders(shape(S, m)), 'zb-v');
        expect(t.period, `S = ${S}, m = ${m}`).toBe(12 * m + 4 * Math.max(0, 2 * S - 1 - m));
        if (m >= 2 * S - 1) expect(bubbleFraction(cg, t.period)).toBe(0);
      }
    }
  });

  for (const [S, m] of [
    [2, 3],
    [3, 5],
    [4, 8],
    [4, 2],
  ] as const) {
    it(`S = ${S}, m = ${m}: valid, simulated at the claimed period, no staleness`, () => {
      const r = runV(S, m, zbvOrders(shape(S, m)));
      expect(r.violations).toEqual([]);
      expect([r.ok, r.measured]).toEqual([true, r.period]);
    });
  }

  it("activations: each rank holds at most 2·min(S, m) chunk micro-batches — 1F1B's rank 0 (min(S, m) micro-batches of a two-chunk stage) — and exactly 2S once m ≥ 2S − 1", () => {
    for (let S = 1; S <= 5; S++) {
      for (let m = 1; m <= 12; m++) {
        const zb = inFlight(zbvOrders(shape(S, m)));
        const oneF = inFlight(oneFOneBOrders(shape(S, m, 1)));
        expect(oneF[0]).toBe(Math.min(S, m));
        expect(Math.max(...zb), `S = ${S}, m = ${m}`).toBe(2 * oneF[0]);
        if (m >= 2 * S - 1) expect(zb).toEqual(new Array(S).fill(2 * S));
      }
    }
  });

  it('rank 0 holds the first and the last chunk; the order is in torch grammar, every action once', () => {
    const o = zbvOrders(shape(2, 3));
    expect(new Set(o[0].map((a) => a.stage))).toEqual(new Set([0, 3]));
    expect(new Set(o[1].map((a) => a.stage))).toEqual(new Set([1, 2]));
    expect(o.flat().length).toBe(2 * 2 * 3 * 3);
  });
});

describe('DualPipeV (dualpipev.py / torch ScheduleDualPipeV order), unit costs', () => {
  it('declines m < 2S with the reason', () => {
    expect(dualpipevOrders(shape(3, 5))).toEqual({ skip: 'DualPipeV needs m ≥ 2S = 6 micro-batches (dualpipev.py: num_chunks ≥ 2·num_ranks)' });
    expect('skip' in dualpipevOrders(shape(3, 6))).toBe(false);
  });

  it("the README's bubble (PP/2 − 1)(F&B + B − 3W), PP = 2S, is 2(S − 1) units with F&B = F + B run as one block; back to back it is S − 1: period 12m + 2(S − 1) cycles", () => {
    for (let S = 1; S <= 5; S++) {
      for (const m of [2 * S, 2 * S + 1, 4 * S]) {
        const o = ordersOf(dualpipevOrders(shape(S, m)));
        const { cg, rankOf, machine } = unitChunks(S, m, true, 2, { chunksPerRank: 2 });
        const t = actionSchedule(cg, machine, S, rankOf, o, 'dualpipev');
        const [F, B, W] = [1, 2, 1];
        expect(replay(o, 2 * S, true) - 6 * m, `fused, S = ${S}, m = ${m}`).toBe((S - 1) * (F + B + B - 3 * W));
        expect(replay(o, 2 * S, false), `back to back, S = ${S}, m = ${m}`).toBe(t.period / 2);
        expect(t.period).toBe(12 * m + 2 * (S - 1));
      }
    }
  });

  for (const [S, m] of [
    [2, 4],
    [3, 7],
    [4, 8],
  ] as const) {
    it(`S = ${S}, m = ${m}: valid, simulated at the claimed period`, () => {
      const r = runV(S, m, ordersOf(dualpipevOrders(shape(S, m))));
      expect(r.violations).toEqual([]);
      expect([r.ok, r.measured]).toEqual([true, r.period]);
    });
  }

  it("activations: PP + 1 = 2S + 1 chunk micro-batches on every rank (the README's column)", () => {
    for (let S = 1; S <= 5; S++) for (const m of [2 * S, 3 * S + 1]) expect(inFlight(ordersOf(dualpipevOrders(shape(S, m))))).toEqual(new Array(S).fill(2 * S + 1));
  });
});

describe('PipeDream-2BW, unit costs (whole backward B = 2 units, U = 0)', () => {
  const W = 1000; // bytes of each layer's weights (and of every other rank-local tensor)
  for (const [S, m] of [
    [1, 2],
    [2, 2],
    [3, 4],
    [4, 4],
    [4, 8],
  ] as const) {
    it(`S = ${S}, m = ${m}: period m·(F + B) = 6m cycles ≤ 1F1B's (m + S − 1)·6; staleness [1, …, 1] claimed and simulated; two weight versions per stage`, () => {
      const { cg, rankOf, machine } = unitChunks(S, m, false, 2, { localBytes: W });
      const t = twoBWSchedule(cg, machine, S);
      const g = withStaleness(cg.graph, t.staleness);
      expect(t.period).toBe(6 * m);
      expect(t.staleness).toEqual(new Array(S).fill(1));
      expect(validate(g, machine, t.schedule).violations).toEqual([]);
      const sim = simulate(g, machine, t.schedule, { iterations: 12 });
      expect([sim.ok, sim.measuredPeriod]).toEqual([true, t.period]);
      expect(sim.staleness.map((x) => x.measured)).toEqual(new Array(S).fill(1));
      expect(sim.stalenessMatches).toBe(true);
      // Version k − 2 lives until the last reader of minibatch k, version k − 1 from U(k − 1) on.
      expect(sim.peakMemory.map((x) => x.weightBytes)).toEqual(new Array(S).fill(2 * W));
      const flush = actionSchedule(cg, machine, S, rankOf, oneFOneBOrders(shape(S, m, 1)), '1f1b');
      expect(flush.period).toBe((m + S - 1) * 6);
      expect(t.period).toBeLessThanOrEqual(flush.period);
      // 1F1B with a flush keeps one version: the next minibatch waits for the update.
      expect(simulate(cg.graph, machine, flush.schedule, { iterations: 12 }).peakMemory.map((x) => x.weightBytes)).toEqual(new Array(S).fill(W));
    });
  }
});

describe('compare: the new methods on tiny-fc and mnist-fc at 2 and 4 processors', () => {
  const hw = defaultHardware();
  const methods = ['1f1b', 'zb-v', 'dualpipev', 'pipedream-2bw'];

  it('valid, simulated rows; 2BW stale by exactly 1 everywhere, the synchronous ones by 0', async () => {
    const { rows } = await compare({ networks: ['tiny-fc', 'mnist-fc'], procs: [2, 4], methods, hw });
    expect(rows.length).toBe(2 * 2 * methods.length);
    for (const r of rows) {
      const what = `${r.network}/${r.procs} ${r.method}: ${r.notes.join('; ')}`;
      expect(r.valid, what).toBe(true);
      expect(r.simulatedPeriod, what).toBe(r.period);
      expect(r.lowerBound!, what).toBeLessThanOrEqual(r.period!);
      expect(r.staleness, what).toEqual(new Array(r.network === 'tiny-fc' ? 2 : 3).fill(r.method === 'pipedream-2bw' ? 1 : 0));
    }
    const at = (net: string, N: number, m: string) => rows.find((r) => r.network === net && r.procs === N && r.method === m)!;
    // Two or three layers leave the V one rank (2S ≤ L chunks); DualPipeV then needs m ≥ 2.
    expect([at('mnist-fc', 4, 'zb-v').microBatches, at('mnist-fc', 4, 'dualpipev').microBatches]).toEqual([1, 2]);
  });

  it('a cell where every shape is declined is a failed row naming the reasons; the table goes on', async () => {
    const { rows } = await compare({ networks: ['tiny-fc'], procs: [2], methods: ['dualpipev', '1f1b'], hw, options: { dualpipev: { microBatches: 1 } } });
    expect(rows.map((r) => [r.method, r.valid])).toEqual([
      ['dualpipev', false],
      ['1f1b', true],
    ]);
    expect(rows[0].notes.join(' ')).toMatch(/no shape of dualpipev fits tiny-fc on 2 processors \(S=1 v=2 m=1: DualPipeV needs m ≥ 2S = 2 micro-batches .*\): dualpipev does not run on this cell/);
    const one = join(mkdtempSync(join(tmpdir(), 'spikepipe-v-')), 'one-fc.json');
    const spec = { name: 'one-fc', dataset: 'synthetic', input: [1, 4, 4], timesteps: 2, batch: 4, classes: 4, optimizer: 'sgd', layers: [{ type: 'fc', in: 16, out: 4 }] };
    writeFileSync(one, JSON.stringify(spec));
    const single = await compare({ networks: [one], procs: [2], methods: ['zb-v', 'pipedream-2bw'], hw });
    expect(single.rows.map((r) => [r.method, r.valid])).toEqual([
      ['zb-v', false],
      ['pipedream-2bw', true],
    ]);
    expect(single.rows[0].notes.join(' ')).toMatch(/zb-v cuts the layers into 2 chunks per rank: one-fc has 1 layer\(s\); zb-v does not run on this cell/);
  });

  it('a chunk count the user fixed that no shape can take is bad input naming the reason (more chunks per rank than layers)', async () => {
    await expect(compare({ networks: ['mnist-fc'], procs: [4], methods: ['interleaved-1f1b'], hw, options: { 'interleaved-1f1b': { chunksPerRank: 5 } } })).rejects.toThrow(
      /^interleaved-1f1b: no shape of interleaved-1f1b fits mnist-fc on 4 processors \(v=5: 5 chunks per rank need at least 5 weight layers, mnist-fc has 3\)$/,
    );
  });
});
