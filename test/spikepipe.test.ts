import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { HardwareSpec, ResolvedNetwork } from '../lib/model/spec/types';
import { loadNetwork, resolveNetwork } from '../lib/model/spec/network';
import { defaultHardware, loadHardware, machineFromHardware, resolveHardware } from '../lib/model/spec/hardware';
import { linkPeriodBound } from '../lib/model/metrics';
import { buildTrainingGraph } from '../lib/model/graph/training';
import { staleness2S } from '../lib/model/graph/delays';
import type { PipelineResult } from '../solvers/pipeline/method';
import type { AnyMethod } from '../solvers/registry';
import { ctxOf as cellOf, run, type TestCtx } from './helpers/methods';
import { pipedream } from '../solvers/pipeline/pipedream';
import { gpipe } from '../solvers/pipeline/gpipe';
import { spikepipe, type SpikePipeOptions } from '../solvers/pipeline/spikepipe';
import { layerpipe, enumerateConfigs, layerpipeAssignment } from '../solvers/pipeline/layerpipe';
import { spikepipeIlp, MAX_ILP_TASKS } from '../solvers/pipeline/spikepipe-ilp';
import { processorLoads } from '../solvers/periodic/assignment-cost';

const hw = defaultHardware();

function ctxOf(net: ResolvedNetwork, procs: number, options: Record<string, unknown> = {}, h: HardwareSpec = hw): TestCtx {
  return cellOf(net, procs, options, h);
}

/** Run a method on the cell: validated, its recipe checked and simulated (throws on disagreement). */
async function checked(method: AnyMethod, ctx: TestCtx): Promise<PipelineResult> {
  return run(method, ctx);
}

describe('tiny-fc, hand-checked periods', () => {
  // tiny-fc (16→8→4, T=2, B=4, SGD) on 128×128 arrays. Fine tasks on their best dataflows:
  //   F_1 394, F_2 390, Ba2_2 386, Bw_2 386, Bw_1 390, Loss 4, Ba1_2 4, Ba1_1 4, U_2 1, U_1 1 (Σ 1960).
  // Five "big" tasks (394, 390, 390, 386, 386) and 14 cycles of small ones:
  //   N = 1: Σ = 1960; N = 2: one processor holds ≥ 3 big tasks, at best 386 + 386 + 390 = 1162;
  //   N = 3: some processor holds 2 big tasks, at best 390 + 386 = 776 (twice), 394 + 14 on the third.
  // LayerPipe (spec dataflows: F_2 394, Ba2_2 390, Bw_2 390, Σ 1972): layer 1 = 394+4+390+1 = 789,
  //   layer 2 = 394+4+390+390+1+4 = 1183; moving Ba2_2 to layer 1's processor gives 1179 / 793.
  const net = loadNetwork('tiny-fc');
  const exact: Partial<SpikePipeOptions> = { periodTolerance: 0 };

  it('the cost numbers are the ones the hand computation uses', () => {
    const g = buildTrainingGraph(net, hw, { variant: 'spikepipe', dataflow: 'best' });
    expect(Object.fromEntries(g.tasks.map((t) => [t.id, t.cycles]))).toEqual({
      F_1: 394,
      F_2: 390,
      Loss: 4,
      Ba1_2: 4,
      Ba2_2: 386,
      Bw_2: 386,
      U_2: 1,
      Ba1_1: 4,
      Bw_1: 390,
      U_1: 1,
    });
  });

  it('spikepipe: 1960, 1162, 776 on 1, 2, 3 processors', async () => {
    const periods = [];
    for (const N of [1, 2, 3]) periods.push((await checked(spikepipe, ctxOf(net, N, exact))).period);
    expect(periods).toEqual([1960, 1162, 776]);
    const one = await checked(spikepipe, ctxOf(net, 1, exact));
    expect(one.staleness).toEqual([0, 0]);
  });

  it('spikepipe with the default tolerance stays within 0.1 % of those periods', async () => {
    for (const [N, P] of [
      [2, 1162],
      [3, 776],
    ]) {
      const r = await checked(spikepipe, ctxOf(net, N));
      expect(r.period).toBeGreaterThanOrEqual(P);
      expect(r.period).toBeLessThanOrEqual(Math.floor(P * 1.001));
    }
  });

  it('layerpipe: 1972, 1179, 1179 on 1, 2, 3 processors (Ba2_2 moved back)', async () => {
    const rs = [];
    for (const N of [1, 2, 3]) rs.push(await checked(layerpipe, ctxOf(net, N)));
    expect(rs.map((r) => r.period)).toEqual([1972, 1179, 1179]);
    expect(rs[1].details.ba2Moved).toEqual([2]);
    expect(rs[1].details.stages).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it('spikepipe-ilp proves the same periods optimal', async () => {
    for (const [N, P] of [
      [1, 1960],
      [2, 1162],
      [3, 776],
    ]) {
      const r = await checked(spikepipeIlp, ctxOf(net, N, { timeLimitSeconds: 10 }));
      expect(r.period).toBe(P);
      expect(r.status).toBe('optimal');
      expect(r.bound).toBe(P);
    }
  });
});

describe('LayerPipe configurations', () => {
  it('enumerates Σ_k C(L−1, k−1)·2^(k−1) configurations, each with its load', () => {
    const net = loadNetwork('fmnist-conv'); // L = 4, every layer but the first has a Ba2
    const g = buildTrainingGraph(net, hw, { variant: 'spikepipe', dataflow: 'spec' });
    const binom = (n: number, k: number): number => (k === 0 || k === n ? 1 : binom(n - 1, k - 1) + binom(n - 1, k));
    for (const N of [1, 2, 3, 4, 8]) {
      const configs = enumerateConfigs(g, N);
      let expected = 0;
      for (let k = 1; k <= Math.min(N, 4); k++) expected += binom(3, k - 1) * 2 ** (k - 1);
      expect(configs.length).toBe(expected);
      for (const c of configs.slice(0, 5)) {
        const proc = layerpipeAssignment(g, c.config);
        expect(Math.max(...processorLoads(g, proc, N))).toBe(c.maxLoad);
      }
    }
  });
});

describe('SpikePipe is never slower than PipeDream or GPipe', () => {
  for (const id of ['mnist-fc', 'fmnist-conv']) {
    it(`${id} at 2, 4, 8 processors`, async () => {
      const net = loadNetwork(id);
      for (const N of [2, 4, 8]) {
        const ctx = ctxOf(net, N);
        const sp = await checked(spikepipe, ctx);
        const pd = await run(pipedream, ctx);
        const gp = await run(gpipe, ctx);
        expect(sp.period).toBeLessThanOrEqual(pd.period);
        expect(sp.period).toBeLessThanOrEqual(gp.period);
        expect(sp.period).toBeGreaterThanOrEqual(sp.bound);
        expect(sp.details.pipedreamPeriod).toBe(pd.period);
      }
    });
  }

  it('measured speedups on mnist-fc (period ratios, same cost model)', async () => {
    const net = loadNetwork('mnist-fc');
    // PipeDream: 3 stages, the slowest is layer 1 (F 29032 + Ba1 4000 + Bw 25032 + U 12252 = 70316).
    const pd = await run(pipedream, ctxOf(net, 4));
    expect(pd.period).toBe(70316);
    // SpikePipe at 4 processors packs the 15 fine tasks (Σ 126640 on best dataflows) to 32592.
    const sp = await checked(spikepipe, ctxOf(net, 4, { periodTolerance: 0 }));
    expect(sp.period).toBe(32592);
    expect(sp.status).toBe('optimal');
  });
});

describe('delay rules and granularity', () => {
  it("'2S' fixes d_l = 2·S(l) from PipeDream's stages and still validates", async () => {
    const net = loadNetwork('mnist-fc');
    const ctx = ctxOf(net, 4, { delayRule: '2S' });
    const r = await checked(spikepipe, ctx);
    const stages = (r.details.pipedreamStages as number[]).map((s) => s - 1);
    expect(r.staleness).toEqual(staleness2S(stages));
    expect(r.period).toBeLessThanOrEqual((await run(pipedream, ctx)).period);
    const lp = await checked(layerpipe, ctx);
    expect(lp.details.delayRule).toBe('2S');
  });

  it("timestep granularity builds per-timestep tasks and validates", async () => {
    const net = loadNetwork('tiny-fc');
    const r = await checked(spikepipe, ctxOf(net, 3, { granularity: 'timestep' }));
    expect(r.graph.tasks.some((t) => t.id === 'F_1@2')).toBe(true);
    expect(r.details.granularity).toBe('timestep');
  });

  it("granularity 'auto' keeps the per-timestep graph when it splits the bounding task (fmnist-conv, 8 processors)", async () => {
    const net = loadNetwork('fmnist-conv');
    // Layer granularity: F_1 (702846 cycles) bounds the period. Per timestep, F_1 splits into
    // 8 tasks and the longest task is the whole-layer Bw_1 (401790), which the packing reaches.
    const r = await checked(spikepipe, ctxOf(net, 8, { granularity: 'auto' }));
    expect(r.details.granularity).toBe('timestep');
    expect(r.period).toBe(401790);
    expect(r.status).toBe('optimal');
    expect(r.notes.some((n) => n.startsWith('granularity auto: timestep chosen'))).toBe(true);
  });

  it('spikepipe-ilp skips graphs above the MILP size limit with a note', async () => {
    const net = loadNetwork('cifar10-vgg'); // 45 fine tasks
    const r = await checked(spikepipeIlp, ctxOf(net, 2));
    expect(r.graph.tasks.length).toBeGreaterThan(MAX_ILP_TASKS);
    expect(r.status).toBe('feasible');
    expect(r.notes.some((n) => n.startsWith('graph too large for the MILP (45 tasks > 40)'))).toBe(true);
  });
});

describe('slow links bind (tiny-fc, 0.125 B/cycle)', () => {
  // At 0.125 B/cycle a link moves 128 B (the layer-2 gradient, layer-1 state/δI) in 1024 cycles
  // and 256 B (ΔW_1, W_1) in 2048: the packing optima 1162 (N = 2) and 776 (N = 3) put such
  // tensors on links. The optimum over assignments of max(largest load, busiest link) is found
  // by brute force over all N^10 assignments below (1171 and 1024).
  const net = loadNetwork('tiny-fc');
  const slow = resolveHardware({ name: 'slow-links', linkBandwidth: 0.125 }, 'test');
  const bruteForce = (N: number): number => {
    const g = buildTrainingGraph(net, slow, { variant: 'spikepipe', dataflow: 'best' });
    const m = machineFromHardware(slow, N);
    const n = g.tasks.length;
    const proc = new Array<number>(n).fill(0);
    let best = Infinity;
    const rec = (i: number) => {
      if (i === n) {
        const L = Math.max(...processorLoads(g, proc, N));
        if (L < best) best = Math.min(best, Math.max(L, linkPeriodBound(g, m, proc)));
        return;
      }
      for (let p = 0; p < N; p++) {
        proc[i] = p;
        rec(i + 1);
      }
    };
    rec(0);
    return best;
  };

  it('spikepipe and spikepipe-ilp reach the brute-force optimum and prove it; the packing bound is only a lower bound', async () => {
    for (const [N, packing] of [
      [2, 1162],
      [3, 776],
    ]) {
      const opt = bruteForce(N);
      expect(opt).toBe(N === 2 ? 1171 : 1024);
      for (const method of [spikepipe, spikepipeIlp]) {
        const r = await checked(method, ctxOf(net, N, { periodTolerance: 0 }, slow));
        expect(r.period).toBe(opt);
        expect(r.status).toBe('optimal');
        expect(r.bound).toBe(opt);
        expect(r.details.packingBound).toBe(packing);
        expect(r.details.linkCycles as number).toBeLessThanOrEqual(opt);
      }
      const pd = await checked(pipedream, ctxOf(net, N, {}, slow));
      expect(opt).toBeLessThanOrEqual(pd.period);
    }
  });
});

describe('random layer stacks (property)', () => {
  const tiny = loadHardware('tiny-4x4');
  const slowTiny = resolveHardware({ name: 'tiny-slow', array: { rows: 4, cols: 4 }, linkBandwidth: 0.5, linkLatency: 10 }, 'test');
  it('spikepipe ≤ pipedream and ≤ gpipe, validates (links included), and the simulator reproduces period and staleness', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 2, max: 40 }), { minLength: 3, maxLength: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(2, 4, 8),
        fc.constantFrom('default', 'tiny', 'tiny-slow'),
        async (widths, procs, T, B, hwName) => {
          const [input, ...outs] = widths;
          const net = resolveNetwork(
            {
              name: 'rand',
              dataset: 'synthetic',
              input: [1, 1, input],
              timesteps: T,
              batch: B,
              classes: outs[outs.length - 1],
              optimizer: 'sgd',
              layers: outs.map((out) => ({ type: 'fc', out })),
            },
            'random stack',
          );
          const ctx = ctxOf(net, procs, {}, hwName === 'default' ? hw : hwName === 'tiny' ? tiny : slowTiny);
          const sp = await checked(spikepipe, ctx);
          const pd = await checked(pipedream, ctx);
          const gp = await checked(gpipe, ctx);
          expect(sp.period).toBeLessThanOrEqual(pd.period);
          expect(sp.period).toBeLessThanOrEqual(gp.period);
          expect(sp.staleness).toHaveLength(outs.length);
        },
      ),
      { numRuns: 20, seed: 2024 },
    );
  });
});
