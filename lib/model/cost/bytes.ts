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
import { nextSize, outputSize } from '../spec/network';

export function spikeBytes(count: number, hw: HardwareSpec): number {
  return hw.spikeEncoding === 'bit' ? Math.ceil(count / 8) : count;
}

export function valueBytes(count: number, hw: HardwareSpec): number {
  return count * hw.bytesPerValue;
}

/** Bytes of the tensors a weight layer's tasks exchange, for `T` timesteps of batch `B`. */
export interface LayerBytes {
  /** Spikes (or values) this layer receives into its GEMM, all inputs together (F→F_l, F→Bw_l). */
  spikesIn: number;
  /** Spikes this layer sends on (after its pool), to each reader: F_l→F_reader. */
  spikesOut: number;
  /** Membrane / surrogate state F_l→Ba1_l (pre-pool output size). */
  state: number;
  /** δI: Ba1_l→Ba2_l and Ba1_l→Bw_l (pre-pool output size); also Ba1_l→Ba1_j per membrane input j. */
  dI: number;
  /** Gradient for the layers below, all GEMM inputs together (input size). */
  gradIn: number;
  /** Weights U_l→F_l, U_l→Ba2_l and the weight gradient Bw_l→U_l. */
  weights: number;
  /** Per input, in `w.inputs` order: the bytes that input sends in (spikes) and gets back (grad). */
  perInput: { from: number; into: 'gemm' | 'membrane'; spikes: number; grad: number }[];
}

/**
 * Bytes of `count` elements of the tensor weight layer `producer` sends (undefined: the network
 * input, which is spikes). An average pool turns spikes into fractions, so what follows it travels
 * as values, not bits; a max pool keeps spikes binary (the shipped conv networks use max pools for
 * that). Merges are summed where they are read (spec/infer.ts), so every edge carries one
 * producer's own tensor.
 */
export function sentBytes(count: number, producer: WeightLayer | undefined, hw: HardwareSpec): number {
  return producer?.pool?.type === 'avgpool' ? valueBytes(count, hw) : spikeBytes(count, hw);
}

/** `net` gives the producers of `w`'s inputs, whose pools decide what `w` receives. */
export function layerBytes(w: WeightLayer, T: number, B: number, hw: HardwareSpec, net: ResolvedNetwork): LayerBytes {
  const tb = T * B;
  const perInput = w.inputs.map((x) => ({
    from: x.from,
    into: x.into,
    spikes: sentBytes(tb * x.elements, x.from > 0 ? net.weightLayers[x.from - 1] : undefined, hw),
    grad: valueBytes(tb * x.elements, hw),
  }));
  const gemmIn = perInput.filter((x) => x.into === 'gemm');
  return {
    spikesIn: gemmIn.reduce((s, x) => s + x.spikes, 0),
    spikesOut: sentBytes(tb * nextSize(w), w, hw),
    state: valueBytes(tb * outputSize(w), hw),
    dI: valueBytes(tb * outputSize(w), hw),
    gradIn: gemmIn.reduce((s, x) => s + x.grad, 0),
    weights: valueBytes(w.params, hw),
    perInput,
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
