import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TaskGraph } from '../lib/model/types';
import { InputError } from '../lib/model/errors';
import { defaultHardware, loadHardware } from '../lib/model/spec/hardware';
import { SHIPPED_NETWORKS, loadNetwork } from '../lib/model/spec/network';
import { costTable, layerTaskCosts } from '../lib/model/cost/tasks';
import { buildTrainingGraph, type Granularity, type Variant } from '../lib/model/graph/training';
import { evenStages, parseDelays, staleness2S, stalenessNone } from '../lib/model/graph/delays';
import { adjacency, indexById, stalenessOf, topoOrder, totalWork, withStaleness } from '../lib/model/graph/taskgraph';

const hw = defaultHardware();
const mnist = loadNetwork('mnist-fc');
const edgeNames = (g: TaskGraph, keep = (_d: number) => true) =>
  g.edges.filter((e) => keep(e.delay)).map((e) => `${g.tasks[e.from].id}>${g.tasks[e.to].id}`);

describe('mnist-fc task and edge counts (L = 3, T = 8)', () => {
  // spikepipe/layer: F×3, Ba1×3, Ba2×2, Bw×3, U×3, Loss = 15 tasks.
  //   zero-delay: F→F 2, F3→Loss 1, Loss→Ba1_3 1, F→Ba1 3, Ba2→Ba1 2, Ba1→Ba2 2, Ba1→Bw 3,
  //   F→Bw 2, Bw→U 3 = 19; loops U→F 3 + U→Ba2 2 = 5; 24 edges.
  // spikepipe/timestep: F 24, Ba1 24, Ba2 16, Bw 3, U 3, Loss 1 = 71 tasks.
  //   zero-delay: F(l−1)@t→F(l)@t 16, F recurrence 3·7 = 21, F3@8→Loss 1, Loss→Ba1_3@8 1,
  //   F→Ba1 24, Ba1 recurrence 21, Ba1→Ba2 16, Ba1@t→Bw 24, F(l−1)@t→Bw 16, Ba2→Ba1 16,
  //   Bw→U 3 = 159; loops U→F@t 24 + U→Ba2@t 16 = 40; 199 edges.
  // pipedream/layer: F×3, B×3, Loss = 7 tasks; F→F 2, F3→Loss, Loss→B3, F→B 3, B→B 2 = 9; loops B→F 3; 12.
  // pipedream/timestep: F 24, B 3, Loss = 28 tasks; F→F 16, F rec 21, F3@8→Loss, Loss→B3,
  //   F@t→B 24, B→B 2 = 65; loops B→F@t 24; 89.
  const cases: [Variant, Granularity, number, number, number][] = [
    ['spikepipe', 'layer', 15, 19, 5],
    ['spikepipe', 'timestep', 71, 159, 40],
    ['pipedream', 'layer', 7, 9, 3],
    ['pipedream', 'timestep', 28, 65, 24],
  ];
  it.each(cases)('%s / %s: %i tasks, %i zero-delay edges, %i loop edges', (variant, granularity, nt, nz, nl) => {
    const g = buildTrainingGraph(mnist, hw, { variant, granularity });
    expect(g.tasks.length).toBe(nt);
    expect(g.edges.filter((e) => e.delay === 0).length).toBe(nz);
    expect(g.edges.filter((e) => e.delay > 0).length).toBe(nl);
    expect(g.edges.filter((e) => e.loopLayer !== undefined).length).toBe(nl);
    expect(g.layers).toBe(3);
    expect(g.meta).toMatchObject({ network: 'mnist-fc', variant, granularity, batch: 64, dataflow: 'spec', timesteps: 8 });
    expect(new Set(g.tasks.map((t) => t.id)).size).toBe(nt);
  });

  it('spikepipe/layer: the exact tasks (topological order) and edges of the README\'s task graph', () => {
    const g = buildTrainingGraph(mnist, hw);
    expect(g.tasks.map((t) => t.id)).toEqual(
      ['F_1', 'F_2', 'F_3', 'Loss', 'Ba1_3', 'Ba2_3', 'Bw_3', 'U_3', 'Ba1_2', 'Ba2_2', 'Bw_2', 'U_2', 'Ba1_1', 'Bw_1', 'U_1'],
    );
    expect(new Set(edgeNames(g, (d) => d === 0))).toEqual(
      new Set([
        'F_1>F_2', 'F_2>F_3', 'F_3>Loss', 'Loss>Ba1_3',
        'F_3>Ba1_3', 'Ba1_3>Ba2_3', 'Ba1_3>Bw_3', 'F_2>Bw_3', 'Bw_3>U_3', 'Ba2_3>Ba1_2',
        'F_2>Ba1_2', 'Ba1_2>Ba2_2', 'Ba1_2>Bw_2', 'F_1>Bw_2', 'Bw_2>U_2', 'Ba2_2>Ba1_1',
        'F_1>Ba1_1', 'Ba1_1>Bw_1', 'Bw_1>U_1',
      ]),
    );
    expect(new Set(edgeNames(g, (d) => d > 0))).toEqual(new Set(['U_3>F_3', 'U_3>Ba2_3', 'U_2>F_2', 'U_2>Ba2_2', 'U_1>F_1']));
    const data = Object.fromEntries(g.edges.map((e) => [`${g.tasks[e.from].id}>${g.tasks[e.to].id}`, [e.data, e.bytes]]));
    expect(data['F_1>F_2']).toEqual(['spikes', 32000]);
    expect(data['F_2>Ba1_2']).toEqual(['state', 512000]);
    expect(data['Ba1_2>Bw_2']).toEqual(['dI', 512000]);
    expect(data['Ba2_2>Ba1_1']).toEqual(['grad', 512000]);
    expect(data['U_1>F_1']).toEqual(['weights', 784000]);
    expect(data['F_3>Loss']).toEqual(['state', 1280]);
  });

  it('pipedream/layer: B_l = Ba1 + Ba2 + Bw + U; F_l→B_l carries state and the stashed input spikes', () => {
    const g = buildTrainingGraph(mnist, hw, { variant: 'pipedream' });
    expect(g.tasks.map((t) => t.id)).toEqual(['F_1', 'F_2', 'F_3', 'Loss', 'B_3', 'B_2', 'B_1']);
    const byId = Object.fromEntries(g.tasks.map((t) => [t.id, t]));
    expect(byId.B_1.cycles).toBe(4000 + 25032 + 12252);
    expect(byId.B_2).toMatchObject({ kind: 'B', layer: 2, gemmCycles: 14304 * 2, vectorCycles: 4000 + 7816, cycles: 4000 + 14304 * 2 + 7816 });
    expect(totalWork(g)).toBe(costTable(mnist, hw).totalCycles);
    const F2B2 = g.edges.find((e) => g.tasks[e.from].id === 'F_2' && g.tasks[e.to].id === 'B_2')!;
    expect(F2B2.bytes).toBe(512000 + 32000);
    expect(new Set(edgeNames(g, (d) => d > 0))).toEqual(new Set(['B_3>F_3', 'B_2>F_2', 'B_1>F_1']));
  });

  it('task cycles equal the cost table; Loss has layer 0', () => {
    const g = buildTrainingGraph(mnist, hw);
    const t = costTable(mnist, hw);
    const rows = Object.fromEntries(t.tasks.map((r) => [r.id, r]));
    for (const task of g.tasks) {
      expect(task.cycles).toBe(rows[task.id].cycles);
      expect(task.gemmCycles + task.vectorCycles).toBe(task.cycles);
      expect(task.layer).toBe(rows[task.id].layer);
    }
    expect(totalWork(g)).toBe(140112);
  });

  it('timestep granularity: F_l@t costs one timestep; Bw and U stay whole', () => {
    const g = buildTrainingGraph(mnist, hw, { granularity: 'timestep' });
    const byId = Object.fromEntries(g.tasks.map((t) => [t.id, t]));
    expect(byId['F_1@1']).toMatchObject({ kind: 'F', layer: 1, timestep: 1, gemmCycles: 28 * (384 + 64 - 2), vectorCycles: 500 });
    expect(byId['F_1@8'].cycles).toBe(byId['F_1@1'].cycles);
    expect(byId['Ba1_2@3'].cycles).toBe(500);
    expect(byId['Bw_1'].cycles).toBe(25032);
    expect(byId['Bw_1'].timestep).toBeUndefined();
    const per = layerTaskCosts(mnist.weightLayers[1], mnist, hw, { granularity: 'timestep' });
    expect(byId['Ba2_2@5'].cycles).toBe(per.Ba2?.cycles);
    const names = new Set(edgeNames(g));
    for (const e of ['F_1@1>F_1@2', 'Ba1_2@8>Ba1_2@7', 'F_3@8>Loss', 'Loss>Ba1_3@8', 'Ba2_3@4>Ba1_2@4', 'F_1@6>Bw_2', 'Ba1_1@2>Bw_1', 'U_2>F_2@7', 'U_2>Ba2_2@7']) {
      expect(names.has(e)).toBe(true);
    }
    expect(names.has('F_3@7>Loss')).toBe(false);
    const rec = g.edges.find((e) => g.tasks[e.from].id === 'F_1@1' && g.tasks[e.to].id === 'F_1@2')!;
    expect(rec.bytes).toBe(64 * 500 * 2); // one timestep of membrane state
    const sp = g.edges.find((e) => g.tasks[e.from].id === 'F_1@3' && g.tasks[e.to].id === 'F_2@3')!;
    expect(sp.bytes).toBe((64 * 500) / 8); // one timestep of spikes
  });
});

describe('structure on every shipped network, variant and granularity', () => {
  const variants: Variant[] = ['spikepipe', 'pipedream'];
  const grans: Granularity[] = ['layer', 'timestep'];
  for (const id of SHIPPED_NETWORKS) {
    const net = loadNetwork(id);
    for (const variant of variants) {
      for (const granularity of grans) {
        it(`${id} ${variant}/${granularity}: tasks in topological order, loops span the iteration`, () => {
          const staleness = net.weightLayers.map((w) => (net.weightLayers.length - w.index) * 2);
          const g = buildTrainingGraph(net, hw, { variant, granularity, staleness });
          // zero-delay subgraph acyclic, and the emitted order is already topological
          expect(topoOrder(g)).toEqual(g.tasks.map((_, i) => i));
          // loop edges: delay 1 + d_l, from U_l (B_l) to F_l/Ba2_l tasks of layer l; for F_l the
          // head reaches the tail through zero-delay edges (the weight loop is a real cycle that
          // spans the iteration); U_l→Ba2_l only orders Ba2_l after the update it reads.
          const adj = adjacency(g);
          for (const e of g.edges.filter((x) => x.delay > 0)) {
            const l = e.loopLayer!;
            expect(e.delay).toBe(1 + staleness[l - 1]);
            expect(g.tasks[e.from].layer).toBe(l);
            expect(g.tasks[e.to].layer).toBe(l);
            expect(g.tasks[e.from].kind).toBe(variant === 'pipedream' ? 'B' : 'U');
            expect(['F', 'Ba2']).toContain(g.tasks[e.to].kind);
            expect(e.data).toBe('weights');
            if (g.tasks[e.to].kind !== 'F') continue;
            const seen = new Set([e.to]);
            const stack = [e.to];
            while (stack.length) {
              const v = stack.pop()!;
              for (let k = adj.outStart[v]; k < adj.outStart[v + 1]; k++) {
                const f = g.edges[adj.outEdges[k]];
                if (f.delay === 0 && !seen.has(f.to)) {
                  seen.add(f.to);
                  stack.push(f.to);
                }
              }
            }
            expect(seen.has(e.from)).toBe(true);
          }
          expect(stalenessOf(g)).toEqual(staleness);
          for (const t of g.tasks) expect(t.cycles).toBeGreaterThan(0);
          for (const e of g.edges) expect(e.bytes).toBeGreaterThan(0);
        });
      }
    }
  }
});

describe('staleness', () => {
  it('withStaleness round trip equals building with the staleness', () => {
    const small = loadNetwork('fmnist-conv');
    const L = small.weightLayers.length;
    const base = buildTrainingGraph(small, hw, { granularity: 'timestep' });
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 9 }), { minLength: L, maxLength: L }), (d) => {
        const built = buildTrainingGraph(small, hw, { granularity: 'timestep', staleness: d });
        const rewritten = withStaleness(base, d);
        expect(rewritten.edges).toEqual(built.edges);
        expect(stalenessOf(rewritten)).toEqual(d);
        expect(withStaleness(rewritten, stalenessNone(L)).edges).toEqual(base.edges);
      }),
      { numRuns: 30 },
    );
  });
  it('bad options are InputErrors', () => {
    expect(() => buildTrainingGraph(mnist, hw, { staleness: [1, 2] })).toThrow(/staleness: expected 3 values/);
    expect(() => buildTrainingGraph(mnist, hw, { staleness: [1, -1, 0] })).toThrow(InputError);
    expect(() => buildTrainingGraph(mnist, hw, { variant: 'gpipe' as Variant })).toThrow(/variant: must be one of spikepipe, pipedream/);
    expect(() => buildTrainingGraph(mnist, hw, { granularity: 'step' as Granularity })).toThrow(InputError);
    expect(() => buildTrainingGraph(mnist, hw, { batch: 1.5 })).toThrow(InputError);
  });
  it('batch and dataflow options reach the costs and the bytes', () => {
    const g = buildTrainingGraph(mnist, hw, { batch: 16, dataflow: 'best' });
    expect(g.meta).toMatchObject({ batch: 16, dataflow: 'best' });
    const i = indexById(g);
    const f1 = layerTaskCosts(mnist.weightLayers[0], mnist, hw, { batch: 16, dataflow: 'best' });
    expect(g.tasks[i.get('F_1')!].cycles).toBe(f1.F.cycles);
    const e = g.edges.find((x) => g.tasks[x.from].id === 'F_1' && g.tasks[x.to].id === 'F_2')!;
    expect(e.bytes).toBe((8 * 16 * 500) / 8);
  });
  it('tiny-fc on tiny-4x4: hand-checked graph', () => {
    const net = loadNetwork('tiny-fc');
    const g = buildTrainingGraph(net, loadHardware('tiny-4x4'), { staleness: [2, 0] });
    expect(g.tasks.map((t) => [t.id, t.cycles])).toEqual([
      ['F_1', 176], ['F_2', 52], ['Loss', 16], ['Ba1_2', 16], ['Ba2_2', 36], ['Bw_2', 36], ['U_2', 8], ['Ba1_1', 32], ['Bw_1', 144], ['U_1', 32],
    ]);
    expect(edgeNames(g, (d) => d === 3)).toEqual(['U_1>F_1']);
    expect(new Set(edgeNames(g, (d) => d === 1))).toEqual(new Set(['U_2>F_2', 'U_2>Ba2_2']));
  });
});

describe('delay rules', () => {
  it('stalenessNone, evenStages, staleness2S', () => {
    expect(stalenessNone(3)).toEqual([0, 0, 0]);
    expect(evenStages(3, 2)).toEqual([0, 0, 1]);
    expect(evenStages(5, 2)).toEqual([0, 0, 0, 1, 1]);
    expect(evenStages(9, 4)).toEqual([0, 0, 0, 1, 1, 2, 2, 3, 3]);
    expect(evenStages(7, 5)).toEqual([0, 0, 1, 1, 2, 3, 4]);
    expect(evenStages(3, 5)).toEqual([0, 1, 2]);
    expect(evenStages(4, 1)).toEqual([0, 0, 0, 0]);
    expect(staleness2S([0, 0, 1])).toEqual([2, 2, 0]);
    expect(staleness2S([0, 1, 2])).toEqual([4, 2, 0]);
    expect(staleness2S([0, 2, 2, 5])).toEqual([4, 2, 2, 0]);
    expect(() => evenStages(3, 0)).toThrow(InputError);
  });
  it('evenStages: contiguous, min(N, L) stages, sizes differ by at most one, larger first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 50 }), (L, N) => {
        const s = evenStages(L, N);
        expect(s.length).toBe(L);
        const n = Math.min(N, L);
        const sizes = new Array<number>(n).fill(0);
        s.forEach((x, i) => {
          if (i > 0) expect(x - s[i - 1]).toBeGreaterThanOrEqual(0);
          if (i > 0) expect(x - s[i - 1]).toBeLessThanOrEqual(1);
          sizes[x]++;
        });
        expect(s[0]).toBe(0);
        expect(s[L - 1]).toBe(n - 1);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        for (let k = 1; k < n; k++) expect(sizes[k]).toBeLessThanOrEqual(sizes[k - 1]);
      }),
    );
  });
  it('parseDelays', () => {
    expect(parseDelays('none', 3, '--delays')).toEqual([0, 0, 0]);
    expect(parseDelays('2S:3', 3, '--delays')).toEqual([4, 2, 0]);
    expect(parseDelays('2S:2', 3, '--delays')).toEqual([2, 2, 0]);
    expect(parseDelays('2s:9', 3, '--delays')).toEqual([4, 2, 0]);
    expect(parseDelays(' 4, 2,0 ', 3, '--delays')).toEqual([4, 2, 0]);
    const bad: [string, RegExp][] = [
      ['2S', /^--delays: 2S needs a stage count: 2S:N/],
      ['2S:0', /^--delays: stage count of 2S:N must be a positive integer/],
      ['2S:x', /^--delays: stage count/],
      ['1,2', /^--delays: expected 3 delays \(one per weight layer\), got 2$/],
      ['1,-2,3', /^--delays: expected none, 2S:N or a comma list of 3 non-negative integers, got "1,-2,3"$/],
      ['1.5,2,3', /^--delays: expected none/],
      ['', /^--delays: expected none/],
      ['sometimes', /^--delays: expected none/],
    ];
    for (const [text, re] of bad) {
      expect(() => parseDelays(text, 3, '--delays')).toThrow(InputError);
      expect(() => parseDelays(text, 3, '--delays')).toThrow(re);
    }
  });
});
