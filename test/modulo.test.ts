import { describe, expect, it } from 'vitest';
import type { Machine } from '../lib/model/types';
import { zeroCommMachine } from '../lib/model/machine';
import { ModuloTable } from '../solvers/periodic/modulo-table';
import { moduloPlaceAt, moduloSchedule } from '../solvers/periodic/modulo';
import { graph, valid } from './periodic-helpers';

describe('modulo reservation table', () => {
  it('handles arcs that wrap past the period', () => {
    const t = new ModuloTable(1, 10);
    t.reserve(0, 8, 4, 0); // [8,10) ∪ [0,2)
    expect(t.fits(0, 1, 1)).toBe(false);
    expect(t.fits(0, 2, 6)).toBe(true);
    expect(t.earliest(0, 9, 3)).toBe(12); // 12 ≡ 2
    expect(t.freeArcs(0)).toEqual([6]);
    expect(t.conflicts(0, 19, 2)).toEqual([0]);
    t.reserve(0, 4, 2, 1);
    expect(t.freeArcs(0).sort()).toEqual([2, 2]);
    expect(t.roomFor(0, [2, 2])).toBe(true);
    expect(t.roomFor(0, [3])).toBe(false);
    expect(t.earliest(0, 0, 3)).toBe(-1);
  });
});

describe('iterative modulo scheduling', () => {
  // a(3) → b(3) → c(3) → d(1) → a with 2 delays. T∞ = 10/2 = 5, ceil(W/2) = 5, but any two of
  // the three 3-cycle tasks share a processor: the optimum on 2 processors is 6.
  const g = graph(
    'cyc4',
    [
      ['a', 3],
      ['b', 3],
      ['c', 3],
      ['d', 1],
    ],
    [
      ['a', 'b', 0],
      ['b', 'c', 0],
      ['c', 'd', 0],
      ['d', 'a', 2],
    ],
  );
  const m = zeroCommMachine(2);

  it('reaches the known optimal period 6 after failing at the bound 5', () => {
    const r = moduloSchedule(g, m, { freeLoops: false });
    expect(r.lowerBound).toBe(5);
    expect(r.placement?.period).toBe(6);
    expect(r.tried[0]).toEqual({ period: 5, ok: false });
    expect(valid(g, m, r.placement!).valid).toBe(true);
  });

  it('cannot go below the iteration bound', () => {
    const tight = graph('tight', [['x', 2], ['y', 2]], [['x', 'y', 0], ['y', 'x', 1]]);
    expect(moduloPlaceAt(tight, zeroCommMachine(2), 3, { freeLoops: false })).toBeNull();
    const r = moduloSchedule(tight, zeroCommMachine(2), { freeLoops: false });
    expect(r.placement?.period).toBe(4);
  });

  it('places a fixed assignment and respects transfers', () => {
    const mc: Machine = { procs: 2, bandwidth: 1, latency: 1 };
    const h = graph('comm', [['a', 2], ['b', 2], ['c', 2]], [['a', 'b', 0, 3], ['b', 'c', 0, 3]]);
    const pl = moduloPlaceAt(h, mc, 4, { freeLoops: true, proc: [0, 1, 0] });
    expect(pl).not.toBeNull();
    expect(pl!.start[1] - pl!.start[0]).toBeGreaterThanOrEqual(2 + 4); // 3 bytes / 1 + 1 latency
    expect(valid(h, mc, pl!).valid).toBe(true);
  });
});
