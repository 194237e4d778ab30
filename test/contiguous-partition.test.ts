import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { minMaxBlocks, prefixSums } from '../solvers/contiguous-partition';

/** Brute force: the smallest largest block cost of items 0..j−1 in k blocks (Infinity if none). */
function bruteOpt(j: number, k: number, cost: (i: number, j: number) => number, empty: boolean): number {
  if (k === 0) return j === 0 ? 0 : Infinity;
  let best = Infinity;
  for (let i = empty ? 0 : k - 1; i <= (empty ? j : j - 1); i++) best = Math.min(best, Math.max(bruteOpt(i, k - 1, cost, empty), cost(i, j)));
  return best;
}

describe('min-max contiguous partition DP', () => {
  it('hand cases: exactly K non-empty blocks, and at most K (empty blocks allowed)', () => {
    const pre = prefixSums([5, 1, 1, 5]);
    const sum = (i: number, j: number) => pre[j] - pre[i];
    expect(minMaxBlocks(4, 2, sum, false)).toEqual({ bounds: [0, 2, 4], value: 6 });
    // Ties: [1 | 1, 1] and [1, 1 | 1] both reach 2; the smallest last split point is kept.
    const ones = prefixSums([1, 1, 1]);
    expect(minMaxBlocks(3, 2, (i, j) => ones[j] - ones[i], false).bounds).toEqual([0, 1, 3]);
    // One heavy item and K = 3 allowed empty blocks: an empty first block, then [9], then [1].
    const heavy = prefixSums([9, 1]);
    expect(minMaxBlocks(2, 3, (i, j) => heavy[j] - heavy[i], true)).toEqual({ bounds: [0, 0, 1, 2], value: 9 });
    // A transfer into a block as part of its cost (PipeDream's planner): cut 1|2 costs 100.
    const c = prefixSums([4, 4, 4]);
    const transfer = [100, 0];
    expect(minMaxBlocks(3, 2, (i, j) => Math.max(i > 0 ? transfer[i - 1] : 0, c[j] - c[i]), false)).toEqual({ bounds: [0, 2, 3], value: 8 });
  });

  it('equals brute force and keeps, for each prefix, the smallest optimal last split point', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 7 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), (costs, K0, empty) => {
        const n = costs.length;
        const K = empty ? K0 : Math.min(K0, n);
        const pre = prefixSums(costs);
        const cost = (i: number, j: number) => pre[j] - pre[i];
        const r = minMaxBlocks(n, K, cost, empty);
        expect(r.value).toBe(bruteOpt(n, K, cost, empty));
        expect(r.bounds[0]).toBe(0);
        expect(r.bounds[K]).toBe(n);
        let worst = 0;
        for (let k = 1; k <= K; k++) {
          const [i, j] = [r.bounds[k - 1], r.bounds[k]];
          expect(empty ? j >= i : j > i).toBe(true);
          worst = Math.max(worst, cost(i, j));
          // The DP's choice: the smallest i whose (optimal prefix, block i..j−1) reaches the optimum.
          const target = bruteOpt(j, k, cost, empty);
          let first = -1;
          for (let x = empty ? 0 : k - 1; x <= (empty ? j : j - 1) && first < 0; x++) if (Math.max(bruteOpt(x, k - 1, cost, empty), cost(x, j)) === target) first = x;
          expect(i).toBe(first);
        }
        expect(worst).toBe(r.value);
      }),
      { numRuns: 300, seed: 3 },
    );
  });
});
