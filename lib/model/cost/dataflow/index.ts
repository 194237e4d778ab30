/** Registry of the dataflow cost modules, by name. */
import type { Dataflow } from '../../spec/types';
import type { ArrayDims, FoldCost, GemmShape, GemmTraffic } from './types';
import { wsCost, wsTraffic } from './ws';
import { osCost, osTraffic } from './os';
import { isCost, isTraffic } from './is';

export type { ArrayDims, FoldCost, GemmShape, GemmTraffic } from './types';
export { wsCost, osCost, isCost, wsTraffic, osTraffic, isTraffic };

export const DATAFLOWS: readonly Dataflow[] = ['ws', 'os', 'is'];

const byName: Record<Dataflow, (g: GemmShape, a: ArrayDims) => FoldCost> = { ws: wsCost, os: osCost, is: isCost };
const trafficByName: Record<Dataflow, (g: GemmShape, a: ArrayDims) => GemmTraffic> = { ws: wsTraffic, os: osTraffic, is: isTraffic };

/** Folds and cycles of GEMM `g` on array `a` with dataflow `df`. O(1). */
export function dataflowCost(df: Dataflow, g: GemmShape, a: ArrayDims): FoldCost {
  return byName[df](g, a);
}

/** SRAM elements GEMM `g` reads and writes on array `a` with dataflow `df`. O(1). */
export function dataflowTraffic(df: Dataflow, g: GemmShape, a: ArrayDims): GemmTraffic {
  return trafficByName[df](g, a);
}
