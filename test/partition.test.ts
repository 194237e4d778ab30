import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Stage } from '../lib/model/graph/stages';
import { minMaxPartition, planPipeDream, ringAllReduceCycles } from '../solvers/pipeline/partition';

// ---------------------------------------------------------------------------------------------
// Brute force over contiguous partitions
// ---------------------------------------------------------------------------------------------

/** Every way to cut L layers into k non-empty contiguous stages (as stage lengths). */
function compositions(L: number, k: number): number[][] {
  if (k === 1) return [[L]];
  const out: number[][] = [];
  for (let first = 1; first <= L - (k - 1); first++) for (const rest of compositions(L - first, k - 1)) out.push([first, ...rest]);
  return out;
}

function stagesOf(lengths: number[], replicas?: number[]): Stage[] {
  let at = 0;
  return lengths.map((len, i) => {
    const s = { first: at, last: at + len - 1, replicas: replicas?.[i] ?? 1 };
    at += len;
    return s;
  });
}

const sum = (xs: readonly number[], a: number, b: number) => xs.slice(a, b + 1).reduce((x, y) => x + y, 0);

describe('minMaxPartition', () => {
  it('hand case: [5, 1, 1, 5] in 2 stages → [5,1 | 1,5], max 6', () => {
    const p = minMaxPartition([5, 1, 1, 5], 2);
    expect(p.value).toBe(6);
    expect(p.stages.map((s) => [s.first, s.last])).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(p.stageCosts).toEqual([6, 6]);
  });

  it('ties: the smallest last split point of each prefix ([1,1,1] in 2 → [1 | 1,1])', () => {
    const p = minMaxPartition([1, 1, 1], 2);
    expect(p.value).toBe(2);
    expect(p.stages.map((s) => [s.first, s.last])).toEqual([
      [0, 0],
      [1, 2],
    ]);
  });

  it('one layer per stage when S = L; one stage = the sum', () => {
    expect(minMaxPartition([3, 9, 2], 3).value).toBe(9);
    expect(minMaxPartition([3, 9, 2], 1).value).toBe(14);
  });

  it('rejects S > L and negative costs', () => {
    expect(() => minMaxPartition([1, 2], 3)).toThrow(/1\.\.2 stages/);
    expect(() => minMaxPartition([1, -2], 1)).toThrow(/non-negative/);
  });

  it('equals brute force over all contiguous partitions (random costs)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 9 }), fc.integer({ min: 1, max: 9 }), (costs, k0) => {
        const k = Math.min(k0, costs.length);
        const brute = Math.min(...compositions(costs.length, k).map((c) => Math.max(...stagesOf(c).map((s) => sum(costs, s.first, s.last)))));
        const p = minMaxPartition(costs, k);
        expect(p.value).toBe(brute);
        expect(p.stages.length).toBe(k);
        expect(Math.max(...p.stageCosts)).toBe(brute);
        expect(p.stages[0].first).toBe(0);
        expect(p.stages[k - 1].last).toBe(costs.length - 1);
        p.stages.forEach((s, i) => {
          expect(s.last).toBeGreaterThanOrEqual(s.first);
          if (i > 0) expect(s.first).toBe(p.stages[i - 1].last + 1);
        });
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('planPipeDream', () => {
  it('straight, no transfer cost: same value as minMaxPartition with min(N, L) stages', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 10 }), (costs, N) => {
        const p = planPipeDream({ compute: costs, transfer: new Array(costs.length - 1).fill(0) }, N);
        expect(p.value).toBe(minMaxPartition(costs, Math.min(N, costs.length)).value);
        expect(p.stages.length).toBe(Math.min(N, costs.length));
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  it('straight with transfers: brute force of max(stage sums, transfers at the cuts)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 2, maxLength: 8 }).chain((c) =>
          fc.tuple(fc.constant(c), fc.array(fc.integer({ min: 0, max: 60 }), { minLength: c.length - 1, maxLength: c.length - 1 }), fc.integer({ min: 1, max: 9 })),
        ),
        ([costs, transfer, N]) => {
          const k = Math.min(N, costs.length);
          const brute = Math.min(
            ...compositions(costs.length, k).map((c) => {
              const st = stagesOf(c);
              const cuts = st.slice(1).map((s) => transfer[s.first - 1]);
              return Math.max(...st.map((s) => sum(costs, s.first, s.last)), ...cuts);
            }),
          );
          expect(planPipeDream({ compute: costs, transfer }, N).value).toBe(brute);
        },
      ),
      { numRuns: 200, seed: 13 },
    );
  });

  it('a heavy cut is avoided: [4, 4, 4] with cut 1|2 costing 100, N = 2 → [1,2 | 3]', () => {
    // N = 2: cuts after layer 1 (cost 100) or after layer 2 (cost 1): the planner takes the cheap cut.
    const p = planPipeDream({ compute: [4, 4, 4], transfer: [100, 1] }, 2);
    expect(p.value).toBe(8);
    expect(p.stages.map((s) => [s.first, s.last])).toEqual([
      [0, 1],
      [2, 2],
    ]);
  });

  it('replication: hand case, one layer [90] on 3 processors with |W| = 300 bytes, bandwidth 10, latency 0', () => {
    // r = 3: all-reduce = ceil(2·2/3·300/10) = 40 cycles; stage time (90 + 40)/3 = 43.33…
    const ar = ringAllReduceCycles(10, 0);
    expect(ar(300, 3)).toBe(40);
    expect(ar(300, 1)).toBe(0);
    const p = planPipeDream({ compute: [90], transfer: [], weightBytes: [300], allReduce: ar }, 3, { replicate: true });
    expect(p.stages).toEqual([{ first: 0, last: 0, replicas: 3 }]);
    expect(p.value).toBeCloseTo(130 / 3, 9);
  });

  it('replication: brute force over stage cuts and replica counts (Σ r = N)', () => {
    const ar = ringAllReduceCycles(8, 5);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 4 }).chain((c) =>
          fc.tuple(
            fc.constant(c),
            fc.array(fc.integer({ min: 0, max: 30 }), { minLength: c.length - 1, maxLength: c.length - 1 }),
            fc.array(fc.integer({ min: 0, max: 400 }), { minLength: c.length, maxLength: c.length }),
            fc.integer({ min: 1, max: 6 }),
          ),
        ),
        ([costs, transfer, wb, N]) => {
          let brute = Infinity;
          for (let k = 1; k <= Math.min(N, costs.length); k++) {
            for (const c of compositions(costs.length, k)) {
              for (const reps of compositions(N, k)) {
                const st = stagesOf(c, reps);
                const v = Math.max(
                  ...st.map((s) => (sum(costs, s.first, s.last) + ar(sum(wb, s.first, s.last), s.replicas)) / s.replicas),
                  ...st.slice(1).map((s) => transfer[s.first - 1] / s.replicas),
                );
                brute = Math.min(brute, v);
              }
            }
          }
          const p = planPipeDream({ compute: costs, transfer, weightBytes: wb, allReduce: ar }, N, { replicate: true });
          expect(p.value).toBeCloseTo(brute, 9);
          expect(p.stages.reduce((a, s) => a + s.replicas, 0)).toBe(N);
        },
      ),
      { numRuns: 150, seed: 17 },
    );
  });
});
