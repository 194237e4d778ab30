/**
 * Memory traffic of the training tasks of a layer: the bytes each task moves between the
 * processor's on-chip memory (SRAM) and its compute units, at layer granularity. It is the
 * per-task part of the second reading of "total communication of training"
 * (lib/model/metrics/memory-traffic.ts); cycles are costed in tasks.ts and not touched here.
 *
 * GEMM tasks: the SRAM elements the task's dataflow reads and writes (dataflow/ws.ts, os.ts,
 * is.ts: valid elements only, partial sums written once per reduction fold and never read
 * back) times the bytes of one element of each operand (gemm.ts gives the shapes):
 *   task  A[M×K]   B[K×N]                    C[M×N]
 *   F     W        the layer's input spikes  input currents
 *   Ba2   Wᵀ       δI                        gradient for the layer below
 *   Bw    δI       the layer's input spikesᵀ ΔW
 * Spikes are bit-packed exactly where the edge-byte model packs them (bytes.ts `sentBytes`):
 * the B operand of F and of Bw is the tensor the layer receives, so it costs ceil(n/8) bytes for
 * n elements read with spikeEncoding 'bit' (n with 'byte'), and n·bytesPerValue when the input
 * is not binary (`inputEncoding: 'values'`: after an average pool, or a spike add's sum). The count n is SCALE-Sim's: the
 * operand matrix's elements (im2col's repeats included), summed over folds, then packed once.
 * Everything else — weights, δI, currents, gradients, partial sums — is n·bytesPerValue (the
 * hardware spec has one value width, so partial sums are not widened).
 *
 * Vector-unit tasks read their inputs once and write their outputs once. With s = T·B, nOut the
 * layer's output size before its pool and nNext after it; values unless said:
 *   F_l   IIR forward: read s·nOut currents; write s·nOut state (what F_l sends Ba1_l) and
 *         s·nOut spikes (bit-packed) — for the non-spiking readout (l = L,
 *         lib/app/trainer/neuron.ts) the B·classes logits instead of spikes.
 *         Pool forward, if the layer has one: read the s·nOut spikes, write s·nNext outputs
 *         (spikes after a max pool, values after an average pool, as `sentBytes`).
 *   Ba1_l Pool backward, if any: read s·nNext gradient, write s·nOut. IIR reverse: read the
 *         s·nOut gradient (B·classes ∂L/∂logits for l = L) and the s·nOut state, write s·nOut δI.
 *   U_l   SGD: read W and ΔW, write W: 2|W| read, |W| written. Adam also reads and writes its
 *         two moments (lib/app/trainer/optim.ts): 4|W| read, 3|W| written.
 *   Loss  read B·classes logits, write B·classes ∂L/∂logits.
 * Not counted: the neuron's membrane carried from one timestep to the next (kept in the vector
 * unit), max-pool routing masks, labels, the element-wise sums of merges (residual adds) and the
 * fan-in sum of gradients, and any DRAM traffic. O(1) per task.
 */
import type { HardwareSpec, ResolvedNetwork, WeightLayer } from '../spec/types';
import { nextSize, outputSize } from '../spec/network';
import { sentBytes, spikeBytes, valueBytes } from './bytes';
import { dataflowTraffic } from './dataflow';
import type { GemmChoice, GemmTask } from './gemm';

/** Bytes a task reads from and writes to on-chip memory. */
export interface MemoryTraffic {
  readBytes: number;
  writeBytes: number;
}

export const addTraffic = (a: MemoryTraffic, b: MemoryTraffic): MemoryTraffic => ({
  readBytes: a.readBytes + b.readBytes,
  writeBytes: a.writeBytes + b.writeBytes,
});

/**
 * SRAM bytes of GEMM `g` of `task` (its dataflow and shape as chosen), for layer `w` (whose
 * `inputEncoding` says whether its GEMM input is spikes or values).
 */
export function gemmTraffic(task: GemmTask, g: GemmChoice, w: WeightLayer, hw: HardwareSpec): MemoryTraffic {
  const e = dataflowTraffic(g.dataflow, g, hw.array);
  const readB = task === 'Ba2' || w.inputEncoding === 'values' ? valueBytes(e.readB, hw) : spikeBytes(e.readB, hw);
  return { readBytes: valueBytes(e.readA, hw) + readB, writeBytes: valueBytes(e.writeC, hw) };
}

/** Vector-unit bytes of F_l (IIR forward, pool forward) for T timesteps of batch B. */
export function forwardVectorTraffic(w: WeightLayer, net: ResolvedNetwork, T: number, B: number, hw: HardwareSpec): MemoryTraffic {
  const sOut = T * B * outputSize(w);
  const out = w.spiking ? spikeBytes(sOut, hw) : valueBytes(B * net.spec.classes, hw);
  const iir = { readBytes: valueBytes(sOut, hw), writeBytes: valueBytes(sOut, hw) + out };
  if (!w.pool) return iir;
  return addTraffic(iir, { readBytes: spikeBytes(sOut, hw), writeBytes: sentBytes(T * B * nextSize(w), w, hw) });
}

/** Vector-unit bytes of Ba1_l (pool backward, IIR reverse) for T timesteps of batch B. */
export function backwardVectorTraffic(w: WeightLayer, net: ResolvedNetwork, T: number, B: number, hw: HardwareSpec): MemoryTraffic {
  const sOut = T * B * outputSize(w);
  const gradOut = w.spiking ? valueBytes(sOut, hw) : valueBytes(B * net.spec.classes, hw);
  const iir = { readBytes: gradOut + valueBytes(sOut, hw), writeBytes: valueBytes(sOut, hw) };
  if (!w.pool) return iir;
  return addTraffic(iir, { readBytes: valueBytes(T * B * nextSize(w), hw), writeBytes: valueBytes(sOut, hw) });
}

/** Bytes of the optimizer step over the layer's |W| weights. */
export function updateTraffic(params: number, optimizer: 'sgd' | 'adam', hw: HardwareSpec): MemoryTraffic {
  const [read, write] = optimizer === 'adam' ? [4, 3] : [2, 1];
  return { readBytes: valueBytes(read * params, hw), writeBytes: valueBytes(write * params, hw) };
}

/** Bytes of the softmax cross-entropy over B·classes logits. */
export function lossTraffic(B: number, classes: number, hw: HardwareSpec): MemoryTraffic {
  const b = valueBytes(B * classes, hw);
  return { readBytes: b, writeBytes: b };
}

export interface LayerTaskTraffic {
  F: MemoryTraffic;
  Ba1: MemoryTraffic;
  /** null for layer 1 (no Ba2 task). */
  Ba2: MemoryTraffic | null;
  Bw: MemoryTraffic;
  U: MemoryTraffic;
}

/**
 * Memory traffic of the five tasks of weight layer `w` at layer granularity (T = the network's
 * timesteps), given the GEMMs tasks.ts chose for it.
 */
export function layerTaskTraffic(
  w: WeightLayer,
  net: ResolvedNetwork,
  hw: HardwareSpec,
  gemms: { F: GemmChoice; Ba2: GemmChoice | null; Bw: GemmChoice },
  B: number,
): LayerTaskTraffic {
  const T = net.spec.timesteps;
  return {
    F: addTraffic(gemmTraffic('F', gemms.F, w, hw), forwardVectorTraffic(w, net, T, B, hw)),
    Ba1: backwardVectorTraffic(w, net, T, B, hw),
    Ba2: gemms.Ba2 ? gemmTraffic('Ba2', gemms.Ba2, w, hw) : null,
    Bw: gemmTraffic('Bw', gemms.Bw, w, hw),
    U: updateTraffic(w.params, net.spec.optimizer ?? 'adam', hw),
  };
}
