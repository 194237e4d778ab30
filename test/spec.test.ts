import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../lib/model/errors';
import { lineColumn, locateJsonError, parseJsonText, readJsonFile } from '../lib/model/io/json';
import {
  CONV_DEFAULTS,
  NETWORK_DEFAULTS,
  NEURON_DEFAULTS,
  SHIPPED_NETWORKS,
  loadNetwork,
  resolveNetwork,
} from '../lib/model/spec/network';
import { HARDWARE_DEFAULTS, defaultHardware, loadHardware, machineFromHardware, resolveHardware } from '../lib/model/spec/hardware';
import networkSchema from '../lib/model/spec/schemas/network.schema.json';
import hardwareSchema from '../lib/model/spec/schemas/hardware.schema.json';

const dir = mkdtempSync(join(tmpdir(), 'spikepipe-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Write `text` (or JSON of a value) to a temp file and return its path. */
function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return p;
}

/** The InputError message thrown by f (fails the test if f does not throw an InputError). */
function inputError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    const msg = (e as Error).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error('expected an InputError');
}

const base = {
  name: 'x',
  dataset: 'synthetic',
  input: [1, 28, 28],
  timesteps: 2,
  batch: 4,
  classes: 10,
  layers: [
    { type: 'conv', out: 8, kernel: 3, padding: 'same' },
    { type: 'maxpool', kernel: 2 },
    { type: 'fc', out: 10 },
  ],
};
const withLayers = (layers: unknown[]) => ({ ...base, layers });

describe('shape inference of the shipped networks', () => {
  it('mnist-fc: 784→500→500→10', () => {
    const n = loadNetwork('mnist-fc');
    expect(n.weightLayers.map((w) => [w.type, w.inShape, w.outShape, w.params, w.spiking])).toEqual([
      ['fc', [1, 28, 28], [500, 1, 1], 392000, true],
      ['fc', [500, 1, 1], [500, 1, 1], 250000, true],
      ['fc', [500, 1, 1], [10, 1, 1], 5000, false],
    ]);
    expect(n.spec.timesteps).toBe(8);
    expect(n.spec.batch).toBe(64);
    expect(n.file).toBe('networks/mnist-fc.json');
  });

  it('fmnist-conv: 28→28 (same) →14 (pool) →14→7, FC input 3136', () => {
    const n = loadNetwork('fmnist-conv');
    const [c1, c2, f1, f2] = n.weightLayers;
    expect(c1.outShape).toEqual([32, 28, 28]);
    expect(c1.pool).toEqual({ type: 'maxpool', kernel: 2, stride: 2, outShape: [32, 14, 14] });
    expect(c1.params).toBe(32 * 1 * 9);
    expect(c2.inShape).toEqual([32, 14, 14]);
    expect(c2.outShape).toEqual([64, 14, 14]);
    expect(c2.nextShape).toEqual([64, 7, 7]);
    expect(c2.params).toBe(64 * 32 * 9);
    expect(f1.inShape).toEqual([64, 7, 7]);
    expect(f1.params).toBe(3136 * 128);
    expect(f2.outShape).toEqual([10, 1, 1]);
    expect(n.weightLayers.map((w) => w.padding)).toEqual([1, 1, 0, 0]);
  });

  it.each(['cifar10-vgg', 'cifar100-vgg'])('%s: 7 convs, three pools, FC 4096→512→classes', (id) => {
    const n = loadNetwork(id);
    const L = n.weightLayers;
    expect(L.length).toBe(9);
    expect(L.map((w) => w.outShape[0])).toEqual([64, 64, 128, 128, 256, 256, 256, 512, n.spec.classes]);
    expect(L.map((w) => w.outShape[1])).toEqual([32, 32, 16, 16, 8, 8, 8, 1, 1]);
    expect(L.filter((w) => w.pool).map((w) => w.index)).toEqual([2, 4, 7]);
    expect(L[7].inShape).toEqual([256, 4, 4]);
    expect(L[7].params).toBe(4096 * 512);
    expect(n.spec.classes).toBe(id === 'cifar10-vgg' ? 10 : 100);
    expect(n.spec.timesteps).toBe(4);
  });

  it('tiny-fc and every shipped id load; defaults are filled', () => {
    for (const id of SHIPPED_NETWORKS) expect(loadNetwork(id).spec.name).toBe(id);
    const t = loadNetwork('tiny-fc');
    expect(t.spec.neuron).toEqual(NEURON_DEFAULTS);
    expect(t.spec.readout).toBe('integrator');
    expect(t.spec.optimizer).toBe('sgd');
    expect(t.weightLayers.map((w) => w.params)).toEqual([128, 32]);
  });

  it('a path loads the same network as its id', () => {
    expect(loadNetwork('networks/mnist-fc.json').weightLayers).toEqual(loadNetwork('mnist-fc').weightLayers);
  });

  it('conv stride and padding arithmetic: floor((H + 2p − k)/s) + 1', () => {
    const n = resolveNetwork(
      withLayers([
        { type: 'conv', out: 4, kernel: 5, stride: 2, padding: 1 }, // (28+2−5)/2 = 12.5 → 12 + 1 = 13
        { type: 'avgpool', kernel: 3, stride: 2 }, //                    (13−3)/2 + 1 = 6
        { type: 'conv', out: 6, kernel: 2 }, //                            6−2+1 = 5
        { type: 'flatten' },
        { type: 'fc', in: 150, out: 10 },
      ]),
      'inline',
    );
    expect(n.weightLayers.map((w) => w.outShape)).toEqual([
      [4, 13, 13],
      [6, 5, 5],
      [10, 1, 1],
    ]);
    expect(n.weightLayers[0].pool?.outShape).toEqual([4, 6, 6]);
    expect(n.weightLayers[2].inShape).toEqual([150, 1, 1]);
  });

  it('resolveNetwork does not mutate its input', () => {
    const spec = structuredClone(base);
    resolveNetwork(spec, 'x');
    expect(spec).toEqual(base);
  });
});

describe('defaults: code constants equal the schema `default` fields', () => {
  const p = networkSchema.properties;
  it('network', () => {
    const n = p.neuron.properties;
    expect({ alpha: n.alpha.default, beta: n.beta.default, theta: n.theta.default, reset: n.reset.default }).toEqual(NEURON_DEFAULTS);
    expect({ readout: p.readout.default, optimizer: p.optimizer.default }).toEqual(NETWORK_DEFAULTS);
    const conv = networkSchema.definitions.conv.properties;
    expect({ stride: conv.stride.default, padding: conv.padding.default }).toEqual(CONV_DEFAULTS);
  });
  it('hardware', () => {
    const h = hardwareSchema.properties;
    expect({
      processors: h.processors.default,
      array: { rows: h.array.properties.rows.default, cols: h.array.properties.cols.default },
      dataflow: { F: h.dataflow.properties.F.default, Ba2: h.dataflow.properties.Ba2.default, Bw: h.dataflow.properties.Bw.default },
      bytesPerValue: h.bytesPerValue.default,
      spikeEncoding: h.spikeEncoding.default,
      linkBandwidth: h.linkBandwidth.default,
      linkLatency: h.linkLatency.default,
      clockHz: h.clockHz.default,
      iirCyclesPerElement: h.iirCyclesPerElement.default,
      updateCyclesPerWeight: { sgd: h.updateCyclesPerWeight.properties.sgd.default, adam: h.updateCyclesPerWeight.properties.adam.default },
      lossCyclesPerElement: h.lossCyclesPerElement.default,
    }).toEqual(HARDWARE_DEFAULTS);
  });
  it('networks/hardware/default.json spells out defaultHardware()', () => {
    expect(loadHardware('networks/hardware/default.json')).toEqual(defaultHardware());
    expect(loadHardware('default')).toEqual(defaultHardware());
    expect(loadHardware()).toEqual(defaultHardware());
  });
  it('the README\'s default hardware values', () => {
    const hw = defaultHardware();
    expect(hw.array).toEqual({ rows: 128, cols: 128 });
    expect(hw.vectorLanes).toBe(128);
    expect(hw.dataflow).toEqual({ F: 'ws', Ba2: 'ws', Bw: 'os' });
    expect(machineFromHardware(hw, 3)).toEqual({ procs: 3, bandwidth: 64, latency: 100, clockHz: 1e9 });
    expect(machineFromHardware(hw).procs).toBe(4);
  });
  it('vectorLanes follows cols, name follows the file, partial objects merge', () => {
    const hw = resolveHardware({ array: { cols: 32 }, updateCyclesPerWeight: { adam: 3 } }, 'h.json', 'h');
    expect(hw.array).toEqual({ rows: 128, cols: 32 });
    expect(hw.vectorLanes).toBe(32);
    expect(hw.name).toBe('h');
    expect(hw.updateCyclesPerWeight).toEqual({ sgd: 1, adam: 3 });
    const tiny = loadHardware('tiny-4x4');
    expect(tiny.array).toEqual({ rows: 4, cols: 4 });
    expect(tiny.vectorLanes).toBe(4);
    expect(tiny.bytesPerValue).toBe(2);
  });
  it('machineFromHardware rejects a bad processor count', () => {
    expect(inputError(() => machineFromHardware(defaultHardware(), 0))).toContain('--procs');
  });
});

describe('bad spec files: one-line InputError naming the file and JSON path or line', () => {
  it('missing file', () => {
    const p = join(dir, 'nope.json');
    expect(inputError(() => loadNetwork(p))).toBe(`${p}: no such file`);
    expect(inputError(() => loadHardware(p))).toBe(`${p}: no such file`);
    expect(inputError(() => loadNetwork('no-such-net'))).toMatch(/^no-such-net: no such file or shipped network/);
  });

  it('malformed JSON names line and column', () => {
    const p = file('bad1.json', '{\n  "name": "x",\n  "batch": 4,\n}\n');
    expect(inputError(() => loadNetwork(p))).toBe(`${p}: line 4 column 1: trailing comma before "}"`);
    const q = file('bad2.json', '{\n  "name": "x",\n  "input": [1, 2 3]\n}');
    expect(inputError(() => loadNetwork(q))).toBe(`${q}: line 3 column 18: unexpected character "3" (expected "," or "]")`);
    const r = file('bad3.json', '{\n  "a": tru\n}');
    expect(inputError(() => loadHardware(r))).toBe(`${r}: line 2 column 11: unexpected character "\\n" (expected "true")`);
    const s = file('bad4.json', '');
    expect(inputError(() => readJsonFile(s))).toBe(`${s}: line 1 column 1: empty file (expected a JSON value)`);
  });

  it('schema violation: missing property, wrong type, unknown property', () => {
    const { batch: _b, ...noBatch } = base;
    const p = file('s1.json', noBatch);
    expect(inputError(() => loadNetwork(p))).toBe(`${p}: /batch: required property is missing`);
    const q = file('s2.json', { ...base, timesteps: 'eight' });
    expect(inputError(() => loadNetwork(q))).toBe(`${q}: /timesteps: must be an integer, got "eight"`);
    const r = file('s3.json', withLayers([{ type: 'conv', out: 8, kernel: 3, dilation: 2 }, { type: 'fc', out: 10 }]));
    expect(inputError(() => loadNetwork(r))).toBe(`${r}: /layers/0/dilation: unknown property (allowed here: type, name, inputs, out, kernel, stride, padding)`);
    const s = file('s4.json', { ...base, neuron: { reset: 'sometimes' } });
    expect(inputError(() => loadNetwork(s))).toBe(`${s}: /neuron/reset: must be one of "soft", "hard", "none", got "sometimes"`);
    const t = file('s5.json', withLayers([{ type: 'conv', out: 8, kernel: 3, padding: 'valid' }, { type: 'fc', out: 10 }]));
    expect(inputError(() => loadNetwork(t))).toBe(`${t}: /layers/0/padding: must be a non-negative integer or "same" ((kernel-1)/2, odd kernels only), got "valid"`);
    const h = file('h1.json', { dataflow: { F: 'rs' } });
    expect(inputError(() => loadHardware(h))).toBe(`${h}: /dataflow/F: must be one of "ws", "os", "is", got "rs"`);
    const h2 = file('h2.json', { linkBandwidth: 64, lanes: 3 });
    expect(inputError(() => loadHardware(h2))).toMatch(new RegExp(`^${h2}: /lanes: unknown property \\(allowed here: name, processors,`));
  });

  it('unknown layer type', () => {
    const p = file('u.json', withLayers([{ type: 'dense', out: 10 }]));
    expect(inputError(() => loadNetwork(p))).toBe(`${p}: /layers/0/type: must be one of "fc", "conv", "avgpool", "maxpool", "flatten", "add", "concat", got "dense"`);
  });

  it('zero or negative sizes', () => {
    const p = file('z1.json', withLayers([{ type: 'fc', out: 0 }]));
    expect(inputError(() => loadNetwork(p))).toBe(`${p}: /layers/0/out: must be > 0, got 0`);
    const q = file('z2.json', { ...base, input: [1, -28, 28] });
    expect(inputError(() => loadNetwork(q))).toBe(`${q}: /input/1: must be > 0, got -28`);
    const r = file('z3.json', { array: { rows: 0 } });
    expect(inputError(() => loadHardware(r))).toBe(`${r}: /array/rows: must be > 0, got 0`);
    const s = file('z4.json', { ...base, batch: -1 });
    expect(inputError(() => loadNetwork(s))).toBe(`${s}: /batch: must be > 0, got -1`);
  });

  it('non-integer counts', () => {
    const p = file('n1.json', { ...base, batch: 2.5 });
    expect(inputError(() => loadNetwork(p))).toBe(`${p}: /batch: must be an integer, got 2.5`);
    const q = file('n2.json', withLayers([{ type: 'conv', out: 8, kernel: 2.5 }, { type: 'fc', out: 10 }]));
    expect(inputError(() => loadNetwork(q))).toBe(`${q}: /layers/0/kernel: must be an integer, got 2.5`);
    const r = file('n3.json', { processors: 1.5 });
    expect(inputError(() => loadHardware(r))).toBe(`${r}: /processors: must be an integer, got 1.5`);
  });

  it('shape mismatches and impossible shapes', () => {
    const fmnist = loadNetwork('fmnist-conv').spec;
    const bad = structuredClone(fmnist);
    (bad.layers[4] as { in?: number }).in = 3000;
    const p = file('m1.json', bad);
    expect(inputError(() => loadNetwork(p))).toBe(`${p}: /layers/4/in: expected 3136 (64×7×7 flattened), got 3000`);

    const q = file('m2.json', withLayers([{ type: 'fc', out: 20 }, { type: 'fc', in: 30, out: 10 }]));
    expect(inputError(() => loadNetwork(q))).toBe(`${q}: /layers/1/in: expected 20, got 30`);

    const r = file('m3.json', withLayers([{ type: 'fc', out: 12 }]));
    expect(inputError(() => loadNetwork(r))).toBe(`${r}: /layers/0/out: the readout layer must have out = classes (10), got 12`);

    const s = file('m4.json', withLayers([{ type: 'fc', out: 20 }, { type: 'avgpool', kernel: 2 }, { type: 'fc', out: 10 }]));
    expect(inputError(() => loadNetwork(s))).toBe(`${s}: /layers/1/type: avgpool must directly follow a conv layer or a merge (add, concat) (previous: fc)`);

    const t = file('m5.json', { ...base, input: [1, 3, 3], layers: [{ type: 'conv', out: 2, kernel: 5 }, { type: 'fc', out: 10 }] });
    expect(inputError(() => loadNetwork(t))).toBe(`${t}: /layers/0: output size -1×-1 is not positive (input 1×3×3, kernel 5, stride 1, padding 0)`);

    const u = file('m6.json', withLayers([{ type: 'conv', out: 8, kernel: 4, padding: 'same' }, { type: 'fc', out: 10 }]));
    expect(inputError(() => loadNetwork(u))).toBe(`${u}: /layers/0/padding: "same" needs an odd kernel, got kernel 4`);

    const v = file('m7.json', withLayers([{ type: 'conv', out: 10, kernel: 3 }]));
    expect(inputError(() => loadNetwork(v))).toBe(`${v}: /layers/0/type: the last layer must be the fc readout layer, got conv`);

    const w = file('m8.json', withLayers([{ type: 'fc', out: 20 }, { type: 'conv', out: 4, kernel: 1 }, { type: 'fc', out: 10 }]));
    expect(inputError(() => loadNetwork(w))).toBe(`${w}: /layers/1/type: conv cannot follow a flattened (fc or flatten) layer`);

    const x = file('m9.json', { ...base, input: [1, 3, 3], layers: [{ type: 'conv', out: 2, kernel: 3 }, { type: 'maxpool', kernel: 2 }, { type: 'fc', out: 10 }] });
    expect(inputError(() => loadNetwork(x))).toBe(`${x}: /layers/1: output size 0×0 is not positive (input 2×1×1, kernel 2, stride 2)`);
  });
});

describe('JSON error locator', () => {
  it('line/column of an offset', () => {
    expect(lineColumn('ab\ncd\n', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd\n', 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn('ab\ncd\n', 6)).toEqual({ line: 3, column: 1 });
  });
  it('hand cases', () => {
    expect(locateJsonError('{"a": 1}')).toBeNull();
    expect(locateJsonError('{"a": 01}')).toEqual({ offset: 7, reason: 'numbers must not have leading zeros' });
    expect(locateJsonError('[1,]')).toEqual({ offset: 3, reason: 'trailing comma before "]"' });
    expect(locateJsonError('{"a": "x\ny"}')).toEqual({ offset: 8, reason: 'control character (e.g. a raw newline) inside a string' });
    expect(locateJsonError('{"a": "xy')).toEqual({ offset: 6, reason: 'unterminated string' });
    expect(locateJsonError('[1] 2')).toEqual({ offset: 4, reason: 'unexpected character "2" after the end of the JSON value' });
    expect(locateJsonError('[-]')).toEqual({ offset: 2, reason: 'unexpected character "]" in number (expected a digit)' });
    expect(locateJsonError('[' .repeat(600))?.reason).toBe('nesting deeper than 512 levels');
  });
  it('a BOM is ignored', () => {
    expect(parseJsonText('\ufeff{"a":1}', 'f')).toEqual({ a: 1 });
  });

  /** The locator must agree with JSON.parse on what is valid. */
  const agrees = (s: string) => {
    let ok = true;
    try {
      JSON.parse(s);
    } catch {
      ok = false;
    }
    expect(locateJsonError(s) === null).toBe(ok);
  };
  it('agrees with JSON.parse on valid JSON and on random text', () => {
    fc.assert(fc.property(fc.json(), agrees), { numRuns: 300 });
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'{}[]:,"\\ 0123-.eE+tfnrulsa\n\t') }), agrees), { numRuns: 2000 });
  });
  it('agrees with JSON.parse on valid JSON with one character deleted or inserted', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.constantFrom(...'{}[]:,"\\0-e. x'), (j, k, c) => {
        const at = k % (j.length + 1);
        agrees(j.slice(0, at) + j.slice(at + 1));
        agrees(j.slice(0, at) + c + j.slice(at));
      }),
      { numRuns: 500 },
    );
  });
});
