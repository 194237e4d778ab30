/** Unit-cost chunk graphs and counts shared by the synchronous-pipeline tests (sync-pipelines, sync-v). */
import type { Machine } from '../lib/model/types';
import { chunkStageGraph } from '../lib/model/graph/chunks';
import type { Action } from '../solvers/pipeline/actions';
import { vRank } from '../solvers/pipeline/v-shape';
import { spikepipeGraph, type LayerCost } from './stage-graph-helpers';

export interface UnitChunkOptions {
  /** Chunks per rank: 1 (chunk c on rank c) or 2 (2S chunks in a V, v-shape.ts). Default 1. */
  chunksPerRank?: 1 | 2;
  /** Bytes of every weight, membrane-state, δI and weight-gradient tensor (they never cross ranks here). Default 0. */
  localBytes?: number;
}

/**
 * S ranks of one-layer chunks with F = B = W = 1 unit (F 2 cycles, Ba1 + Ba2 = 2, Bw = 2), U = 0,
 * no bytes between chunks (so no transfers); S chunks, or 2S in a V with `chunksPerRank: 2`.
 */
export function unitChunks(S: number, m: number, splitW: boolean, unit = 2, opts: UnitChunkOptions = {}) {
  const v = opts.chunksPerRank ?? 1;
  const C = v * S;
  const costs: LayerCost[] = Array.from({ length: C }, (_, l) => ({ F: unit, Ba1: l === 0 ? unit : unit / 2, Ba2: unit / 2, Bw: unit, U: 0 }));
  const g = spikepipeGraph(costs, { spikes: 0, grad: 0, local: opts.localBytes ?? 0 });
  const chunks = Array.from({ length: C }, (_, s) => ({ first: s, last: s, replicas: 1 }));
  const rankOf = chunks.map((_, c) => (v === 2 ? vRank(c, { ranks: S, v, micro: m }) : c));
  const machine: Machine = { procs: S, bandwidth: 1, latency: 0 };
  return { cg: chunkStageGraph(g, chunks, m, rankOf, splitW), rankOf, machine };
}

/**
 * Peak number of (chunk, micro-batch) activations each rank holds, read off its action order: a
 * forward adds one, its W (or whole B) removes it. Ranks run their actions one at a time in
 * order, so this is also the peak over time.
 */
export function inFlight(orders: readonly (readonly Action[])[]): number[] {
  return orders.map((list) => {
    const live = new Set<string>();
    let peak = 0;
    for (const a of list) {
      if (a.kind === 'F') live.add(`${a.stage}/${a.micro}`);
      else if (a.kind === 'W' || a.kind === 'B') live.delete(`${a.stage}/${a.micro}`);
      peak = Math.max(peak, live.size);
    }
    return peak;
  });
}
