/**
 * Min-max partition of a sequence into contiguous blocks: the one exact DP behind GPipe's stage
 * balance (`minMaxPartition`), PipeDream's straight planner (`planPipeDream`, a block's cost
 * includes the transfer into it) and the fine-grained pipeline candidate of the assignment solver
 * (`contiguousAssignment`, blocks may stay empty).
 *
 * Block costs may depend on the block's index (a block is a pipeline stage on its own
 * processor, and processors differ in speed on heterogeneous machines): `cost(i, j, k)`.
 *
 * best[k][j] = the smallest possible largest block cost of the first j items in k blocks
 *            = min over i of max(best[k−1][i], cost(i, j)), block k being items i..j−1.
 * Non-empty blocks (exactly K of them): j ∈ [k, n − (K − k)] (leave an item for every later
 * block), i ∈ [k − 1, j − 1]. Empty blocks allowed (so at most K non-empty ones): j ∈ [0, n],
 * i ∈ [0, j], an empty block costing cost(j, j).
 *
 * Determinism: split points i are scanned in increasing order and the first optimum is kept
 * (strict `<`), so among optimal partitions the one returned has, for each prefix, the smallest
 * last split point. O(n²·K) cost evaluations, O(n·K) memory.
 */

export interface BlockPartition {
  /** Block k (0-based) holds items bounds[k] .. bounds[k+1] − 1; bounds[0] = 0, bounds[K] = n. */
  bounds: number[];
  /** The largest block cost (Infinity when no partition exists). */
  value: number;
}

/**
 * Partition items 0..n−1 into K contiguous blocks minimising the largest `cost(i, j)` of a block
 * of items i..j−1. With `emptyBlocks` false every block is non-empty (needs 1 ≤ K ≤ n).
 */
export function minMaxBlocks(n: number, K: number, cost: (i: number, j: number, block: number) => number, emptyBlocks: boolean): BlockPartition {
  const best: Float64Array[] = [];
  const cut: Int32Array[] = [];
  for (let k = 0; k <= K; k++) {
    best.push(new Float64Array(n + 1).fill(Infinity));
    cut.push(new Int32Array(n + 1).fill(-1));
  }
  best[0][0] = 0;
  for (let k = 1; k <= K; k++) {
    const jLo = emptyBlocks ? 0 : k;
    const jHi = emptyBlocks ? n : n - (K - k);
    for (let j = jLo; j <= jHi; j++) {
      let b = Infinity;
      let arg = -1;
      const iHi = emptyBlocks ? j : j - 1;
      for (let i = emptyBlocks ? 0 : k - 1; i <= iHi; i++) {
        const v = Math.max(best[k - 1][i], cost(i, j, k - 1));
        if (v < b) {
          b = v;
          arg = i;
        }
      }
      best[k][j] = b;
      cut[k][j] = arg;
    }
  }
  const bounds = new Array<number>(K + 1).fill(0);
  let j = n;
  for (let k = K; k >= 1; k--) {
    bounds[k] = j;
    j = cut[k][j];
  }
  bounds[0] = 0;
  return { bounds, value: best[K][n] };
}

/** Prefix sums: pre[i] = Σ costs[0..i−1]. */
export function prefixSums(costs: readonly number[]): number[] {
  const pre = new Array<number>(costs.length + 1).fill(0);
  for (let i = 0; i < costs.length; i++) pre[i + 1] = pre[i] + costs[i];
  return pre;
}
