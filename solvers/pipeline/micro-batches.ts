/**
 * The micro-batch counts every micro-batched method (GPipe, 1F1B, interleaved 1F1B, Zero
 * Bubble, V shapes, 2BW, the synchronous optimum) tries: one list, so that no baseline searches
 * a smaller space than another. Each method keeps its fastest m (and says which in its row);
 * `--micro-batches` fixes it.
 */
import { fail } from '../../lib/model/errors';

/** Micro-batch counts tried by default (those dividing B). */
export const MICRO_BATCH_CANDIDATES = [1, 2, 4, 8, 16, 32] as const;

/** Micro-batch counts to try: the fixed one (checked against B), or the candidates dividing B. */
export function microBatchChoices(batch: number, fixed?: number): number[] {
  if (fixed !== undefined) {
    if (batch % fixed !== 0) fail('--micro-batches', `must be a positive integer dividing the batch ${batch}, got ${fixed}`);
    return [fixed];
  }
  return MICRO_BATCH_CANDIDATES.filter((m) => batch % m === 0);
}
