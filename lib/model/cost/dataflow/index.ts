/** Registry of the dataflow cost modules, by name. */
import type { Dataflow } from '../../spec/types';
import type { ArrayDims, FoldCost, GemmShape } from './types';
import { wsCost } from './ws';
import { osCost } from './os';
import { isCost } from './is';

export type { ArrayDims, FoldCost, GemmShape } from './types';
export { wsCost, osCost, isCost };

export const DATAFLOWS: readonly Dataflow[] = ['ws', 'os', 'is'];

const byName: Record<Dataflow, (g: GemmShape, a: ArrayDims) => FoldCost> = { ws: wsCost, os: osCost, is: isCost };

/** Folds and cycles of GEMM `g` on array `a` with dataflow `df`. O(1). */
export function dataflowCost(df: Dataflow, g: GemmShape, a: ArrayDims): FoldCost {
  return byName[df](g, a);
}
