/**
 * Shape inference over the layer DAG (layer-dag.ts): every fc and conv becomes a WeightLayer,
 * numbered in topological order; pools, flattens and merges fold into weight layers.
 *
 * Shapes are [C, H, W]. conv: Ho = floor((H + 2p − k)/s) + 1 (padding "same" = (k−1)/2, odd k
 * only); pool: Ho = floor((H − k)/s) + 1, stride defaulting to the kernel; fc flattens its input
 * implicitly (an explicit `in` must equal C·H·W).
 *
 * Folding (README, The model):
 *   - a pool that reads a conv read by nothing else folds into that conv (its cost joins the
 *     conv's F and Ba1, and what the conv sends on is the pooled tensor), as in a chain;
 *   - add (spike) and concat fold into every weight layer that reads them: the consumer reads
 *     each producer's own tensor (so edges carry spikes, not sums) and pays the element-wise
 *     adds, (k − 1)·size per sample and timestep, in its F; a pool of a merged tensor folds
 *     into the consumer the same way (forward in F, backward in Ba2);
 *   - add (membrane) folds into its first input, a conv or fc: the others join that layer's
 *     input current, (k − 1)·size adds in its F, and the gradient δI flows back to them from
 *     its Ba1.
 * A merge read by two weight layers is summed by each (the sums may sit on different
 * processors; they are element-wise and small beside the GEMMs). The last layer in topological
 * order must be the fc readout with out = classes. Every error names the file and the JSON
 * path. O(layers + edges).
 */
import type { LayerInput, LayerSpec, NetworkSpec, Shape3, WeightLayer } from './types';
import { fail } from '../errors';
import { NETWORK_INPUT, layerDag, layerLabel } from './layer-dag';

/** Defaults of conv layers (also the schema's `default` fields; a test keeps them in step). */
export const CONV_DEFAULTS = Object.freeze({ stride: 1, padding: 0 });

const size = (s: Shape3): number => s[0] * s[1] * s[2];
export const showShape = (s: Shape3): string => `${s[0]}×${s[1]}×${s[2]}`;

/** What a layer of the DAG outputs, in terms of the weight layers that produce it. */
interface Value {
  shape: Shape3;
  /** True once an fc or flatten has made the activations a vector. */
  flat: boolean;
  /** The tensors summed or concatenated into it (producers' outputs, after their pools). */
  leaves: LayerInput[];
  /** Weight layer (1-based) whose own output this is, untouched by any merge; else undefined. */
  owner?: number;
  mergeElements: number;
  inputPoolElements: number;
  /** Non-binary (a spike sum or an average pool somewhere in it). */
  values: boolean;
}

const union = (vals: readonly Value[]): LayerInput[] => {
  const seen = new Set<number>();
  const out: LayerInput[] = [];
  for (const v of vals) for (const x of v.leaves) if (!seen.has(x.from)) (seen.add(x.from), out.push(x));
  return out;
};
const sum = (vals: readonly Value[], key: 'mergeElements' | 'inputPoolElements') => vals.reduce((s, v) => s + v[key], 0);

export function inferLayers(s: NetworkSpec, where: string): WeightLayer[] {
  const at = (i: number, key?: string) => `${where}: /layers/${i}${key ? `/${key}` : ''}`;
  const dag = layerDag(s.layers, where);
  const out: WeightLayer[] = [];
  const values: Value[] = new Array(s.layers.length);
  const input: Value = { shape: [...s.input] as Shape3, flat: false, leaves: [{ from: 0, elements: size(s.input), into: 'gemm' }], mergeElements: 0, inputPoolElements: 0, values: false };
  const valueOf = (j: number): Value => (j === NETWORK_INPUT ? input : values[j]);
  const describe = (j: number): string => (j === NETWORK_INPUT ? 'the input' : s.layers[j].type);
  const { batch: B, timesteps: T } = s;

  const addWeightLayer = (i: number, l: LayerSpec & { type: 'fc' | 'conv' }, v: Value, outShape: Shape3, k: number, st: number, p: number, params: number): Value => {
    const w: WeightLayer = {
      index: out.length + 1,
      type: l.type,
      specIndex: i,
      inputs: v.leaves.map((x) => ({ ...x })),
      mergeElements: v.mergeElements,
      inputPoolElements: v.inputPoolElements,
      inputEncoding: v.values ? 'values' : 'spikes',
      consumers: [],
      inShape: v.shape,
      outShape,
      kernel: k,
      stride: st,
      padding: p,
      params,
      nextShape: outShape,
      spiking: true,
    };
    if (l.name !== undefined) w.name = l.name;
    for (const x of [w.params, T * B * size(w.outShape), T * B * size(w.inShape) * w.kernel * w.kernel]) {
      if (!Number.isSafeInteger(x)) fail(at(i), `sizes too large to count exactly (${x})`);
    }
    out.push(w);
    return { shape: outShape, flat: l.type === 'fc', leaves: [{ from: w.index, elements: size(outShape), into: 'gemm' }], owner: w.index, mergeElements: 0, inputPoolElements: 0, values: false };
  };

  for (const i of dag.order) {
    const l = s.layers[i];
    const ins = dag.inputs[i];
    const vals = ins.map(valueOf);
    const v = vals[0];
    switch (l.type) {
      case 'fc': {
        const n = size(v.shape);
        if (l.in !== undefined && l.in !== n) {
          const how = v.shape[1] === 1 && v.shape[2] === 1 ? `${n}` : `${n} (${showShape(v.shape)} flattened)`;
          fail(at(i, 'in'), `expected ${how}, got ${l.in}`);
        }
        values[i] = addWeightLayer(i, l, v, [l.out, 1, 1], 1, 1, 0, n * l.out);
        break;
      }
      case 'conv': {
        if (v.flat) fail(at(i, 'type'), 'conv cannot follow a flattened (fc or flatten) layer');
        const k = l.kernel;
        const st = l.stride ?? CONV_DEFAULTS.stride;
        let p: number;
        if (l.padding === 'same') {
          if (k % 2 === 0) fail(at(i, 'padding'), `"same" needs an odd kernel, got kernel ${k}`);
          p = (k - 1) / 2;
        } else p = l.padding ?? CONV_DEFAULTS.padding;
        const [c, h, wd] = v.shape;
        const ho = Math.floor((h + 2 * p - k) / st) + 1;
        const wo = Math.floor((wd + 2 * p - k) / st) + 1;
        if (ho <= 0 || wo <= 0) {
          fail(at(i), `output size ${ho}×${wo} is not positive (input ${showShape(v.shape)}, kernel ${k}, stride ${st}, padding ${p})`);
        }
        values[i] = addWeightLayer(i, l, v, [l.out, ho, wo], k, st, p, l.out * c * k * k);
        break;
      }
      case 'avgpool':
      case 'maxpool': {
        const src = ins[0];
        const merged = src !== NETWORK_INPUT && (s.layers[src].type === 'add' || s.layers[src].type === 'concat');
        if (v.flat || (!merged && (src === NETWORK_INPUT || s.layers[src].type !== 'conv'))) {
          fail(at(i, 'type'), `${l.type} must directly follow a conv layer or a merge (add, concat) (previous: ${describe(src)})`);
        }
        const k = l.kernel;
        const st = l.stride ?? k;
        const ho = Math.floor((v.shape[1] - k) / st) + 1;
        const wo = Math.floor((v.shape[2] - k) / st) + 1;
        if (ho <= 0 || wo <= 0) {
          fail(at(i), `output size ${ho}×${wo} is not positive (input ${showShape(v.shape)}, kernel ${k}, stride ${st})`);
        }
        const shape: Shape3 = [v.shape[0], ho, wo];
        const owner = v.owner !== undefined ? out[v.owner - 1] : undefined;
        if (!merged && owner && !owner.pool && dag.readers[src].length === 1) {
          // A pool on a conv that nothing else reads: the conv's own (the chain case).
          owner.pool = { type: l.type, kernel: k, stride: st, outShape: shape };
          owner.nextShape = shape;
          values[i] = { ...v, shape, leaves: [{ from: owner.index, elements: size(shape), into: 'gemm' }], values: l.type === 'avgpool' };
        } else {
          values[i] = { ...v, shape, owner: undefined, inputPoolElements: v.inputPoolElements + size(v.shape), values: v.values || l.type === 'avgpool' };
        }
        break;
      }
      case 'flatten':
        values[i] = { ...v, shape: [size(v.shape), 1, 1], flat: true };
        break;
      case 'add': {
        const bad = vals.findIndex((x) => showShape(x.shape) !== showShape(v.shape) || x.flat !== v.flat);
        if (bad >= 0) {
          const shapes = ins.map((j, k) => `${j === NETWORK_INPUT ? 'input' : layerLabel(s.layers, j)} ${showShape(vals[k].shape)}`).join(', ');
          fail(at(i, 'inputs'), `add needs inputs of one shape, got ${shapes}`);
        }
        const n = size(v.shape);
        if (l.mode === 'membrane') {
          const first = ins[0];
          const w = v.owner !== undefined && first !== NETWORK_INPUT && (s.layers[first].type === 'fc' || s.layers[first].type === 'conv') ? out[v.owner - 1] : undefined;
          if (!w) fail(at(i, 'inputs/0'), `a membrane add joins the current of its first input, which must be a conv or fc layer (got ${describe(first)})`);
          if (dag.readers[first].length > 1) fail(at(i, 'inputs/0'), `a membrane add changes the spikes of ${layerLabel(s.layers, first)}, so no other layer may read it (read by ${dag.readers[first].length})`);
          const others = vals.slice(1);
          for (const x of union(others)) w.inputs.push({ ...x, into: 'membrane' });
          w.mergeElements += sum(others, 'mergeElements') + (vals.length - 1) * n;
          w.inputPoolElements += sum(others, 'inputPoolElements');
          values[i] = v;
        } else {
          values[i] = { shape: v.shape, flat: v.flat, leaves: union(vals), mergeElements: sum(vals, 'mergeElements') + (vals.length - 1) * n, inputPoolElements: sum(vals, 'inputPoolElements'), values: true };
        }
        break;
      }
      case 'concat': {
        const flat = vals.every((x) => x.flat);
        const bad = vals.findIndex((x) => x.flat !== v.flat || (!flat && (x.shape[1] !== v.shape[1] || x.shape[2] !== v.shape[2])));
        if (bad >= 0) {
          const shapes = ins.map((j, k) => `${j === NETWORK_INPUT ? 'input' : layerLabel(s.layers, j)} ${showShape(vals[k].shape)}${vals[k].flat ? ' (flat)' : ''}`).join(', ');
          fail(at(i, 'inputs'), `concat needs inputs of one height and width (or all flat), got ${shapes}`);
        }
        const shape: Shape3 = flat ? [vals.reduce((t, x) => t + size(x.shape), 0), 1, 1] : [vals.reduce((t, x) => t + x.shape[0], 0), v.shape[1], v.shape[2]];
        values[i] = { shape, flat, leaves: union(vals), mergeElements: sum(vals, 'mergeElements'), inputPoolElements: sum(vals, 'inputPoolElements'), values: vals.some((x) => x.values) };
        break;
      }
    }
  }

  const lastIndex = dag.order[dag.order.length - 1];
  const last = s.layers[lastIndex];
  if (last.type !== 'fc') fail(at(lastIndex, 'type'), `the last layer must be the fc readout layer, got ${last.type}`);
  if (last.out !== s.classes) fail(at(lastIndex, 'out'), `the readout layer must have out = classes (${s.classes}), got ${last.out}`);
  for (const w of out) {
    w.spiking = w.index < out.length;
    for (const x of w.inputs) if (x.from > 0 && !out[x.from - 1].consumers.includes(w.index)) out[x.from - 1].consumers.push(w.index);
  }
  return out;
}

/** True when `w` reads exactly the weight layer before it (the first: the input), unmerged. */
export const readsPrevious = (w: WeightLayer): boolean =>
  w.inputs.length === 1 && w.inputs[0].from === w.index - 1 && w.inputs[0].into === 'gemm' && w.mergeElements === 0 && w.inputPoolElements === 0;

/** True when the network is a chain: every weight layer reads the one before it. */
export const isChain = (layers: readonly WeightLayer[]): boolean => layers.every(readsPrevious);
