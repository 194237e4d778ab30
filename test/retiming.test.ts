import { describe, expect, it } from 'vitest';
import type { TaskGraph } from '../lib/model/types';
import { zeroCommMachine } from '../lib/model/machine';
import { withStaleness } from '../lib/model/graph/taskgraph';
import { minimalStaleness, type PeriodicPlacement } from '../lib/model/schedule/placement';
import { clockPeriod, compactLoops, longestPath, minPeriodRetiming, retimeOffsets, retimedGraph } from '../solvers/periodic/retiming';
import { graph, valid } from './periodic-helpers';

describe('difference constraints (Bellman–Ford)', () => {
  it('finds the least solution of a feasible system', () => {
    // x1 ≥ x0 + 2, x2 ≥ x1 + 3, x2 ≥ x0 + 7, x0 ≥ x2 − 10
    const r = longestPath(3, [
      { from: 0, to: 1, k: 2 },
      { from: 1, to: 2, k: 3 },
      { from: 0, to: 2, k: 7 },
      { from: 2, to: 0, k: -10 },
    ]);
    expect(r).toEqual({ ok: true, x: [0, 2, 7] });
  });

  it('reports a positive cycle as its constraints in order', () => {
    const cons = [
      { from: 0, to: 1, k: 2 },
      { from: 1, to: 2, k: 3 },
      { from: 2, to: 0, k: -4 }, // cycle weight +1
      { from: 2, to: 3, k: 1 },
    ];
    const r = longestPath(4, cons);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect([...r.cycle].sort()).toEqual([0, 1, 2]);
      // consecutive constraints chain head to tail
      r.cycle.forEach((c, i) => expect(cons[c].to).toBe(cons[r.cycle[(i + 1) % r.cycle.length]].from));
    }
  });
});

describe('Leiserson–Saxe retiming (clock period)', () => {
  // The correlator of Leiserson & Saxe (1991): host 0, comparators 3, adders 7; period 24 → 13.
  const g = graph(
    'correlator',
    [
      ['h', 0],
      ['d1', 3],
      ['d2', 3],
      ['d3', 3],
      ['d4', 3],
      ['p1', 7],
      ['p2', 7],
      ['p3', 7],
    ],
    [
      ['h', 'd1', 1],
      ['d1', 'd2', 1],
      ['d2', 'd3', 1],
      ['d3', 'd4', 1],
      ['d4', 'p3', 0],
      ['p3', 'p2', 0],
      ['p2', 'p1', 0],
      ['p1', 'h', 0],
      ['d1', 'p1', 0],
      ['d2', 'p2', 0],
      ['d3', 'p3', 0],
    ],
  );

  it('reaches the published minimum clock period 13 with a legal retiming', () => {
    expect(clockPeriod(g)).toBe(24);
    const r = minPeriodRetiming(g);
    expect(r.period).toBe(13);
    const rg = retimedGraph(g, r.retiming);
    expect(rg.edges.every((e) => e.delay >= 0)).toBe(true);
    expect(clockPeriod(rg)).toBe(13);
    // loops keep their delay count
    const loopDelay = (x: TaskGraph) => [0, 1, 2, 3, 4, 5].map((k) => x.edges[k].delay).reduce((a, b) => a + b, 0);
    expect(loopDelay(rg) + rg.edges[6].delay + rg.edges[7].delay).toBe(loopDelay(g) + g.edges[6].delay + g.edges[7].delay);
  });

  it('agrees with brute force over small retimings', () => {
    let best = Infinity;
    const r = new Array<number>(g.tasks.length).fill(0);
    const rec = (i: number): void => {
      if (i === r.length) {
        if (g.edges.every((e) => e.delay + r[e.to] - r[e.from] >= 0)) best = Math.min(best, clockPeriod(g, r));
        return;
      }
      for (let x = -2; x <= 2; x++) {
        r[i] = x;
        rec(i + 1);
      }
    };
    rec(1);
    expect(best).toBe(13);
  });
});

describe('multiprocessor retiming of fixed offsets', () => {
  // A → B → C → D with a loop D → A of 2 delays (loop layer 1); costs 3, 2, 3, 2; 2 processors.
  const g = graph(
    'loop4',
    [
      ['A', 3],
      ['B', 2],
      ['C', 3],
      ['D', 2],
    ],
    [
      ['A', 'B', 0],
      ['B', 'C', 0],
      ['C', 'D', 0],
      ['D', 'A', 2, 0, 1],
    ],
    1,
  );
  const m = zeroCommMachine(2);

  it('finds the least iteration indices and the period is reached', () => {
    const proc = [0, 0, 1, 1];
    const offset = [0, 3, 0, 3];
    const r = retimeOffsets(g, m, proc, offset, 5, false);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.q).toEqual([0, 0, 1, 1]);
    expect(r.start).toEqual([0, 3, 5, 8]);
    expect(valid(g, m, { period: 5, proc, start: r.start }).valid).toBe(true);
  });

  it('names the loop that binds when no retiming exists', () => {
    // C before D on processor 1 but D's offset is before C's end: D slips a whole period.
    const r = retimeOffsets(g, m, [0, 0, 1, 1], [0, 3, 2, 0], 5, false);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.binding.loops).toEqual([1]);
      expect(r.binding.tasks.sort()).toEqual(['A', 'B', 'C', 'D']);
    }
    // The same offsets are legal once the loop is free (staleness read off afterwards).
    const free = retimeOffsets(g, m, [0, 0, 1, 1], [0, 3, 2, 0], 5, true);
    expect(free.ok).toBe(true);
    if (free.ok) {
      const pl = { period: 5, proc: [0, 0, 1, 1], start: free.start };
      const d = minimalStaleness(g, m, pl);
      expect(d).toEqual([2]); // D ends at 12, A starts at 0: (1 + d)·5 ≥ 12
      expect(valid(withStaleness(g, d), m, pl, d).valid).toBe(true);
    }
  });

  it('loop compaction never lengthens a loop and stays legal', () => {
    const h = graph(
      'fork',
      [
        ['F', 4],
        ['X', 2],
        ['Y', 2],
        ['U', 1],
      ],
      [
        ['F', 'X', 0],
        ['F', 'Y', 0],
        ['X', 'U', 0],
        ['U', 'F', 1, 0, 1],
      ],
      1,
    );
    const pl: PeriodicPlacement = { period: 5, proc: [0, 1, 1, 0], start: [10, 14, 16, 19] };
    const c = compactLoops(h, m, pl, true);
    const d0 = minimalStaleness(h, m, pl);
    const d1 = minimalStaleness(h, m, c);
    expect(d1[0]).toBeLessThanOrEqual(d0[0]);
    expect(valid(withStaleness(h, d1), m, c, d1).valid).toBe(true);
    expect(Math.min(...c.start)).toBeLessThan(5);
  });
});
