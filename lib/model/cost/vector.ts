/**
 * Elementwise work on the V-lane vector unit (README, The model: cost model). All O(1).
 * `n` counts elements of one sample at one timestep.
 */
import type { HardwareSpec } from '../spec/types';

/** IIR neuron forward (F) or reverse (Ba1): T · ceil(B·n/V) · iirCyclesPerElement. */
export function iirCycles(T: number, B: number, n: number, hw: HardwareSpec): number {
  return T * Math.ceil((B * n) / hw.vectorLanes) * hw.iirCyclesPerElement;
}

/** Optimizer step over |W| weights: ceil(|W|/V) · c (c by optimizer). */
export function updateCycles(params: number, optimizer: 'sgd' | 'adam', hw: HardwareSpec): number {
  return Math.ceil(params / hw.vectorLanes) * hw.updateCyclesPerWeight[optimizer];
}

/** Softmax cross-entropy and its gradient: ceil(B·classes/V) · lossCyclesPerElement. */
export function lossCycles(B: number, classes: number, hw: HardwareSpec): number {
  return Math.ceil((B * classes) / hw.vectorLanes) * hw.lossCyclesPerElement;
}

/** Pooling forward or backward: ceil(T·B·elems/V), `elems` = the pool's INPUT size per sample. */
export function poolCycles(T: number, B: number, elems: number, hw: HardwareSpec): number {
  return Math.ceil((T * B * elems) / hw.vectorLanes);
}
