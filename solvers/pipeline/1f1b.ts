/**
 * 1F1B with a flush every minibatch (PipeDream-Flush, Narayanan et al. 2021; DAPPLE, Fan et al.
 * 2021): synchronous, no staleness. Rank r of S runs min(S − r − 1, m) forwards to fill the
 * pipeline, then alternates one forward and one full backward (I then W) until its m forwards
 * are done, then the remaining backwards; each rank holds at most S − r micro-batches' activations
 * (S on rank 0) instead of GPipe's m. One chunk per rank (chunk s on rank s). With unit costs
 * F = B = W the idle share is (S − 1)/(m + S − 1) (Narayanan et al.); on our cost model every
 * task's cycles come from the chunk graph at B/m (sync-search.ts).
 */
import { defineOptions } from '../options';
import { defineMethod } from './method';
import { act, type Action } from './actions';
import { microBatchChoices } from './micro-batches';
import { searchSync, syncResult, type SyncShape } from './sync-search';

/** Each rank's 1F1B actions for S ranks and m micro-batches (one chunk per rank), with full backwards. */
export function oneFOneBOrders({ ranks: S, micro: m }: SyncShape): Action[][] {
  return Array.from({ length: S }, (_, r) => {
    const out: Action[] = [];
    let f = 0;
    let b = 0;
    const warmup = Math.min(S - r - 1, m);
    while (f < warmup) out.push(act(r, 'F', f++));
    while (f < m) {
      out.push(act(r, 'F', f++));
      out.push(act(r, 'B', b++));
    }
    while (b < m) out.push(act(r, 'B', b++));
    return out;
  });
}

export const oneFOneB = defineMethod({
  name: '1f1b',
  title: '1F1B',
  description: '1F1B with a flush (PipeDream-Flush / DAPPLE): one forward, one backward per step, synchronous, S micro-batches in flight at most',
  kind: 'baseline',
  options: defineOptions({
    microBatches: { type: 'integer', min: 1, description: 'micro-batches per minibatch (must divide the batch); default: the best of 1, 2, 4, …, 32 dividing it, every rank count tried' },
  }),
  async run(ctx, options) {
    const t0 = performance.now();
    const s = searchSync(ctx, '1f1b', { splitW: false, rankOf: (c) => c, orders: oneFOneBOrders }, microBatchChoices(ctx.net.spec.batch, options.microBatches));
    return syncResult('1f1b', ctx, s, t0);
  },
});
