/**
 * DualPipeV (DeepSeek-AI, deepseek-ai/DualPipe dualpipe/dualpipev.py; DualPipe itself from the
 * DeepSeek-V3 technical report, arXiv 2412.19437; the V is Sea AI Lab's "cut-in-half" of
 * DualPipe): synchronous, a flush every minibatch, no staleness. 2S contiguous chunks in a V on
 * S ranks (chunk c < S on rank c, c ≥ S on rank 2S − 1 − c, v-shape.ts), backward split into I
 * (our Ba1 + Ba2) and W (our Bw) where the schedule asks for it, else run whole (B = I then W).
 *
 * Order: the eight steps of `DualPipeV.step` (dualpipev.py), as torch.distributed.pipelining's
 * `ScheduleDualPipeV._calculate_single_rank_operations` (pytorch,
 * torch/distributed/pipelining/schedules.py) writes them as actions. On rank r of S, with c0 = r,
 * c1 = 2S − 1 − r and a FIFO of pending W's (each I queues its W):
 *   1. 2(S − r − 1) × F(c0)
 *   2. (r + 1) × F(c0) F(c1)
 *   3. (S − r − 1) × I(c1) W(oldest pending) F(c1)                     (zero-bubble warm-up)
 *   4. (m − 2S + r + 1) × [F(c0)&B(c1)] [F(c1)&B(c0)]                  (main step)
 *   5. (S − r − 1) × B(c1) [F(c1)&B(c0)]
 *   6. (r + 1) × B(c1) B(c0), the second half of them split (I only; odd ranks switch before
 *      c1's, even ranks before c0's, at i = ⌊(r + 1)/2⌋)
 *   7. (S − r − 1) × W(oldest) I(c0)
 *   8. (r + 1) × W(oldest)
 * "[F&B]" is DualPipe's overlapped pair: on a GPU the two chunks' compute and all-to-all
 * communication overlap (`overlapped_forward_backward`). Our systolic-array processors run one
 * task at a time, so a pair runs back to back, forward first — the order DualPipeV gives — and
 * the overlap is lost: that is our model, not DualPipeV's, and it is why the bubble below is in
 * terms of F + B, not F&B. (The last rank's first main-step pair is not overlapped in the
 * source either; with back-to-back pairs that makes no difference here.)
 *
 * Constraint (both sources assert it): m ≥ 2S micro-batches (torch: n_microbatches ≥
 * num_stages; dualpipev.py: num_chunks ≥ 2·num_ranks); smaller m are declined with that reason,
 * as are 2S chunks exceeding the L layers (sync-search.ts never tries S > ⌊L/2⌋).
 *
 * Bubble: deepseek-ai/DualPipe's README gives (PP/2 − 1)(F&B + B − 3W) with PP = 2S stages, B
 * the whole backward, and PP + 1 chunk activations per rank. On unit chunks (F = I = W = 1,
 * B = 2, F&B = F + B = 3 when nothing overlaps) that is 2(S − 1) units, and it is what the order
 * gives when each pair is one block that starts once BOTH its inputs are there, as one overlapped
 * kernel does. Our pair is two tasks: the F starts as soon as its own input is there and the B
 * follows, which halves it: the period is 2m·(F + I + W) + (S − 1)·F, 12m + 2(S − 1) cycles with
 * F = 2 cycles; every rank holds 2S + 1 chunk activations at most (test/sync-v.test.ts checks
 * all three).
 */
import { defineOptions } from '../options';
import { defineMethod } from './method';
import { act, type Action, type ActionKind } from './actions';
import { microBatchChoices } from './micro-batches';
import { syncResult, type SyncShape } from './sync-search';
import { searchOrDecline, vNotes, vRank } from './v-shape';

/** Each rank's DualPipeV actions, or why the shape is declined (see the module comment). */
export function dualpipevOrders({ ranks: S, micro: m }: SyncShape): Action[][] | { skip: string } {
  if (m < 2 * S) return { skip: `DualPipeV needs m ≥ 2S = ${2 * S} micro-batches (dualpipev.py: num_chunks ≥ 2·num_ranks)` };
  return Array.from({ length: S }, (_, r) => {
    const c0 = r;
    const c1 = 2 * S - 1 - r;
    const out: Action[] = [];
    const next = new Map<string, number>();
    const pendingW: [number, number][] = [];
    const take = (stage: number, kind: 'F' | 'I'): number => {
      const j = next.get(`${stage}${kind}`) ?? 0;
      next.set(`${stage}${kind}`, j + 1);
      return j;
    };
    const put = (stage: number, kind: ActionKind) => {
      const j = take(stage, kind === 'F' ? 'F' : 'I');
      out.push(act(stage, kind, j));
      if (kind === 'I') pendingW.push([stage, j]);
    };
    const W = () => {
      const w = pendingW.shift();
      if (w) out.push(act(w[0], 'W', w[1]));
    };
    const pair = (f: number, b: number) => {
      put(f, 'F');
      put(b, 'B');
    };
    const back = S - r - 1;
    for (let i = 0; i < 2 * back; i++) put(c0, 'F');
    for (let i = 0; i < r + 1; i++) {
      put(c0, 'F');
      put(c1, 'F');
    }
    for (let i = 0; i < back; i++) {
      put(c1, 'I');
      W();
      put(c1, 'F');
    }
    for (let i = 0; i < m - 2 * S + r + 1; i++) {
      pair(c0, c1);
      pair(c1, c0);
    }
    for (let i = 0; i < back; i++) {
      put(c1, 'B');
      pair(c1, c0);
    }
    let split = false;
    const half = Math.floor((r + 1) / 2);
    for (let i = 0; i < r + 1; i++) {
      if (i === half && r % 2 === 1) split = true;
      put(c1, split ? 'I' : 'B');
      if (i === half && r % 2 === 0) split = true;
      put(c0, split ? 'I' : 'B');
    }
    for (let i = 0; i < back; i++) {
      W();
      put(c0, 'I');
    }
    for (let i = 0; i < r + 1; i++) W();
    const counts = [`${c0}F`, `${c1}F`, `${c0}I`, `${c1}I`].map((k) => next.get(k) ?? 0);
    if (pendingW.length > 0 || counts.some((x) => x !== m)) throw new Error(`dualpipev: rank ${r} of ${S}, m = ${m}: counts ${counts}, ${pendingW.length} W pending (bug)`);
    return out;
  });
}

export const dualpipeV = defineMethod({
  name: 'dualpipev',
  title: 'DualPipeV',
  description: "DeepSeek's DualPipeV: 2 chunks per rank in a V, overlapped F&B pairs run back to back, split backward in warm-up and cool-down, synchronous; needs m ≥ 2S",
  kind: 'baseline',
  options: defineOptions({
    microBatches: { type: 'integer', min: 1, description: 'micro-batches per minibatch (must divide the batch; shapes with m < 2S are declined); default: the best of 1, 2, 4, …, 32 dividing it, every rank count tried' },
  }),
  async run(ctx, options) {
    const t0 = performance.now();
    const s = searchOrDecline(ctx, 'dualpipev', { splitW: true, vChoices: [2], rankOf: vRank, orders: dualpipevOrders }, microBatchChoices(ctx.net.spec.batch, options.microBatches));
    return syncResult('dualpipev', ctx, s, t0, vNotes(ctx));
  },
});
