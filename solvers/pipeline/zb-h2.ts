/**
 * ZB-H2 (Qi et al., "Zero Bubble (Almost) Pipeline Parallelism", ICLR'24, §2.2; ZB2P in
 * sail-sg/zero-bubble-pipeline-parallelism): split backward, 2(S − r) − 1 warm-up forwards on
 * rank r to fill the wait for the first I, the drain's W's reordered into a parallelogram. The
 * paper's (2p − 1)·M_B of activation; no bubble once m ≥ 2S − 1 with F = I = W (rank 0's warm-up
 * needs that many forwards) and a per-rank optimizer step (the paper's post-validation; here
 * U_c runs on its own rank, nothing synchronises the ranks). The orders are zero-bubble.ts's
 * with the memory limit 2S − 1.
 */
import { defineMethod } from './method';
import { runZeroBubble, ZB_OPTIONS } from './zero-bubble';

export const zbH2 = defineMethod({
  name: 'zb-h2',
  title: 'ZB-H2',
  description: "Zero Bubble ZB-H2: split backward, extra warm-up forwards and W's reordered at the tail, 2S − 1 micro-batches of activation, no bubble for m ≥ 2S − 1 when F = I = W",
  kind: 'baseline',
  options: ZB_OPTIONS,
  async run(ctx, options) {
    return runZeroBubble('zb-h2', ctx, options, (S) => 2 * S - 1);
  },
});
