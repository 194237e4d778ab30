import { describe, expect, it } from 'vitest';
import type { Machine } from '../lib/model/types';
import { validate } from '../lib/model/schedule/validate';
import { withStaleness } from '../lib/model/graph/taskgraph';
import { cutLinkCycles, gpipeStageGraph, pipedreamStageGraph, layerProfile, replicatedStageGraph } from '../lib/model/graph/stages';
import { gpipe, gpipeCandidate, gpipeSchedule, type GPipeDetails } from '../solvers/pipeline/gpipe';
import { planPipeDream } from '../solvers/pipeline/partition';
import { pipedream, pipedreamSchedule, pipedreamScheduleAt, textbookStaleness, type PipeDreamDetails } from '../solvers/pipeline/pipedream';
import { replicatedSchedule } from '../solvers/pipeline/pipedream-replicated';
import { sequential, sequentialSchedule } from '../solvers/pipeline/sequential';
import { loadNetwork } from '../lib/model/spec/network';
import { defaultHardware, machineFromHardware, resolveHardware } from '../lib/model/spec/hardware';
import { ctxOf, run, type TestCtx } from './helpers/methods';
import { runMethod } from '../lib/app/pipeline/run';
import { oneLayerPerStage, pipedreamGraph, spikepipeGraph, type LayerCost } from './stage-graph-helpers';

describe('GPipe fill-drain schedule: textbook bubble formula with equal stage costs', () => {
  // Per stage (one layer each): t_F = 10, t_B = Ba1 + Ba2 + Bw = 4 + 6 + 7 = 17 (layer 1 has no
  // Ba2: its Ba1 is 10 so that t_B is 17 there too), t_U = 5; Loss 0.
  const costs = (S: number): LayerCost[] =>
    Array.from({ length: S }, (_, i) => (i === 0 ? { F: 10, Ba1: 10, Ba2: 0, Bw: 7, U: 5 } : { F: 10, Ba1: 4, Ba2: 6, Bw: 7, U: 5 }));

  for (const [S, m] of [
    [1, 1],
    [2, 1],
    [2, 4],
    [3, 2],
    [4, 8],
  ] as const) {
    it(`S = ${S}, m = ${m}, zero communication: P = (m + S − 1)·(t_F + t_B) + t_U = ${(m + S - 1) * 27 + 5}`, () => {
      const g = spikepipeGraph(costs(S), { spikes: 0, grad: 0, local: 0 });
      const sg = gpipeStageGraph(g, oneLayerPerStage(S), m);
      const mach: Machine = { procs: S, bandwidth: 1, latency: 0 };
      const r = gpipeSchedule(sg, mach, S);
      expect(r.period).toBe((m + S - 1) * 27 + 5);
      expect(r.staleness).toEqual(new Array(S).fill(0));
      expect(sg.graph.tasks.length).toBe(2 * S * m + S);
      expect(validate(sg.graph, mach, r.schedule).violations).toEqual([]);
    });
  }

  it('S = 3, m = 4 with communication: P = (m+S−1)(t_F+t_B) + (S−1)(c_F + c_B) + t_U', () => {
    // bandwidth 2 B/cycle, latency 3: spikes 8 B → c_F = 4 + 3 = 7; gradients 20 B → c_B = 10 + 3 = 13.
    const g = spikepipeGraph(costs(3), { spikes: 8, grad: 20, local: 1000 });
    const sg = gpipeStageGraph(g, oneLayerPerStage(3), 4);
    const mach: Machine = { procs: 3, bandwidth: 2, latency: 3 };
    const r = gpipeSchedule(sg, mach, 3);
    expect(r.period).toBe(6 * 27 + 2 * (7 + 13) + 5); // 207
    expect(validate(sg.graph, mach, r.schedule).violations).toEqual([]);
  });

  it('stage graph contraction: two layers in one stage sum their costs; the Loss joins the last B', () => {
    const g = spikepipeGraph(costs(3), { spikes: 8, grad: 20, local: 1 }, 3);
    const sg = gpipeStageGraph(g, [
      { first: 0, last: 1, replicas: 1 },
      { first: 2, last: 2, replicas: 1 },
    ], 2);
    const byId = new Map(sg.graph.tasks.map((t) => [t.id, t]));
    expect(byId.get('F_s1_j1')!.cycles).toBe(20);
    expect(byId.get('B_s1_j2')!.cycles).toBe(34);
    expect(byId.get('B_s2_j1')!.cycles).toBe(17 + 3);
    expect(byId.get('U_s1')!.cycles).toBe(10);
    // Cross-stage edges of micro 1: F_s1→F_s2 (spikes), F_s1→B_s2 (spikes for Bw), B_s2→B_s1 (grad).
    const cross = sg.graph.edges
      .filter((e) => sg.proc[e.from] !== sg.proc[e.to])
      .map((e) => `${sg.graph.tasks[e.from].id}>${sg.graph.tasks[e.to].id}:${e.bytes}:${e.data}`)
      .sort();
    expect(cross).toEqual([
      'B_s2_j1>B_s1_j1:20:grad',
      'B_s2_j2>B_s1_j2:20:grad',
      'F_s1_j1>B_s2_j1:8:spikes',
      'F_s1_j1>F_s2_j1:8:spikes',
      'F_s1_j2>B_s2_j2:8:spikes',
      'F_s1_j2>F_s2_j2:8:spikes',
    ]);
    // Loop edges U_s → F_s^j, B_s^j (delay 1) per layer.
    const loops = sg.graph.edges.filter((e) => e.loopLayer !== undefined);
    expect(loops.every((e) => e.delay === 1)).toBe(true);
    expect(loops.filter((e) => e.loopLayer === 1).map((e) => sg.graph.tasks[e.to].id).sort()).toEqual(['F_s1_j1', 'F_s1_j2']);
    expect(loops.filter((e) => e.loopLayer === 2).map((e) => sg.graph.tasks[e.to].id).sort()).toEqual(['B_s1_j1', 'B_s1_j2', 'F_s1_j1', 'F_s1_j2']);
  });
});

describe('PipeDream 1F1B schedule', () => {
  for (const S of [1, 2, 3, 4, 6]) {
    it(`equal stage costs, zero comm, S = ${S}: P = t_F + t_B and d_s = S − s`, () => {
      const F = new Array(S).fill(10);
      const B = new Array(S).fill(25);
      const g = pipedreamGraph(F, B, { spikes: 0, grad: 0, local: 0 });
      const sg = pipedreamStageGraph(g, oneLayerPerStage(S));
      const mach: Machine = { procs: S, bandwidth: 1, latency: 0 };
      const r = pipedreamSchedule(sg, mach, S);
      expect(r.period).toBe(35);
      expect(r.staleness).toEqual(Array.from({ length: S }, (_, i) => S - (i + 1)));
      expect(validate(withStaleness(sg.graph, r.staleness), mach, r.schedule).violations).toEqual([]);
    });
  }

  it('hand case with communication, 2 stages: F = [10, 10], B = [20, 30], c = 5 each way', () => {
    // P = max(30, 40) = 40. F_1 at 0, F_2 at 10 + 5 = 15, B_2 at 25 (ends 55) → d_2 = ceil((55−15)/40) − 1 = 0.
    // B_1 ready at 55 + 5 = 60; F_1 busy [0, 10) mod 40; 60 mod 40 = 20 ≥ 10 and 20 + 20 ≤ 40 → 60, ends 80.
    // d_1 = ceil((80 − 0)/40) − 1 = 1.
    const g = pipedreamGraph([10, 10], [20, 30], { spikes: 5, grad: 5, local: 7 });
    const sg = pipedreamStageGraph(g, oneLayerPerStage(2));
    const mach: Machine = { procs: 2, bandwidth: 1, latency: 0 };
    const r = pipedreamSchedule(sg, mach, 2);
    expect(r.period).toBe(40);
    expect(Object.fromEntries(r.schedule.tasks.map((t) => [t.id, [t.processor, t.start]]))).toEqual({
      F_s1: [0, 0],
      F_s2: [1, 15],
      B_s1: [0, 60],
      B_s2: [1, 25],
    });
    expect(r.staleness).toEqual([1, 0]);
    expect(validate(withStaleness(sg.graph, r.staleness), mach, r.schedule).violations).toEqual([]);
  });

  it('profile of a pipedream layer graph: compute, cut bytes', () => {
    const g = pipedreamGraph([1, 2, 3], [10, 20, 30], { spikes: 4, grad: 9, local: 1 }, 5);
    const p = layerProfile(g);
    expect(p.compute).toEqual([11, 22, 38]);
    expect(p.spikeBytes).toEqual([4, 4]);
    expect(p.gradBytes).toEqual([9, 9]);
  });
});

describe('links as a resource (full-duplex link per ordered processor pair)', () => {
  it('cutLinkCycles: per cut the busier direction, ceil(bytes / bandwidth), latency excluded', () => {
    // Spikes 8 B forward (8/2 = 4 cycles), gradients 20 B backward (10 cycles): different links,
    // so the cut costs max(4, 10) = 10, not 4 + 10 (nor the transfers' 4 + 3 + 10 + 3 with latency).
    const g = spikepipeGraph(
      [
        { F: 1, Ba1: 1, Ba2: 0, Bw: 1, U: 1 },
        { F: 1, Ba1: 1, Ba2: 1, Bw: 1, U: 1 },
        { F: 1, Ba1: 1, Ba2: 1, Bw: 1, U: 1 },
      ],
      { spikes: 8, grad: 20, local: 1000 },
    );
    expect(cutLinkCycles(g, { procs: 3, bandwidth: 2, latency: 3 })).toEqual([10, 10]);
    expect(cutLinkCycles(g, { procs: 3, bandwidth: 1, latency: 0 })).toEqual([20, 20]);
  });

  it('PipeDream: P = max(max F_s + B_s, busiest link) — 100, not the 150 of adding both directions', () => {
    // F = [10, 10], B = [20, 30]; spikes 200 B → 100 cycles on s1→s2, gradients 100 B → 50 cycles on
    // s2→s1 (bandwidth 2, latency 0): P = max(30, 40, 100) = 100.
    // F_s1 [0,10); F_s2 at 10 + 100 = 110; B_s2 ready 120, 120 − 110 = 10 ≥ F_s2's 10 and 10 + 30 ≤ 100 → [120,150);
    // B_s1 ready 150 + 50 = 200 ≡ 0 (mod 100), inside F_s1's arc → 210: [210, 230).
    // d_1 = ceil(230/100) − 1 = 2; d_2 = ceil((150 − 110)/100) − 1 = 0.
    const g = pipedreamGraph([10, 10], [20, 30], { spikes: 200, grad: 100, local: 7 });
    const sg = pipedreamStageGraph(g, oneLayerPerStage(2));
    const mach: Machine = { procs: 2, bandwidth: 2, latency: 0 };
    const r = pipedreamSchedule(sg, mach, 2);
    expect(r.period).toBe(100);
    expect(Object.fromEntries(r.schedule.tasks.map((t) => [t.id, t.start]))).toEqual({ F_s1: 0, F_s2: 110, B_s1: 210, B_s2: 120 });
    expect(r.staleness).toEqual([2, 0]);
    const gs = withStaleness(sg.graph, r.staleness);
    expect(validate(gs, mach, r.schedule).violations).toEqual([]);
    expect(validate(gs, mach, { ...r.schedule, period: 99 }).violations.map((v) => v.kind)).toContain('link');
    // The planner prices the cut the same way: its objective is the period.
    expect(planPipeDream({ compute: [30, 40], transfer: cutLinkCycles(g, mach) }, 2).value).toBe(100);
  });

  it('GPipe: the links carry m micro-batches per minibatch — S = 2, m = 8, P = max(349, 800) = 800', () => {
    // t_F = 10, t_B = 17, t_U = 5; spikes 200 B per micro-batch (c_F = 100 at 2 B/cycle), gradients
    // 2 B (c_B = 1). Fill-drain: (m + S − 1)(t_F + t_B) + (S − 1)(c_F + c_B) + t_U = 9·27 + 101 + 5 = 349.
    // But link s1→s2 moves 8 × 200 B = 1600 B per minibatch: 800 cycles (F_s1^j's spikes go to
    // F_s2^j and B_s2^j on one processor: once per micro-batch). Link s2→s1: 8 × 2 B = 8 cycles.
    const costs = Array.from({ length: 2 }, (_, i) => (i === 0 ? { F: 10, Ba1: 10, Ba2: 0, Bw: 7, U: 5 } : { F: 10, Ba1: 4, Ba2: 6, Bw: 7, U: 5 }));
    const g = spikepipeGraph(costs, { spikes: 200, grad: 2, local: 1000 });
    const sg = gpipeStageGraph(g, oneLayerPerStage(2), 8);
    const mach: Machine = { procs: 2, bandwidth: 2, latency: 0 };
    const r = gpipeSchedule(sg, mach, 2);
    expect(r.period).toBe(800);
    expect(validate(sg.graph, mach, r.schedule).violations).toEqual([]);
    const fast = gpipeSchedule(sg, { ...mach, bandwidth: 1e6 }, 2);
    expect(fast.period).toBe(9 * 27 + 2 + 5); // c_F = c_B = 1 cycle: (m + S − 1)·27 + (S − 1)·2 + 5
  });

  it("PipeDream's planner objective is its schedule's period on the shipped networks (default and 4 B/cycle links)", async () => {
    const fastHw = defaultHardware();
    const slowHw = resolveHardware({ name: 'slow-links', linkBandwidth: 4 }, 'test');
    for (const id of ['tiny-fc', 'mnist-fc', 'fmnist-conv', 'cifar10-vgg']) {
      const net = loadNetwork(id);
      for (const h of [fastHw, slowHw]) {
        for (const N of [2, 4, 8]) {
          const r = await run<PipeDreamDetails>(pipedream, ctxOf(net, N, {}, h));
          expect(r.details.plannerValue, `${id} N=${N} ${h.name}`).toBe(r.period);
          const m = machineFromHardware(h, N);
          expect(validate(r.graph, m, r.schedule).valid).toBe(true);
        }
      }
    }
  });
});

describe('sequential', () => {
  it('period = total work, one processor, valid', () => {
    const g = spikepipeGraph(
      [
        { F: 3, Ba1: 2, Ba2: 0, Bw: 4, U: 1 },
        { F: 5, Ba1: 1, Ba2: 6, Bw: 2, U: 1 },
      ],
      { spikes: 9, grad: 9, local: 9 },
      2,
    );
    const s = sequentialSchedule(g, 3);
    expect(s.period).toBe(3 + 2 + 4 + 1 + 5 + 1 + 6 + 2 + 1 + 2);
    expect(s.tasks.every((t) => t.processor === 0)).toBe(true);
    expect(validate(g, { procs: 3, bandwidth: 1, latency: 100 }, s).violations).toEqual([]);
  });
});

describe('PipeDream at fixed (textbook) staleness', () => {
  it('2 stages, F = [10, 10], B = [30, 30], c = 10 each way: read-off d = [2, 0] at P = 40; at d = [1, 0], P = 50', () => {
    // P = 40: F_1 [0,10), F_2 [20,30), B_2 [30,60) → d_2 = 0. B_1 ready 70 ≡ 30 (mod 40), 30 + 30 > 40
    // → wait to 90, ends 120 → d_1 = ceil(120/40) − 1 = 2.
    // d_1 = 1 needs end(B_1) ≤ 2P, end ≥ 100 → P ≥ 50; at P = 50: 70 ≡ 20 ≥ 10, 20 + 30 ≤ 50 → B_1 [70,100) ✓.
    const g = pipedreamGraph([10, 10], [30, 30], { spikes: 10, grad: 10, local: 1 });
    const sg = pipedreamStageGraph(g, oneLayerPerStage(2));
    const mach: Machine = { procs: 2, bandwidth: 1, latency: 0 };
    const r = pipedreamSchedule(sg, mach, 2);
    expect([r.period, ...r.staleness]).toEqual([40, 2, 0]);
    const t = pipedreamScheduleAt(sg, mach, 2, textbookStaleness(sg, 2));
    expect([t.period, ...t.staleness]).toEqual([50, 1, 0]);
    expect(validate(withStaleness(sg.graph, t.staleness), mach, t.schedule).violations).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// tiny-fc on the default hardware, by hand
// ---------------------------------------------------------------------------------------------
//
// tiny-fc: input 16, fc 16→8, fc 8→4 (readout), T = 2, B = 4, 4 classes, SGD. Default hardware:
// 128×128 array (ws for F/Ba2, os for Bw), V = 128 lanes, 2 B/value, spikes 1 bit, links 64 B/cycle
// and 100 cycles latency. Every GEMM is one fold (all dimensions ≤ 128), 2R + C + T − 2 cycles:
//   B = 4 (T·B = 8 streamed):  F_1 = 390 + IIR 2·ceil(32/128)·2 = 394; Ba1_1 = 4; Bw_1 = 384 + 8 − 2 = 390;
//     U_1 = ceil(128/128)·1 = 1; F_2 = 390 + 4 = 394; Ba1_2 = 4; Ba2_2 = 390; Bw_2 = 390; U_2 = 1;
//     Loss = ceil(16/128)·4 = 4.  Σ = 789 (layer 1) + 1179 (layer 2) + 4 = 1972.
//   B = 2 (T·B = 4):  F_1 = 386 + 4 = 390; Ba1_1 = 4; Bw_1 = 386; F_2 = 390; Ba1_2 = 4; Ba2_2 = 386;
//     Bw_2 = 386; U = 1 each; Loss = 4.
// Transfers across the cut: spikes ceil(2·4·8/8) = 8 B → 1 + 100 = 101 cycles; gradient
// 2·4·8·2 = 128 B → 2 + 100 = 102. At B = 2: 4 B → 101; 64 B → 1 + 100 = 101.

describe('tiny-fc by hand', () => {
  const net = loadNetwork('tiny-fc');
  const hw = defaultHardware();
  const ctx = (N: number, options = {}): TestCtx => ctxOf(net, N, options, hw, 32);

  it('sequential: 1972 on 1, 2 and 3 processors, d = 0', async () => {
    for (const N of [1, 2, 3]) {
      const r = await run(sequential, ctx(N));
      expect([r.period, ...r.staleness]).toEqual([1972, 0, 0]);
    }
  });

  it('GPipe m = 1: one stage on 1 processor = 1972; two stages on 2 and 3 processors = 2174', () => {
    // N = 1: F_s1 = 788, B_s1 = Loss + Ba1_2 + Ba2_2 + Bw_2 + Ba1_1 + Bw_1 = 1182, U_s1 = 2 → 1972.
    // N ≥ 2: F_s1 [0, 394), F_s2 [495, 889), B_s2 = 4 + 4 + 390 + 390 = 788 [889, 1677),
    //   B_s1 = 394 at 1677 + 102 = 1779 → 2173, U_s1 [2173, 2174) → P = 2174 − 0.
    expect(gpipeCandidate(ctx(1).cell.context, 1).timed.period).toBe(1972);
    for (const N of [2, 3]) {
      const c = gpipeCandidate(ctx(N).cell.context, 1);
      expect(c.timed.period).toBe(2174);
      expect(c.stages.map((s) => [s.first, s.last])).toEqual([
        [0, 0],
        [1, 1],
      ]);
    }
  });

  it('GPipe m = 2: 3902 on 1 processor, 3323 on 2 and 3', () => {
    // N = 1: per micro F = 390 + 390 = 780, B = Loss 4 + Ba1_2 4 + Ba2_2 386 + Bw_2 386 + Ba1_1 4 + Bw_1 386
    //   = 1170 → 2·(780 + 1170) + U 2 = 3902.
    // N = 2: stage 1 micro F = 390, B = 390; stage 2 micro F = 390, B = 4 + 4 + 386 + 386 = 780; comm 101 both ways.
    //   F_1^1 [0,390) F_1^2 [390,780); F_2^1 [491,881) F_2^2 [881,1271); B_2^2 [1271,2051) B_2^1 [2051,2831);
    //   B_1^2 [2152,2542) B_1^1 [2932,3322); U_1 [3322,3323) → P = 3323.
    expect(gpipeCandidate(ctx(1).cell.context, 2).timed.period).toBe(3902);
    for (const N of [2, 3]) {
      const c = gpipeCandidate(ctx(N).cell.context, 2);
      expect(c.timed.period).toBe(3323);
      const at = Object.fromEntries(c.timed.schedule.tasks.map((t) => [t.id, t.start]));
      expect([at.F_s2_j1, at.F_s2_j2, at.B_s2_j2, at.B_s2_j1, at.B_s1_j2, at.B_s1_j1, at.U_s1]).toEqual([491, 881, 1271, 2051, 2152, 2932, 3322]);
    }
  });

  it('GPipe default picks the best S ≤ min(N, L) and m of {1, 2, 4}; --micro-batches 3 does not divide B = 4', async () => {
    // Two stages are slower here (2174 at best, m = 1) than one stage with one micro-batch,
    // which is the sequential 1972: the fair baseline takes the one stage.
    const r = await run(gpipe, ctx(2));
    expect(r.period).toBe(1972);
    expect(r.microBatches).toBe(1);
    expect(r.details.processorsUsed).toBe(1);
    expect(r.details.periodByStagesAndMicroBatches).toMatchObject({ S2m1: 2174, S2m2: 3323, S2m4: 5635, S1m1: 1972, S1m2: 3902 });
    await expect(run(gpipe, ctx(2, { microBatches: 3 }))).rejects.toThrow(/--micro-batches: .*dividing the batch 4/);
    expect((await run(gpipe, ctx(2, { microBatches: 2 }))).period).toBe(3323);
  });

  it('GPipe tries the micro-batch counts every synchronous method tries (up to 32), not fewer', async () => {
    // mnist-fc: B = 64, L = 3; on 2 processors every S ∈ {1, 2} and m ∈ {1, 2, …, 32}.
    const r = await run<GPipeDetails>(gpipe, ctxOf(loadNetwork('mnist-fc'), 2));
    const keys = [2, 1].flatMap((S) => [1, 2, 4, 8, 16, 32].map((m) => `S${S}m${m}`));
    expect(Object.keys(r.details.periodByStagesAndMicroBatches)).toEqual(keys);
    expect(r.period).toBe(Math.min(...Object.values(r.details.periodByStagesAndMicroBatches)));
  });

  it('PipeDream: 1972 on 1 processor; 1183 with d = [1, 0] on 2 and 3', async () => {
    // N ≥ 2: stage 1 F 394 + B (4 + 390 + 1) = 789; stage 2 F 394 + B (4 + 4 + 390 + 390 + 1) = 789 + 394 = 1183.
    // F_s1 0, F_s2 394 + 101 = 495, B_s2 889 → 1678 (d_2 = ceil(1183/1183) − 1 = 0);
    // B_s1 ready 1678 + 102 = 1780 ≡ 597 (mod 1183) ≥ 394 and 597 + 395 ≤ 1183 → 1780 → 2175: d_1 = ceil(2175/1183) − 1 = 1 = N − s.
    const one = await run(pipedream, ctx(1));
    expect([one.period, ...one.staleness]).toEqual([1972, 0, 0]);
    for (const N of [2, 3]) {
      const r = await run(pipedream, ctx(N));
      expect([r.period, ...r.staleness]).toEqual([1183, 1, 0]);
      expect(Object.fromEntries(r.schedule.tasks.map((t) => [t.id, t.start]))).toEqual({ F_s1: 0, F_s2: 495, B_s1: 1780, B_s2: 889 });
    }
  });

  it('every baseline validates and simulates (K = 32) to its claimed period and staleness', async () => {
    for (const N of [1, 2, 3]) {
      for (const m of ['sequential', 'gpipe', 'pipedream']) {
        const r = await runMethod(m, ctx(N));
        expect(r.validation.valid).toBe(true);
        expect(r.simulation.measuredPeriod).toBe(r.result.period);
        expect(r.simulation.staleness.map((x) => x.measured)).toEqual(r.result.staleness);
        expect(r.lowerBound).toBeLessThanOrEqual(r.result.period);
      }
    }
  });
});

describe('PipeDream with replicated stages (data parallel inside a stage)', () => {
  // Layer costs proportional to the samples b a replica processes: F = 10b, Ba1 = 5b, Ba2 = 3b,
  // Bw = 15b; U = 4; bytes = b on every activation edge. Minibatch B = 4.
  const at = (L: number) => (b: number) =>
    spikepipeGraph(
      Array.from({ length: L }, () => ({ F: 10 * b, Ba1: 5 * b, Ba2: 3 * b, Bw: 15 * b, U: 4 })),
      { spikes: b, grad: b, local: b },
    );

  it('one layer on 2 replicas: hand-checked period 64, all-reduce edges, d = 1', () => {
    // Each replica: b = 2 → F = 20, B = Ba1 + Bw = 10 + 30 = 40, U = 4 → P = 64. All-reduce: |W| = 50 B,
    // 2·50/2 = 50 B each way, bandwidth 1, latency 0 → 50 cycles. F [0,20), B [20,60) on both;
    // U ready 60 + 50 = 110 ≡ 46 (mod 64), inside B's arc → 124 ≡ 60: [124, 128). d = ceil(128/64) − 1 = 1.
    const rg = replicatedStageGraph(at(1), [{ first: 0, last: 0, replicas: 2 }], 4, [50]);
    const mach: Machine = { procs: 2, bandwidth: 1, latency: 0 };
    const r = replicatedSchedule(rg, mach, 2);
    expect(r.period).toBe(64);
    expect(Object.fromEntries(r.schedule.tasks.map((t) => [t.id, [t.processor, t.start]]))).toEqual({
      F_s1_r1: [0, 0],
      B_s1_r1: [0, 20],
      U_s1_r1: [0, 124],
      F_s1_r2: [1, 0],
      B_s1_r2: [1, 20],
      U_s1_r2: [1, 124],
    });
    expect(r.staleness).toEqual([1]);
    const ar = rg.graph.edges.filter((e) => e.data === 'allreduce').map((e) => `${rg.graph.tasks[e.from].id}>${rg.graph.tasks[e.to].id}:${e.bytes}`);
    expect(ar.sort()).toEqual(['B_s1_r1>U_s1_r2:50', 'B_s1_r2>U_s1_r1:50']);
    expect(validate(withStaleness(rg.graph, r.staleness), mach, r.schedule).violations).toEqual([]);
  });

  it('2 replicas feeding 1: each replica sends its half of the samples', () => {
    const rg = replicatedStageGraph(
      at(2),
      [
        { first: 0, last: 0, replicas: 2 },
        { first: 1, last: 1, replicas: 1 },
      ],
      4,
      [50, 50],
    );
    const ids = (e: { from: number; to: number }) => `${rg.graph.tasks[e.from].id}>${rg.graph.tasks[e.to].id}`;
    const cross = rg.graph.edges.filter((e) => rg.proc[e.from] !== rg.proc[e.to] && e.data !== 'allreduce').map((e) => `${ids(e)}:${e.bytes}:${e.data}`);
    expect(cross.sort()).toEqual([
      'B_s2_r1>B_s1_r1:2:grad',
      'B_s2_r1>B_s1_r2:2:grad',
      'F_s1_r1>B_s2_r1:2:spikes',
      'F_s1_r1>F_s2_r1:2:spikes',
      'F_s1_r2>B_s2_r1:2:spikes',
      'F_s1_r2>F_s2_r1:2:spikes',
    ]);
    // Costs: stage 1 replicas at b = 2, stage 2 at b = 4.
    const c = Object.fromEntries(rg.graph.tasks.map((t) => [t.id, t.cycles]));
    expect([c.F_s1_r1, c.B_s1_r2, c.F_s2_r1, c.B_s2_r1, c.U_s2_r1]).toEqual([20, 40, 40, 5 * 4 + 3 * 4 + 15 * 4, 4]);
    const mach: Machine = { procs: 3, bandwidth: 1, latency: 3 };
    const r = replicatedSchedule(rg, mach, 3);
    expect(validate(withStaleness(rg.graph, r.staleness), mach, r.schedule).violations).toEqual([]);
    expect(r.period).toBe(40 + 92 + 4);
  });

  it('networks: valid and simulated on 4 and 8 processors; replica counts divide B', async () => {
    const hw = defaultHardware();
    for (const id of ['tiny-fc', 'mnist-fc']) {
      const net = loadNetwork(id);
      for (const N of [4, 8]) {
        const r = await runMethod('pipedream-replicated', { net, hw, machine: machineFromHardware(hw, N), procs: N, options: {} });
        const reps = r.result.details.replicas as number[];
        expect(reps.every((x) => net.spec.batch % x === 0)).toBe(true);
        expect(reps.reduce((a, x) => a + x, 0)).toBe(N);
        expect(r.simulation.measuredPeriod).toBe(r.result.period);
      }
    }
  });
});
