/**
 * ZB-H1 (Qi et al., "Zero Bubble (Almost) Pipeline Parallelism", ICLR'24, §2.1; torch's
 * `ScheduleInterleavedZeroBubble` with one stage per rank, ZB1P in sail-sg/zero-bubble-pipeline-
 * parallelism): 1F1B with the backward split into I and W, rank r deferring its first r W's into
 * the drain's idle slots. 1F1B's peak activation memory (S micro-batches, now on every rank),
 * a third of 1F1B's bubble when F = I = W: (S − 1)·(F + I − W). The orders are zero-bubble.ts's
 * with the memory limit S.
 */
import { defineMethod } from './method';
import { runZeroBubble, ZB_OPTIONS } from './zero-bubble';

export const zbH1 = defineMethod({
  name: 'zb-h1',
  title: 'ZB-H1',
  description: "Zero Bubble ZB-H1: 1F1B with split backward (I, W), W's deferred into the bubbles, 1F1B's peak memory (S micro-batches), flush every minibatch",
  kind: 'baseline',
  options: ZB_OPTIONS,
  async run(ctx, options) {
    return runZeroBubble('zb-h1', ctx, options, (S) => S);
  },
});
