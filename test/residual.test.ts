/**
 * Residual and branching networks: the layer DAG (names, inputs, add, concat), the training graph
 * over it (edges per input and per reader, fan-in gradient sums), cut bytes of contiguous
 * partitions with skip connections, every method on tiny-res, and the bad inputs.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNetwork, resolveNetwork } from '../lib/model/spec/network';
import { defaultHardware } from '../lib/model/spec/hardware';
import { buildTrainingGraph } from '../lib/model/graph/training';
import { layerTaskCosts } from '../lib/model/cost/tasks';
import { layerProfile } from '../lib/model/graph/stages';
import { InputError } from '../lib/model/errors';
import { compare } from '../lib/app/pipeline/compare';
import { methodNames } from '../solvers/registry';
import { planNetwork } from '../lib/app/trainer/plan';
import { type TrainOptions, train } from '../lib/app/trainer/trainer';
import { loadData } from '../lib/app/data';
import type { TaskGraph } from '../lib/model/types';

const hw = defaultHardware();
const base = { name: 'n', dataset: 'synthetic', input: [1, 4, 4], timesteps: 2, batch: 4, classes: 4 };
const conv = (name: string, inputs?: string[]) => ({ name, type: 'conv', out: 2, kernel: 3, padding: 'same', ...(inputs ? { inputs } : {}) });
const resolve = (layers: unknown[]) => resolveNetwork({ ...base, layers }, 'net.json');
const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  throw new Error('no InputError');
};
/** Edges as "from→to bytes" strings, sorted. */
const edges = (g: TaskGraph, delay = 0) =>
  g.edges
    .filter((e) => e.delay === delay)
    .map((e) => `${g.tasks[e.from].id}→${g.tasks[e.to].id} ${e.bytes}`)
    .sort();

describe('tiny-res: conv stem, a, b; sum = b + stem; fc readout', () => {
  const net = loadNetwork('tiny-res');
  const [stem, a, b, fc] = net.weightLayers;

  it('resolves the DAG by hand', () => {
    expect(net.weightLayers.map((w) => w.name)).toEqual(['stem', 'a', 'b', undefined]);
    expect(stem.inputs).toEqual([{ from: 0, elements: 16, into: 'gemm' }]);
    expect(stem.consumers).toEqual([2, 4]);
    expect(b.consumers).toEqual([4]);
    // fc reads b and stem (2×4×4 = 32 each), summing them itself: 32 adds per sample and timestep
    expect(fc.inputs).toEqual([
      { from: 3, elements: 32, into: 'gemm' },
      { from: 1, elements: 32, into: 'gemm' },
    ]);
    expect([fc.inShape, fc.params, fc.mergeElements, fc.inputEncoding]).toEqual([[2, 4, 4], 128, 32, 'values']);
    expect([a.mergeElements, a.inputEncoding]).toEqual([0, 'spikes']);
  });

  it('costs the add in the reader and the gradient sum in the producer', () => {
    // T = 2, B = 4, 128 lanes: the add is ceil(2·4·32/128) = 2 cycles in F_4; stem has 2 readers,
    // so its Ba1 sums one extra gradient of 32 elements: 2 cycles on top of the IIR reverse.
    const chainLike = { ...stem, consumers: [2] };
    const withSum = layerTaskCosts(stem, net, hw);
    expect(withSum.Ba1.vectorCycles - layerTaskCosts(chainLike, net, hw).Ba1.vectorCycles).toBe(2);
    const noMerge = { ...fc, mergeElements: 0 };
    expect(layerTaskCosts(fc, net, hw).F.vectorCycles - layerTaskCosts(noMerge, net, hw).F.vectorCycles).toBe(2);
    expect(layerTaskCosts(stem, net, hw).Ba2).toBeNull(); // reads only the network input
    expect(layerTaskCosts(a, net, hw).Ba2).not.toBeNull();
  });

  it('training graph: one edge per input and per reader', () => {
    const g = buildTrainingGraph(net, hw);
    // spikes of a 2×4×4 layer over T·B = 8: ceil(8·32/8) = 32 B; gradients 8·32·2 B = 512 B
    const e = edges(g);
    for (const x of ['F_1→F_2 32', 'F_2→F_3 32', 'F_3→F_4 32', 'F_1→F_4 32', 'F_3→Bw_4 32', 'F_1→Bw_4 32', 'Ba2_4→Ba1_3 512', 'Ba2_4→Ba1_1 512', 'Ba2_2→Ba1_1 512']) {
      expect(e).toContain(x);
    }
    expect(e.filter((x) => x.startsWith('Ba2_4→'))).toHaveLength(2);
    expect(g.tasks.map((t) => t.id)).not.toContain('Ba2_1');
    expect(g.tasks).toHaveLength(5 * 4 - 1 + 1); // 5 per layer, no Ba2_1, plus Loss
    // the PipeDream variant: B_4 sends a gradient to B_3 and to B_1
    const pd = edges(buildTrainingGraph(net, hw, { variant: 'pipedream' }));
    expect(pd.filter((x) => x.startsWith('B_4→'))).toEqual(['B_4→B_1 512', 'B_4→B_3 512']);
  });

  it('cut bytes of a contiguous partition count the skip connection at every cut it crosses', () => {
    const p = layerProfile(buildTrainingGraph(net, hw));
    // cut 1|2: stem's spikes (read up to layer 4); 2|3: a's + stem's; 3|4: b's + stem's
    expect(p.spikeBytes).toEqual([32, 64, 64]);
    // gradients: 1|2: Ba2_2→Ba1_1 + Ba2_4→Ba1_1; 2|3: Ba2_3→Ba1_2 + Ba2_4→Ba1_1; 3|4: Ba2_4→Ba1_3 + Ba2_4→Ba1_1
    expect(p.gradBytes).toEqual([1024, 1024, 1024]);
  });

  it('every method gives valid, simulated rows at N = 2 and 4', async () => {
    const { rows } = await compare({ networks: ['tiny-res'], procs: [2, 4], hw, iterations: 8 });
    expect(rows).toHaveLength(2 * methodNames().length);
    const bad = rows.filter((r) => !r.valid || r.simulatedPeriod === null).map((r) => `${r.method}@${r.procs}: ${r.notes.join('; ')}`);
    expect(bad).toEqual([]);
  }, 120_000);

  it('the trainer trains it: the loss falls on synthetic data, the same seed gives the same losses, and delays run', async () => {
    const plan = planNetwork(net);
    expect(plan.layers[3].input).toEqual({
      kind: 'add',
      size: 32,
      srcs: [
        { kind: 'layer', layer: 2, size: 32 },
        { kind: 'layer', layer: 0, size: 32 },
      ],
    });
    expect(plan.layers[0].gradSum).toBe(true);
    const data = loadData('synthetic', { seed: 3, shape: plan.input, classes: plan.classes });
    const run = async (o: Partial<TrainOptions> = {}) => (await train(plan, data, { epochs: 6, batch: 16, lr: 0.05, optimizer: 'adam', seed: 5, ...o })).epochs;
    const a = await run();
    const b = await run();
    expect(a.map((e) => e.trainLoss)).toEqual(b.map((e) => e.trainLoss));
    expect(a[a.length - 1].trainLoss).toBeLessThan(0.8 * a[0].trainLoss);
    expect(a[a.length - 1].testAccuracy).toBeGreaterThan(0.5);
    for (const mode of ['stash', 'none'] as const) {
      const d = await run({ delays: [3, 2, 1, 0], mode });
      expect(d.every((e) => Number.isFinite(e.trainLoss))).toBe(true);
    }
  }, 120_000);

  it('resnet18-snn plans for the trainer (its merges become input expressions)', () => {
    const res = loadNetwork('resnet18-snn');
    const plan = planNetwork(res);
    expect(plan.layers.length).toBe(res.weightLayers.length);
    expect(plan.layers.filter((l) => l.input).length).toBeGreaterThan(5);
    expect(plan.layers.every((l) => !l.input || l.input.size === l.inSize)).toBe(true);
  });
});

describe('membrane add and concat', () => {
  it('membrane add: the shortcut joins the current of its first input', () => {
    const net = resolve([conv('s'), conv('a'), conv('c'), { type: 'add', mode: 'membrane', inputs: ['c', 's'] }, { type: 'fc', out: 4 }]);
    const [, , c, fc] = net.weightLayers;
    expect(c.inputs).toEqual([
      { from: 2, elements: 32, into: 'gemm' },
      { from: 1, elements: 32, into: 'membrane' },
    ]);
    expect(c.mergeElements).toBe(32);
    expect(fc.inputs).toEqual([{ from: 3, elements: 32, into: 'gemm' }]); // the add's output is c's spikes
    const e = edges(buildTrainingGraph(net, hw));
    expect(e).toContain('F_1→F_3 32');
    expect(e).toContain('Ba1_3→Ba1_1 512'); // δI of c, 2·4·32·2 B
    expect(e).not.toContain('F_1→Bw_3 32'); // the weight gradient of c does not read s
  });

  it('a membrane add listed before its shortcut still orders the shortcut first', () => {
    const net = resolve([conv('s'), conv('c'), { name: 'sum', type: 'add', mode: 'membrane', inputs: ['c', 'd'] }, { type: 'fc', out: 4, inputs: ['sum'] }, conv('d', ['s'])]);
    expect(net.weightLayers.map((w) => w.name)).toEqual(['s', 'd', 'c', undefined]);
  });

  it('concat stacks channels; its reader reads both producers', () => {
    const net = resolve([conv('x', ['input']), conv('y', ['input']), { name: 'cat', type: 'concat', inputs: ['x', 'y'] }, { type: 'fc', out: 4 }]);
    const fc = net.weightLayers[2];
    expect([fc.inShape, fc.mergeElements, fc.inputEncoding, fc.params]).toEqual([[4, 4, 4], 0, 'spikes', 256]);
    expect(fc.inputs.map((x) => x.from)).toEqual([1, 2]);
    expect(net.weightLayers[0].inputs).toEqual([{ from: 0, elements: 16, into: 'gemm' }]);
  });

  it('a pool of a merge folds into the reader (resnet18-snn: global average pool before the fc)', () => {
    const net = loadNetwork('resnet18-snn');
    expect(net.weightLayers).toHaveLength(21);
    const fc = net.weightLayers[20];
    // reads s4b2c2, s4b1c2 and s4b1ds (512×4×4 each): 2 adds of 8192 and one pool of 8192
    expect([fc.inShape, fc.mergeElements, fc.inputPoolElements, fc.inputs.map((x) => x.from)]).toEqual([[512, 1, 1], 16384, 8192, [20, 17, 18]]);
    expect(net.weightLayers.every((w, i) => w.index === i + 1 && w.inputs.every((x) => x.from < w.index))).toBe(true);
  });
});

describe('bad layer graphs: one line naming the file and the JSON path', () => {
  it('names no layer, a cycle, a duplicate name, reading itself', () => {
    expect(errorOf(() => resolve([conv('a'), conv('b', ['zz']), { type: 'fc', out: 4 }]))).toBe(
      'net.json: /layers/1/inputs/0: names no layer: "zz" (named layers: "a", "b", and "input")',
    );
    expect(errorOf(() => resolve([conv('a', ['c']), conv('b', ['a']), conv('c', ['b']), { type: 'fc', out: 4, inputs: ['c'] }]))).toBe(
      'net.json: /layers: cycle among layers: "a" → "b" → "c" → "a"',
    );
    expect(errorOf(() => resolve([conv('a'), conv('a'), { type: 'fc', out: 4 }]))).toBe('net.json: /layers/1/name: duplicate name "a" (also /layers/0)');
    expect(errorOf(() => resolve([conv('a', ['a']), { type: 'fc', out: 4 }]))).toBe('net.json: /layers/0/inputs/0: a layer cannot read itself ("a")');
  });

  it('an add of different shapes, an unread output, a bad membrane add', () => {
    const wide = { name: 'w', type: 'conv', out: 3, kernel: 3, padding: 'same', inputs: ['input'] };
    expect(errorOf(() => resolve([conv('a', ['input']), wide, { type: 'add', inputs: ['a', 'w'] }, { type: 'fc', out: 4 }]))).toBe(
      'net.json: /layers/2/inputs: add needs inputs of one shape, got "a" 2×4×4, "w" 3×4×4',
    );
    expect(errorOf(() => resolve([conv('a', ['input']), conv('b', ['input']), { type: 'fc', out: 4, inputs: ['a'] }]))).toBe(
      'net.json: /layers/1: the output of "b" is read by no layer (only the readout, /layers/2, may be unread)',
    );
    expect(errorOf(() => resolve([conv('a'), { name: 'p', type: 'maxpool', kernel: 2 }, conv('b', ['input']), { type: 'maxpool', kernel: 2 }, { type: 'add', mode: 'membrane', inputs: ['p', '/layers/3'] }, { type: 'fc', out: 4 }]))).toMatch(
      /^net.json: \/layers\/4\/inputs\/1: names no layer/,
    );
    expect(errorOf(() => resolve([conv('a'), { name: 'p', type: 'maxpool', kernel: 2 }, conv('b', ['input']), { name: 'q', type: 'maxpool', kernel: 2 }, { type: 'add', mode: 'membrane', inputs: ['p', 'q'] }, { type: 'fc', out: 4 }]))).toBe(
      'net.json: /layers/4/inputs/0: a membrane add joins the current of its first input, which must be a conv or fc layer (got maxpool)',
    );
  });

  it('a spec file with an add of one input fails the schema check', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikepipe-res-'));
    const p = join(dir, 'one.json');
    writeFileSync(p, JSON.stringify({ ...base, layers: [conv('a'), { type: 'add', inputs: ['a'] }, { type: 'fc', out: 4 }] }));
    expect(errorOf(() => loadNetwork(p))).toBe(`${p}: /layers/1/inputs: must NOT have fewer than 2 items, got ["a"]`);
  });
});
