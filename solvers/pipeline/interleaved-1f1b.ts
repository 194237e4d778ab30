/**
 * Interleaved 1F1B (Megatron-LM's virtual pipeline stages, Narayanan et al., SC'21, arXiv
 * 2104.04473): each of S ranks holds v chunks, chunk c on rank c mod S, whole backwards, a flush
 * every minibatch. The order is torch.distributed.pipelining's `ScheduleInterleaved1F1B`
 * (`_calculate_single_rank_operations`, `_get_warmup_ops`, `_get_1f1b_rank_ops`), which is
 * Megatron's (`megatron/core/pipeline_parallel/schedules.py`, warm-up 2(S − r − 1) + (v − 1)·S
 * when S divides m) relaxed to any m with rounds = max(1, ⌊m/S⌋) dividing m:
 *
 * - micro-batches go through the local chunks in groups of G = m / rounds (G = S under
 *   Megatron's condition): forward step k on rank r runs chunk ((⌊k/G⌋ mod v)·S + r), backward
 *   step k the chunks in reverse, (v − 1 − (⌊(k − warm-up)/G⌋ mod v))·S + r, each chunk's
 *   micro-batches in order;
 * - warm-up min((v − 1)·G + 2(S − 1 − r), m·v) forwards, then one forward and one backward per
 *   step until the m·v forwards are done, then the remaining backwards.
 *
 * With unit costs and m ≥ S the idle time is (1/v)·(S − 1)/m of the ideal (Narayanan et al.): the
 * fill and drain cost S − 1 chunk-steps, each 1/v of a rank's stage; with m < S a micro-batch's
 * round trip through all S·v chunks sets the pace. The shapes torch refuses (rounds not dividing
 * m) are declined with that reason; every other shape up to 8 ranks was checked deadlock-free and
 * valid (test/interleaved-1f1b.test.ts).
 */
import { defineOptions } from '../options';
import { defineMethod } from './method';
import { act, type Action } from './actions';
import { microBatchChoices } from './micro-batches';
import { searchSync, syncResult, type SyncShape } from './sync-search';

/** Chunks per rank tried when the option does not fix it. */
export const INTERLEAVED_V = [2, 3, 4] as const;

/** Each rank's interleaved-1F1B actions (chunk c on rank c mod S), or the reason torch refuses the shape. */
export function interleavedOrders({ ranks: S, v, micro: m }: SyncShape): Action[][] | { skip: string } {
  const rounds = Math.max(1, Math.floor(m / S));
  if (m % rounds !== 0) return { skip: `interleaving needs the ${rounds} rounds of ⌊m/S⌋ to divide m = ${m} (torch ScheduleInterleaved1F1B)` };
  const G = m / rounds;
  return Array.from({ length: S }, (_, r) => {
    const total = m * v;
    const warmup = Math.min((v - 1) * G + 2 * (S - 1 - r), total);
    const fStage = (k: number) => (Math.floor(k / G) % v) * S + r;
    const bStage = (k: number) => (v - 1 - (Math.floor((k - warmup) / G) % v)) * S + r;
    const fNext = new Array<number>(v * S).fill(0);
    const bNext = new Array<number>(v * S).fill(0);
    const out: Action[] = [];
    const forward = (k: number) => {
      const c = fStage(k);
      out.push(act(c, 'F', fNext[c]++));
    };
    const backward = (k: number) => {
      const c = bStage(k);
      out.push(act(c, 'B', bNext[c]++));
    };
    for (let k = 0; k < warmup; k++) forward(k);
    for (let k = warmup; k < total; k++) {
      forward(k);
      backward(k);
    }
    for (let k = total; k < total + warmup; k++) backward(k);
    return out;
  });
}

export const interleaved1F1B = defineMethod({
  name: 'interleaved-1f1b',
  title: 'Interleaved1F1B',
  description: 'interleaved 1F1B (Megatron virtual stages): v chunks per rank round-robin, 1F1B over the chunk sequence, flush every minibatch',
  kind: 'baseline',
  options: defineOptions({
    microBatches: { type: 'integer', min: 1, description: 'micro-batches per minibatch (must divide the batch); default: the best of 1, 2, 4, …, 32 dividing it, every rank count tried' },
    chunksPerRank: { type: 'integer', min: 2, description: 'chunks per rank v (chunk c on rank c mod S); default: the best of 2, 3, 4' },
  }),
  async run(ctx, options) {
    const t0 = performance.now();
    const rules = { splitW: false, vChoices: options.chunksPerRank !== undefined ? [options.chunksPerRank] : INTERLEAVED_V, rankOf: (c: number, s: SyncShape) => c % s.ranks, orders: interleavedOrders };
    const s = searchSync(ctx, 'interleaved-1f1b', rules, microBatchChoices(ctx.net.spec.batch, options.microBatches));
    return syncResult('interleaved-1f1b', ctx, s, t0);
  },
});
