/**
 * What the V-shaped synchronous pipelines share (ZB-V, zb-v.ts; DualPipeV, dualpipev.ts): the V
 * placement of 2S chunks on S ranks, and how a method reports a cell none of its shapes fits.
 */
import { InputError } from '../../lib/model/errors';
import { searchSync, type SyncRules, type SyncSearch, type SyncShape } from './sync-search';
import type { PipelineContext } from './method';
import { minOf } from '../../lib/model/extrema';

/**
 * Rank of chunk c among 2S chunks on S ranks in a V (torch.distributed.pipelining's
 * `generate_stage_to_rank_mapping(..., style="v")`, DeepSeek's DualPipeV module pair): chunk
 * c < S on rank c, chunk c ≥ S on rank 2S − 1 − c. Rank 0 holds the first and the last chunk.
 */
export function vRank(c: number, { ranks: S }: SyncShape): number {
  return c < S ? c : 2 * S - 1 - c;
}

/**
 * `searchSync`, except that a cell where the method declines every shape (say DualPipeV asked
 * for m = 1, or a network of one layer) throws a plain Error naming the reasons instead of
 * searchSync's InputError: the cell's input is fine, the method just cannot run there, so
 * `compare` records a failed row with that note and goes on with the table instead of
 * aborting it. A fixed micro-batch count that does not divide the batch stays an InputError
 * (checked by microBatchChoices before this is called).
 */
export function searchOrDecline(ctx: PipelineContext, method: string, rules: SyncRules, microChoices: readonly number[]): SyncSearch {
  const L = ctx.net.weightLayers.length;
  const v = minOf(rules.vChoices ?? [1]);
  if (L < v) throw new Error(`${method} cuts the layers into ${v} chunks per rank: ${ctx.net.spec.name} has ${L} layer(s); ${method} does not run on this cell`);
  try {
    return searchSync(ctx, method, rules, microChoices);
  } catch (err) {
    if (err instanceof InputError && err.where === method && err.message.startsWith(`${method}: no shape of`)) {
      throw new Error(`${err.message.slice(method.length + 2)}: ${method} does not run on this cell`);
    }
    throw err;
  }
}

/** The note a V method's row carries when the layers, not the processors, cap its rank count. */
export function vNotes(ctx: PipelineContext): string[] {
  const L = ctx.net.weightLayers.length;
  const most = Math.floor(L / 2);
  return most < ctx.procs ? [`a V of 2S chunks needs 2S ≤ L = ${L} layers: at most ${most} of the ${ctx.procs} processors`] : [];
}
