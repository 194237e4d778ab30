/**
 * Bytes carried by the edges of a training graph (lib/model/graph/training.ts), and the total
 * communication of one training iteration. `T` is the number of timesteps an edge carries:
 * the network's T at layer granularity, 1 for a per-timestep edge.
 *
 *   spikes              ceil(T·B·n/8) bit-packed, or T·B·n with byte encoding
 *   state, dI, grad     T·B·n·bytesPerValue
 *   weights, ΔW         |W|·bytesPerValue
 *   logits, ∂L/∂logits  B·classes·bytesPerValue
 */
import type { TaskGraph } from '../types';
import type { HardwareSpec, ResolvedNetwork, WeightLayer } from '../spec/types';
import { inputSize, nextSize, outputSize } from '../spec/network';

export function spikeBytes(count: number, hw: HardwareSpec): number {
  return hw.spikeEncoding === 'bit' ? Math.ceil(count / 8) : count;
}

export function valueBytes(count: number, hw: HardwareSpec): number {
  return count * hw.bytesPerValue;
}

/** Bytes of the tensors a weight layer's tasks exchange, for `T` timesteps of batch `B`. */
export interface LayerBytes {
  /** Spikes this layer receives (F_{l−1}→F_l and F_{l−1}→Bw_l): its input size. */
  spikesIn: number;
  /** Spikes this layer sends on (after its pool): F_l→F_{l+1}. */
  spikesOut: number;
  /** Membrane / surrogate state F_l→Ba1_l (pre-pool output size). */
  state: number;
  /** δI: Ba1_l→Ba2_l and Ba1_l→Bw_l (pre-pool output size). */
  dI: number;
  /** Gradient for the layer below: Ba2_l→Ba1_{l−1} (input size). */
  gradIn: number;
  /** Weights U_l→F_l, U_l→Ba2_l and the weight gradient Bw_l→U_l. */
  weights: number;
}

/**
 * Bytes of `count` elements of the tensor a layer receives from `layerBelow` (undefined: the
 * first layer, whose input is spikes). An average pool turns spikes into fractions, so what
 * follows it travels as values, not bits; a max pool keeps spikes binary (the shipped conv
 * networks use max pools for that). The memory-traffic model (memory.ts) prices the spike
 * operands of the GEMMs with it too.
 */
export function sentBytes(count: number, layerBelow: WeightLayer | undefined, hw: HardwareSpec): number {
  return layerBelow?.pool?.type === 'avgpool' ? valueBytes(count, hw) : spikeBytes(count, hw);
}

/** `below` is layer l−1 (undefined for the first layer), whose pool decides what l receives. */
export function layerBytes(w: WeightLayer, T: number, B: number, hw: HardwareSpec, below?: WeightLayer): LayerBytes {
  const tb = T * B;
  return {
    spikesIn: sentBytes(tb * inputSize(w), below, hw),
    spikesOut: sentBytes(tb * nextSize(w), w, hw),
    state: valueBytes(tb * outputSize(w), hw),
    dI: valueBytes(tb * outputSize(w), hw),
    gradIn: valueBytes(tb * inputSize(w), hw),
    weights: valueBytes(w.params, hw),
  };
}

/** Logits F_L→Loss, or the loss gradient Loss→Ba1_L. */
export function logitBytes(net: ResolvedNetwork, B: number, hw: HardwareSpec): number {
  return valueBytes(B * net.spec.classes, hw);
}

/** Σ |W|·bytesPerValue over all layers (stored in a training graph's meta.weightBytes). */
export function weightBytes(net: ResolvedNetwork, hw: HardwareSpec): number {
  return net.weightLayers.reduce((s, w) => s + valueBytes(w.params, hw), 0);
}

/**
 * Total communication of one training iteration, first reading (lib/model/metrics/
 * memory-traffic.ts adds each task's memory traffic for the second): the bytes of every edge
 * (delay 0 and loop edges alike, as if every task ran on its own processor) plus one read and
 * one write of every weight, 2·Σ|W|·bytesPerValue, taken from `meta.weightBytes` (0 for graphs
 * without it, e.g. STG). O(E).
 */
export function totalCommunication(g: TaskGraph): number {
  let s = 0;
  for (const e of g.edges) s += e.bytes;
  const wb = g.meta?.weightBytes;
  return s + 2 * (typeof wb === 'number' ? wb : 0);
}
