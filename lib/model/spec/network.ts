/**
 * NetworkSpec → ResolvedNetwork: schema check, defaults, and shape inference.
 *
 * Shapes are [C, H, W]. conv: Ho = floor((H + 2p − k)/s) + 1 (padding "same" = (k−1)/2,
 * odd k only); pool: Ho = floor((H − k)/s) + 1, stride defaulting to the kernel; fc
 * flattens its input implicitly (an explicit `in` must equal C·H·W). A pool must directly
 * follow a conv and is folded into that conv's WeightLayer (README, The model: pools add their cost
 * to the neighbouring conv's tasks). The last layer must be the fc readout with
 * out = classes. Every error names the file and the JSON path. O(number of layers).
 */
import { existsSync } from 'node:fs';
import type { LayerSpec, NetworkSpec, NeuronSpec, ResolvedNetwork, Shape3, WeightLayer } from './types';
import networkSchema from './schemas/network.schema.json';
import { checkSchema } from './validate';
import { readJsonFile } from '../io/json';
import { fail } from '../errors';
import { shippedFile } from './paths';

/** Defaults (same values as the schema's `default` fields; a test keeps them in step). */
export const NEURON_DEFAULTS: Readonly<NeuronSpec> = Object.freeze({ alpha: 0.9, beta: 1, theta: 1, reset: 'soft' });
export const NETWORK_DEFAULTS = Object.freeze({ readout: 'integrator' as const, optimizer: 'adam' as const });
export const CONV_DEFAULTS = Object.freeze({ stride: 1, padding: 0 });

/** Ids of the networks shipped in networks/ (loadable by id). */
export const SHIPPED_NETWORKS = ['mnist-fc', 'fmnist-conv', 'cifar10-vgg', 'cifar100-vgg', 'tiny-fc'] as const;

/** Schema-check a spec and return a copy with every default filled in (the input is not mutated). */
export function normalizeNetworkSpec(spec: unknown, where: string): NetworkSpec {
  const s = checkSchema<NetworkSpec>(networkSchema, spec, where);
  const layers: LayerSpec[] = s.layers.map((l) => {
    switch (l.type) {
      case 'conv':
        return { ...l, stride: l.stride ?? CONV_DEFAULTS.stride, padding: l.padding ?? CONV_DEFAULTS.padding };
      case 'avgpool':
      case 'maxpool':
        return { ...l, stride: l.stride ?? l.kernel };
      default:
        return { ...l };
    }
  });
  return {
    name: s.name,
    ...(s.dataset !== undefined ? { dataset: s.dataset } : {}),
    input: [...s.input] as Shape3,
    timesteps: s.timesteps,
    batch: s.batch,
    classes: s.classes,
    neuron: { ...NEURON_DEFAULTS, ...s.neuron },
    readout: s.readout ?? NETWORK_DEFAULTS.readout,
    layers,
    optimizer: s.optimizer ?? NETWORK_DEFAULTS.optimizer,
  };
}

/** Check, fill defaults and infer every layer's shape. `where` (the file) prefixes each error. */
export function resolveNetwork(spec: unknown, where: string): ResolvedNetwork {
  const s = normalizeNetworkSpec(spec, where);
  return { spec: s, weightLayers: inferLayers(s, where), file: where };
}

const size = (s: Shape3): number => s[0] * s[1] * s[2];
const showShape = (s: Shape3): string => `${s[0]}×${s[1]}×${s[2]}`;

/** Shape inference over a normalized spec (defaults filled). */
export function inferLayers(s: NetworkSpec, where: string): WeightLayer[] {
  const at = (i: number, key?: string) => `${where}: /layers/${i}${key ? `/${key}` : ''}`;
  const out: WeightLayer[] = [];
  let cur: Shape3 = [...s.input] as Shape3;
  /** True once an fc or flatten has made the activations a vector. */
  let flat = false;
  const { batch: B, timesteps: T } = s;

  s.layers.forEach((l, i) => {
    const prev = i > 0 ? s.layers[i - 1] : undefined;
    switch (l.type) {
      case 'fc': {
        const n = size(cur);
        if (l.in !== undefined && l.in !== n) {
          const how = cur[1] === 1 && cur[2] === 1 ? `${n}` : `${n} (${showShape(cur)} flattened)`;
          fail(at(i, 'in'), `expected ${how}, got ${l.in}`);
        }
        const outShape: Shape3 = [l.out, 1, 1];
        out.push(weightLayer(out.length + 1, 'fc', i, cur, outShape, 1, 1, 0, n * l.out));
        cur = outShape;
        flat = true;
        break;
      }
      case 'conv': {
        if (flat) fail(at(i, 'type'), 'conv cannot follow a flattened (fc or flatten) layer');
        const k = l.kernel;
        const st = l.stride ?? CONV_DEFAULTS.stride;
        let p: number;
        if (l.padding === 'same') {
          if (k % 2 === 0) fail(at(i, 'padding'), `"same" needs an odd kernel, got kernel ${k}`);
          p = (k - 1) / 2;
        } else p = l.padding ?? CONV_DEFAULTS.padding;
        const ho = Math.floor((cur[1] + 2 * p - k) / st) + 1;
        const wo = Math.floor((cur[2] + 2 * p - k) / st) + 1;
        if (ho <= 0 || wo <= 0) {
          fail(at(i), `output size ${ho}×${wo} is not positive (input ${showShape(cur)}, kernel ${k}, stride ${st}, padding ${p})`);
        }
        const outShape: Shape3 = [l.out, ho, wo];
        out.push(weightLayer(out.length + 1, 'conv', i, cur, outShape, k, st, p, l.out * cur[0] * k * k));
        cur = outShape;
        break;
      }
      case 'avgpool':
      case 'maxpool': {
        if (prev?.type !== 'conv') {
          fail(at(i, 'type'), `${l.type} must directly follow a conv layer (previous: ${prev ? prev.type : 'the input'})`);
        }
        const k = l.kernel;
        const st = l.stride ?? k;
        const ho = Math.floor((cur[1] - k) / st) + 1;
        const wo = Math.floor((cur[2] - k) / st) + 1;
        if (ho <= 0 || wo <= 0) {
          fail(at(i), `output size ${ho}×${wo} is not positive (input ${showShape(cur)}, kernel ${k}, stride ${st})`);
        }
        const owner = out[out.length - 1];
        const outShape: Shape3 = [cur[0], ho, wo];
        owner.pool = { type: l.type, kernel: k, stride: st, outShape };
        owner.nextShape = outShape;
        cur = outShape;
        break;
      }
      case 'flatten':
        cur = [size(cur), 1, 1];
        flat = true;
        break;
    }
    const w = out[out.length - 1];
    if (w && w.specIndex === i) {
      for (const v of [w.params, T * B * size(w.outShape), T * B * size(w.inShape) * w.kernel * w.kernel]) {
        if (!Number.isSafeInteger(v)) fail(at(i), `sizes too large to count exactly (${v})`);
      }
    }
  });

  const lastIndex = s.layers.length - 1;
  const last = s.layers[lastIndex];
  if (last.type !== 'fc') fail(at(lastIndex, 'type'), `the last layer must be the fc readout layer, got ${last.type}`);
  if (last.out !== s.classes) fail(at(lastIndex, 'out'), `the readout layer must have out = classes (${s.classes}), got ${last.out}`);
  out.forEach((w, j) => (w.spiking = j < out.length - 1));
  return out;
}

function weightLayer(
  index: number,
  type: 'fc' | 'conv',
  specIndex: number,
  inShape: Shape3,
  outShape: Shape3,
  kernel: number,
  stride: number,
  padding: number,
  params: number,
): WeightLayer {
  return { index, type, specIndex, inShape, outShape, kernel, stride, padding, params, nextShape: outShape, spiking: true };
}

/** A shipped network id (`mnist-fc`), or null if `arg` does not look like one. */
function shippedNetworkPath(arg: string): string | null {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(arg)) return null;
  const p = shippedFile('networks', `${arg}.json`);
  return existsSync(p) ? p : null;
}

/**
 * Load a network from a path, or a shipped id (`mnist-fc` → <package>/networks/mnist-fc.json).
 * An existing path wins over an id. Errors name the path as given (or networks/<id>.json).
 */
export function loadNetwork(pathOrId: string): ResolvedNetwork {
  if (!existsSync(pathOrId)) {
    const shipped = shippedNetworkPath(pathOrId);
    if (shipped) return resolveNetwork(readJsonFile(shipped), `networks/${pathOrId}.json`);
    if (!/[/\\]|\.json$/i.test(pathOrId)) {
      fail(pathOrId, `no such file or shipped network (shipped: ${SHIPPED_NETWORKS.join(', ')})`);
    }
  }
  return resolveNetwork(readJsonFile(pathOrId), pathOrId);
}

/** Number of input elements of weight layer `w` (fc: Nin; conv: Cin·Hi·Wi). */
export function inputSize(w: WeightLayer): number {
  return size(w.inShape);
}
/** Number of output elements of the GEMM of `w` before any pool. */
export function outputSize(w: WeightLayer): number {
  return size(w.outShape);
}
/** Number of elements passed on to the next layer (after the pool, if any). */
export function nextSize(w: WeightLayer): number {
  return size(w.nextShape);
}
