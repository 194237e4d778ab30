/**
 * ZB-V (Qi, Wan, Huang, Lin: "Zero Bubble Pipeline Parallelism", ICLR'24, arXiv 2401.10241,
 * Section 6): synchronous, a flush every minibatch, no staleness. The layers are cut into 2S
 * contiguous chunks placed in a V on S ranks — chunk c < S on rank c, chunk c ≥ S on rank
 * 2S − 1 − c — so rank 0 holds the first and the last chunk and the bend (chunks S − 1, S) sits
 * on rank S − 1, where the forward turns round without a transfer. The backward is split into I
 * (our Ba1 + Ba2: the gradient for the previous chunk) and W (our Bw), and the W's fill what
 * would be bubbles.
 *
 * Order: torch.distributed.pipelining's `ScheduleZBVZeroBubble._calculate_single_rank_operations`
 * (pytorch, torch/distributed/pipelining/schedules.py), torch's closed form of the paper's
 * Section 6 schedule, with n = max(2S − 1, m) micro-batches and the actions of micro-batches
 * ≥ m dropped afterwards, as torch does. On rank r (chunks c0 = r, c1 = 2S − 1 − r):
 *   warm-up 2(S − r) − 1 forwards of c0; r times F(c1) F(c0); S − r times F(c1) I(c1) W(c1);
 *   steady state F(c0) I(c0) W(c0) F(c1) I(c1) W(c1) until every forward is done;
 *   cool-down r times I(c0) I(c1); S − r times I(c0) W(c0); the W's left, c1's first.
 * The paper's zero bubble holds when T_F = T_I = T_W (torch says so in its docstring; the
 * sail-sg/zero-bubble-pipeline-parallelism runtime, scheduler/zbv.py, uses a cost-aware greedy
 * instead, which we do not reproduce): with every chunk costing F = I = W the period is
 * 2m·(F + I + W) for m ≥ 2S − 1, and each micro-batch short of 2S − 1 adds 2F (the padded
 * order's idle; test/sync-v.test.ts). Each rank holds at most 2·min(S, m) chunk activations (F
 * done, W not yet), i.e. min(S, m) micro-batches of a two-chunk stage: 1F1B's rank 0.
 * On our cost model chunks are contiguous layer ranges balanced on F + Ba1 + Ba2 + Bw at B/m
 * (sync-search.ts), so S ≤ ⌊L/2⌋ and the costs are far from equal: the ASAP timing of the order
 * (actions.ts) is what is measured.
 */
import { defineOptions } from '../options';
import { defineMethod } from './method';
import { act, type Action, type ActionKind } from './actions';
import { microBatchChoices } from './micro-batches';
import { syncResult, type SyncShape } from './sync-search';
import { searchOrDecline, vNotes, vRank } from './v-shape';

/** Each rank's ZB-V actions (see the module comment). Throws on a count mismatch (a bug). */
export function zbvOrders({ ranks: S, micro: m }: SyncShape): Action[][] {
  const n = Math.max(2 * S - 1, m);
  return Array.from({ length: S }, (_, r) => {
    const c0 = r;
    const c1 = 2 * S - 1 - r;
    const out: Action[] = [];
    const put = (stage: number, kind: ActionKind, micro: number) => out.push(act(stage, kind, micro));
    let [f0, f1, b0, b1] = [0, 0, 0, 0];
    for (let i = 0; i < 2 * (S - r) - 1; i++) put(c0, 'F', f0++);
    for (let i = 0; i < r; i++) {
      put(c1, 'F', f1++);
      put(c0, 'F', f0++);
    }
    for (let i = 0; i < S - r; i++) {
      put(c1, 'F', f1++);
      put(c1, 'I', b1);
      put(c1, 'W', b1++);
    }
    while (f1 < f0 || f0 < n) {
      if (f0 < n) put(c0, 'F', f0++);
      put(c0, 'I', b0);
      put(c0, 'W', b0++);
      put(c1, 'F', f1++);
      put(c1, 'I', b1);
      put(c1, 'W', b1++);
    }
    let [w0, w1] = [b0, b1];
    for (let i = 0; i < r; i++) {
      put(c0, 'I', b0++);
      put(c1, 'I', b1++);
    }
    for (let i = 0; i < S - r; i++) {
      put(c0, 'I', b0++);
      put(c0, 'W', w0++);
    }
    while (w1 < b1) put(c1, 'W', w1++);
    while (w0 < b0) put(c0, 'W', w0++);
    if (![f0, f1, b0, b1, w0, w1].every((x) => x === n)) throw new Error(`zb-v: rank ${r} of ${S}, n = ${n}: counts ${[f0, f1, b0, b1, w0, w1]} (bug)`);
    return out.filter((a) => a.micro < m);
  });
}

export const zbV = defineMethod({
  name: 'zb-v',
  title: 'ZB-V',
  description: 'Zero Bubble V (Qi et al. 2024): 2 chunks per rank in a V, backward split into I and W, synchronous; zero bubble when F = I = W',
  kind: 'baseline',
  options: defineOptions({
    microBatches: { type: 'integer', min: 1, description: 'micro-batches per minibatch (must divide the batch); default: the best of 1, 2, 4, …, 32 dividing it, every rank count tried' },
  }),
  async run(ctx, options) {
    const t0 = performance.now();
    const s = searchOrDecline(ctx, 'zb-v', { splitW: true, vChoices: [2], rankOf: vRank, orders: zbvOrders }, microBatchChoices(ctx.net.spec.batch, options.microBatches));
    return syncResult('zb-v', ctx, s, t0, vNotes(ctx));
  },
});
