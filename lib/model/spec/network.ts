/**
 * NetworkSpec → ResolvedNetwork: schema check, defaults, and shape inference over the layer DAG
 * (infer.ts). Every error names the file and the JSON path.
 */
import { existsSync } from 'node:fs';
import type { LayerSpec, NetworkSpec, NeuronSpec, ResolvedNetwork, Shape3, WeightLayer } from './types';
import { CONV_DEFAULTS, inferLayers } from './infer';
import networkSchema from './schemas/network.schema.json';
import { checkSchema } from './validate';
import { readJsonFile } from '../io/json';
import { fail } from '../errors';
import { shippedFile } from './paths';

/** Defaults (same values as the schema's `default` fields; a test keeps them in step). */
export const NEURON_DEFAULTS: Readonly<NeuronSpec> = Object.freeze({ alpha: 0.9, beta: 1, theta: 1, reset: 'soft' });
export const NETWORK_DEFAULTS = Object.freeze({ readout: 'integrator' as const, optimizer: 'adam' as const });
export { CONV_DEFAULTS, inferLayers };

/** Ids of the networks shipped in networks/ (loadable by id). */
export const SHIPPED_NETWORKS = ['mnist-fc', 'fmnist-conv', 'cifar10-vgg', 'cifar100-vgg', 'resnet18-snn', 'tiny-fc', 'tiny-res'] as const;

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
      case 'add':
        return { ...l, inputs: [...l.inputs], mode: l.mode ?? 'spike' };
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
