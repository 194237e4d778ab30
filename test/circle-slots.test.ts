import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { earliestStartAvoiding, freeStarts, arcPieces, type Arc } from '../solvers/periodic/circle-slots';
import { ModuloTable } from '../solvers/periodic/modulo-table';

/** Brute force on integers: the smallest t ≥ est whose cells t..t+len−1 (mod P) are all free. */
function bruteEarliest(est: number, len: number, arcs: readonly Arc[], P: number): number | null {
  if (len > P) return null;
  if (len <= 0) return est;
  const busy = (x: number) => arcs.some(([a, l]) => l > 0 && (l >= P || (((x - a) % P) + P) % P < l));
  for (let t = est; t < est + P; t++) {
    let free = true;
    for (let x = t; x < t + len && free; x++) if (busy(x)) free = false;
    if (free) return t;
  }
  return null;
}

describe('earliest start on the period circle', () => {
  it("one busy arc (PipeDream's B_s against its F_s): before, inside and after it", () => {
    // P = 10, busy [2, 5) mod 10, length 4.
    expect(earliestStartAvoiding(5, 4, [[2, 3]], 10)).toBe(5); // [5, 9) fits
    expect(earliestStartAvoiding(3, 4, [[2, 3]], 10)).toBe(5); // inside the busy arc → its end
    expect(earliestStartAvoiding(8, 4, [[2, 3]], 10)).toBe(8); // [8, 12) wraps to [0, 2): free
    expect(earliestStartAvoiding(9, 4, [[2, 3]], 10)).toBe(15); // [9, 13) would cover 12 ≡ 2 → after the next busy arc
    expect(earliestStartAvoiding(25, 5, [[2, 3]], 10)).toBe(25); // offset 3 = the busy arc's end: [25, 30) fits
  });

  it("two busy arcs (a replica's U against its F and B), and no gap long enough", () => {
    // P = 64, busy [0, 20) and [20, 60): the only gap is [60, 64).
    expect(earliestStartAvoiding(110, 4, [[0, 20], [20, 40]], 64)).toBe(124);
    expect(earliestStartAvoiding(110, 5, [[0, 20], [20, 40]], 64)).toBeNull();
    expect(earliestStartAvoiding(5, 0, [[0, 20]], 64)).toBe(5);
  });

  it('arcs that wrap past P are two pieces', () => {
    expect(arcPieces(18, 5, 10)).toEqual([
      [8, 10],
      [0, 3],
    ]);
    expect(arcPieces(-3, 2, 10)).toEqual([[7, 9]]);
    expect(arcPieces(4, 0, 10)).toEqual([]);
  });

  it('equals brute force, and so does the modulo reservation table (random arcs, integer times)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.tuple(fc.integer({ min: -20, max: 40 }), fc.integer({ min: 0, max: 14 })), { maxLength: 4 }),
        fc.integer({ min: -10, max: 40 }),
        fc.integer({ min: 0, max: 14 }),
        (P, arcs, est, len) => {
          const want = bruteEarliest(est, len, arcs, P);
          expect(earliestStartAvoiding(est, len, arcs, P)).toBe(want);
          const table = new ModuloTable(1, P);
          arcs.forEach(([a, l], i) => table.reserve(0, a, l, i));
          expect(table.earliest(0, est, len)).toBe(want ?? -1);
          // freeStarts: every listed start fits, increasing; the first is the earliest when len > 0.
          const starts = table.starts(0, est, len);
          for (const t of starts) expect(bruteEarliest(t, len, arcs, P)).toBe(t);
          starts.forEach((t, i) => i > 0 && expect(t).toBeGreaterThan(starts[i - 1]));
          if (len > 0) expect(starts[0] ?? null).toBe(want);
          expect(freeStarts([], est, len, P)).toEqual(len > P ? [] : [est]);
        },
      ),
      { numRuns: 400, seed: 5 },
    );
  });
});
