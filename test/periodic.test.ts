import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Machine, TaskGraph } from '../lib/model/types';
import { zeroCommMachine } from '../lib/model/machine';
import { validate } from '../lib/model/schedule/validate';
import { withStaleness } from '../lib/model/graph/taskgraph';
import { loadNetwork } from '../lib/model/spec/network';
import { defaultHardware, machineFromHardware } from '../lib/model/spec/hardware';
import { buildTrainingGraph } from '../lib/model/graph/training';
import { crossingBytes as metricCrossing, linkBytes, linkPeriodBound } from '../lib/model/metrics';
import {
  LinkLoads,
  ModuloTable,
  crossingBytes,
  minimalStaleness,
  pickCandidate,
  processorLoads,
  prng,
  toSchedule,
  type Placement,
} from '../solvers/periodic/common';
import {
  clockPeriod,
  longestPath,
  minPeriodRetiming,
  retimeOffsets,
  retimedGraph,
  compactLoops,
} from '../solvers/periodic/retiming';
import { moduloPlaceAt, moduloSchedule } from '../solvers/periodic/modulo';
import {
  assignAndRetime,
  contiguousAssignment,
  exactAssignment,
  exactPacking,
  linkAwareLowerBound,
  lptAssignment,
  multifitAssignment,
  placeAssignment,
  reduceCrossing,
  reduceMaxLoad,
} from '../solvers/periodic/assignment';
import { periodIlp, periodModel } from '../solvers/periodic/period-ilp';
import { improveOffsets } from '../solvers/periodic/offsets';

/** A graph from (id, cycles) tasks and (from, to, delay, bytes?, loopLayer?) edges. */
function graph(
  name: string,
  tasks: [string, number][],
  edges: [string, string, number, number?, number?][],
  layers = 0,
): TaskGraph {
  const at = (id: string) => tasks.findIndex((t) => t[0] === id);
  return {
    name,
    layers,
    tasks: tasks.map(([id, c]) => ({ id, kind: 'task', layer: 0, cycles: c, gemmCycles: 0, vectorCycles: c })),
    edges: edges.map(([a, b, w, bytes, loop]) => {
      const e: TaskGraph['edges'][number] = { from: at(a), to: at(b), delay: w, bytes: bytes ?? 0 };
      if (loop !== undefined) e.loopLayer = loop;
      return e;
    }),
  };
}

function valid(g: TaskGraph, m: Machine, pl: Placement, staleness?: number[]) {
  return validate(g, m, toSchedule(g, pl, m.procs, 'test', staleness));
}

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
    const pl: Placement = { period: 5, proc: [0, 1, 1, 0], start: [10, 14, 16, 19] };
    const c = compactLoops(h, m, pl, true);
    const d0 = minimalStaleness(h, m, pl);
    const d1 = minimalStaleness(h, m, c);
    expect(d1[0]).toBeLessThanOrEqual(d0[0]);
    expect(valid(withStaleness(h, d1), m, c, d1).valid).toBe(true);
    expect(Math.min(...c.start)).toBeLessThan(5);
  });
});

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

describe('packing heuristics and the exact packing', () => {
  const cyclesOf = (seed: number, n: number) => {
    const r = prng(seed);
    return Array.from({ length: n }, () => 1 + Math.floor(r() * 20));
  };
  const bruteForce = (c: number[], N: number) => {
    let best = Infinity;
    const load = new Array<number>(N).fill(0);
    const rec = (i: number) => {
      if (i === c.length) {
        best = Math.min(best, Math.max(...load));
        return;
      }
      for (let p = 0; p < N; p++) {
        load[p] += c[i];
        rec(i + 1);
        load[p] -= c[i];
      }
    };
    rec(0);
    return best;
  };
  const maxLoadOf = (c: number[], proc: number[], N: number) => {
    const load = new Array<number>(N).fill(0);
    c.forEach((x, v) => (load[proc[v]] += x));
    return Math.max(...load);
  };

  it('branch and bound matches brute force; heuristics never beat it', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const c = cyclesOf(seed, 7);
      const N = 2 + (seed % 2);
      const opt = bruteForce(c, N);
      const ex = exactPacking(c, N, c.reduce((a, b) => a + b, 0) + 1);
      expect(ex.optimal).toBe(true);
      expect(ex.value).toBe(opt);
      expect(maxLoadOf(c, ex.proc!, N)).toBe(opt);
      for (const h of [lptAssignment(c, N), multifitAssignment(c, N)]) expect(maxLoadOf(c, h, N)).toBeGreaterThanOrEqual(opt);
      // LPT's guarantee: ≤ (4/3 − 1/(3N))·OPT
      expect(maxLoadOf(c, lptAssignment(c, N), N)).toBeLessThanOrEqual((4 / 3 - 1 / (3 * N)) * opt + 1e-9);
    }
  });

  it('contiguous partition is the optimal min-max split of the sequence', () => {
    const c = [5, 1, 1, 5, 2, 2, 2];
    const seq = [0, 1, 2, 3, 4, 5, 6];
    const proc = contiguousAssignment(c, seq, 3);
    expect(proc).toEqual([0, 0, 1, 1, 2, 2, 2]);
    expect(maxLoadOf(c, proc, 3)).toBe(6);
  });
});

describe('crossing bytes and local search', () => {
  const hw = defaultHardware();
  const net = loadNetwork('mnist-fc');
  const g = buildTrainingGraph(net, hw, { variant: 'spikepipe', dataflow: 'best' });
  const m = machineFromHardware(hw, 4);

  it('counts bytes exactly as lib/model/metrics does', () => {
    const r = prng(7);
    for (let k = 0; k < 20; k++) {
      const proc = g.tasks.map(() => Math.floor(r() * 4));
      const s = toSchedule(g, { period: 1e9, proc, start: g.tasks.map(() => 0) }, 4, 'x');
      expect(crossingBytes(g, proc)).toBe(metricCrossing(g, s).total);
    }
  });

  it('reduceMaxLoad lowers the largest load; reduceCrossing keeps loads under the cap and lowers bytes', () => {
    const start = g.tasks.map(() => 0);
    const lowered = reduceMaxLoad(g, start, 4);
    const maxL = Math.max(...processorLoads(g, lowered, 4));
    expect(maxL).toBeLessThan(Math.max(...processorLoads(g, start, 4)));
    const lpt = lptAssignment(g.tasks.map((t) => t.cycles), 4);
    const cap = Math.max(...processorLoads(g, lpt, 4));
    const fewer = reduceCrossing(g, lpt, 4, cap);
    expect(Math.max(...processorLoads(g, fewer, 4))).toBeLessThanOrEqual(cap);
    expect(crossingBytes(g, fewer)).toBeLessThanOrEqual(crossingBytes(g, lpt));
  });

  it('with free loops any assignment places at its period max(largest load, link bound) (pack + retime)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: g.tasks.length, maxLength: g.tasks.length }), (proc) => {
        const r = placeAssignment(g, m, proc, true);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        const pl = r.placed.placement;
        // The assignment's period: its largest load or its busiest link, whichever is more.
        expect(pl.period).toBe(Math.max(...processorLoads(g, proc, 4), linkPeriodBound(g, m, proc)));
        expect(valid(withStaleness(g, r.placed.staleness), m, pl, r.placed.staleness).valid).toBe(true);
        const better = improveOffsets(g, m, pl, 200);
        expect(better.placement.period).toBe(pl.period);
        expect(better.placement.proc).toEqual(pl.proc);
        expect(better.staleness.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(r.placed.staleness.reduce((a, b) => a + b, 0));
        expect(valid(withStaleness(g, better.staleness), m, better.placement, better.staleness).valid).toBe(true);
      }),
      { numRuns: 25, seed: 11 },
    );
  });

  it('the assignment solver reaches the P||Cmax optimum on mnist-fc and proves it', () => {
    const r = assignAndRetime(g, m, { freeLoops: true });
    expect(r).not.toBeNull();
    // 4 processors: the exact packing of the 15 task cycles (checked by the MILP test below).
    expect(r!.placement.period).toBe(32592);
    expect(r!.packingOptimal).toBe(true);
    expect(r!.packingBound).toBe(32592);
    // 64 B/cycle links do not bind here: the packing optimum is the period optimum.
    expect([r!.periodBound, r!.periodOptimal]).toEqual([32592, true]);
  });
});

describe('links as a resource', () => {
  // A (10) → B (10) with a 60-byte tensor, C (10) alone; 3 processors, 4 B/cycle links.
  // Packing (links ignored): one task per processor, 10. But A and B apart put 60 B = 15 cycles
  // on one link: period 15; together they load one processor with 20. Optimum: 15 (apart).
  // At 2 B/cycle the link would take 30 > 20: together, 20.
  const g3 = graph('links3', [['A', 10], ['B', 10], ['C', 10]], [['A', 'B', 0, 60]]);
  const fast: Machine = { procs: 3, bandwidth: 4, latency: 2 };
  const slow: Machine = { procs: 3, bandwidth: 2, latency: 2 };

  it('the assignment solver: period max(load, link); the packing bound stays a (lower) bound', () => {
    for (const [mach, P] of [
      [fast, 15],
      [slow, 20],
    ] as const) {
      const r = assignAndRetime(g3, mach, { freeLoops: true })!;
      expect(r.placement.period).toBe(P);
      expect(r.packingBound).toBe(10);
      expect(r.packingOptimal).toBe(true);
      expect(r.linkBound).toBe(P);
      expect(r.periodBound).toBe(P);
      expect(r.periodOptimal).toBe(true);
      const apart = r.placement.proc[0] !== r.placement.proc[1];
      expect(apart).toBe(mach === fast);
      expect(valid(g3, mach, r.placement).valid).toBe(true);
    }
  });

  it('linkAwareLowerBound: heavy tensors keep their ends together', () => {
    // fast: below 15 the 60-B tensor (15 cycles) cannot cross, so A+B (20) share a processor:
    // 14 fails, 15 passes (nothing forced; ceil(30/3) = 10). slow: below 30 it is forced; 20 holds A+B.
    expect(linkAwareLowerBound(g3, fast)).toBe(15);
    expect(linkAwareLowerBound(g3, slow)).toBe(20);
    // Fast links: the plain packing bound max(ceil(30/3), 10, 0) = 10.
    expect(linkAwareLowerBound(g3, { procs: 3, bandwidth: 1000, latency: 0 })).toBe(10);
    // Never above the optimum over assignments of max(load, link) (brute force, random tiny graphs).
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(5), fc.nat(5), fc.integer({ min: 1, max: 40 })), { maxLength: 6 }),
        fc.integer({ min: 2, max: 3 }),
        fc.constantFrom(1, 2, 4),
        (cycles, es, N, bandwidth) => {
          const n = cycles.length;
          const tg = graph(
            'rand',
            cycles.map((c, i) => [`t${i}`, c] as [string, number]),
            es.filter(([a, b]) => a < n && b < n && a !== b).map(([a, b, bytes]) => [`t${a}`, `t${b}`, 0, bytes] as [string, string, number, number]),
          );
          const mm: Machine = { procs: N, bandwidth, latency: 0 };
          let best = Infinity;
          const proc = new Array<number>(n).fill(0);
          const rec = (i: number) => {
            if (i === n) {
              best = Math.min(best, Math.max(...processorLoads(tg, proc, N), linkPeriodBound(tg, mm, proc)));
              return;
            }
            for (let p = 0; p < N; p++) {
              proc[i] = p;
              rec(i + 1);
            }
          };
          rec(0);
          expect(linkAwareLowerBound(tg, mm)).toBeLessThanOrEqual(best);
        },
      ),
      { numRuns: 150, seed: 21 },
    );
  });

  it('exactAssignment proves the link-aware optimum; partial links prune', () => {
    const ex = exactAssignment(g3, fast, 30);
    expect([ex.value, ex.optimal]).toEqual([15, true]);
    expect(linkPeriodBound(g3, fast, ex.proc!)).toBe(15);
    const none = exactAssignment(g3, slow, 20);
    expect([none.proc, none.value, none.optimal]).toEqual([null, 20, true]); // nothing below 20
  });

  it('the modulo scheduler never claims a period below the link bound of its assignment', () => {
    const r = moduloSchedule(g3, fast, { freeLoops: true });
    expect(r.placement!.period).toBe(15);
    expect(r.tried[0]).toEqual({ period: 10, ok: false }); // loads fit at 10, the link does not
    expect(valid(g3, fast, r.placement!).valid).toBe(true);
    expect(moduloPlaceAt(g3, fast, 14, { freeLoops: true, proc: [0, 1, 2] })).toBeNull();
    expect(moduloSchedule(g3, slow, { freeLoops: true }).placement!.period).toBe(20);
  });

  it('placeAssignment starts from the link bound; the period MILP has link rows', async () => {
    const r = placeAssignment(g3, fast, [0, 1, 2], true);
    expect(r.ok && r.placed.placement.period).toBe(15);
    const inc = placeAssignment(g3, slow, [0, 0, 0], true);
    if (!inc.ok) throw new Error('one processor always places');
    expect(inc.placed.placement.period).toBe(30);
    const res = await periodIlp(g3, slow, { freeLoops: true, lowerBound: 10, incumbent: inc.placed.placement, timeLimitSeconds: 10 });
    expect([res.status, res.placement.period, res.bound]).toEqual(['optimal', 20, 20]);
    const resFast = await periodIlp(g3, fast, { freeLoops: true, lowerBound: 10, incumbent: inc.placed.placement, timeLimitSeconds: 10 });
    expect([resFast.status, resFast.placement.period, resFast.bound]).toEqual(['optimal', 15, 15]);
    // The model's link rows at P = 14 exclude the apart assignment; a MIP start exists at 15.
    expect(periodModel(g3, fast, 14, true).start([0, 1, 2])).toBeNull();
    expect(periodModel(g3, fast, 15, true).start([0, 1, 2])).not.toBeNull();
  });

  const hw = defaultHardware();
  const mnist = buildTrainingGraph(loadNetwork('mnist-fc'), hw, { variant: 'spikepipe', dataflow: 'best' });
  const slow4: Machine = { procs: 4, bandwidth: 4, latency: 100 };

  it('LinkLoads tracks linkBytes under random moves (incremental = from scratch)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1, max: 3 }), { minLength: mnist.tasks.length, maxLength: mnist.tasks.length }),
        fc.array(fc.tuple(fc.nat(mnist.tasks.length - 1), fc.integer({ min: -1, max: 3 })), { minLength: 1, maxLength: 8 }),
        (proc0, moves) => {
          const proc = proc0.slice();
          const ll = new LinkLoads(mnist, slow4, proc);
          for (const [v, q] of moves) {
            const before = crossingBytes(mnist, proc);
            const snapshot = proc.slice();
            const bytesBefore = Array.from(ll.bytes);
            const t = ll.trial(proc, [v], [q]);
            expect(proc).toEqual(snapshot); // a trial changes nothing
            expect(Array.from(ll.bytes)).toEqual(bytesBefore);
            ll.apply(proc, [v], [q]);
            expect(t.bytesDelta).toBe(crossingBytes(mnist, proc) - before);
            const fresh = new Map(linkBytes(mnist, proc).pairs.map((p) => [p.from * 4 + p.to, p.bytes]));
            for (let k = 0; k < 16; k++) expect(ll.bytes[k]).toBe(fresh.get(k) ?? 0);
            expect(ll.maxCycles()).toBe(linkPeriodBound(mnist, slow4, proc));
          }
        },
      ),
      { numRuns: 60, seed: 9 },
    );
  });

  it('local searches with links: reduceMaxLoad lowers max(load, link); reduceCrossing keeps both ≤ the cap', () => {
    const period = (p: number[]) => Math.max(...processorLoads(mnist, p, 4), linkPeriodBound(mnist, slow4, p));
    const lpt = lptAssignment(mnist.tasks.map((t) => t.cycles), 4);
    // LPT ignores bytes: at 4 B/cycle its links, not its loads, set its period.
    expect(linkPeriodBound(mnist, slow4, lpt)).toBeGreaterThan(Math.max(...processorLoads(mnist, lpt, 4)));
    const better = reduceMaxLoad(mnist, lpt, 4, undefined, slow4);
    expect(period(better)).toBeLessThan(period(lpt));
    const cap = period(better);
    const fewer = reduceCrossing(mnist, better, 4, cap, undefined, slow4);
    expect(period(fewer)).toBeLessThanOrEqual(cap);
    expect(crossingBytes(mnist, fewer)).toBeLessThanOrEqual(crossingBytes(mnist, better));
  });
});

describe('candidate choice', () => {
  it('is lexicographic at tolerance 0 and prefers bytes inside the tolerance, never above the cap', () => {
    const qs = [
      { period: 1000, bytes: 50, staleness: 3 },
      { period: 1001, bytes: 10, staleness: 1 },
      { period: 1000, bytes: 50, staleness: 2 },
      { period: 1003, bytes: 1, staleness: 0 },
    ];
    expect(pickCandidate(qs, 0)).toBe(2);
    expect(pickCandidate(qs, 0.002)).toBe(1);
    expect(pickCandidate(qs, 0.01)).toBe(3);
    expect(pickCandidate(qs, 0.01, 1001)).toBe(1);
  });
});

describe('period MILP', () => {
  /** Random tiny graph: a chain-ish DAG plus one loop edge with 1–2 delays; cycles 1–4. */
  const tiny = (seed: number, n: number, withLoop: boolean): TaskGraph => {
    const r = prng(seed);
    const tasks: [string, number][] = Array.from({ length: n }, (_, i) => [`t${i}`, 1 + Math.floor(r() * 4)]);
    const edges: [string, string, number, number?, number?][] = [];
    for (let i = 1; i < n; i++) {
      const from = Math.floor(r() * i);
      edges.push([`t${from}`, `t${i}`, 0, Math.floor(r() * 3)]);
    }
    if (withLoop) edges.push([`t${n - 1}`, 't0', 1 + Math.floor(r() * 2), 0, 1]);
    return graph(`tiny${seed}`, tasks, edges, 1);
  };
  const mc: Machine = { procs: 2, bandwidth: 1, latency: 1 };

  /** Brute force: smallest P with some assignment and wrap-allowed offsets that retime legally. */
  const feasibleAt = (g: TaskGraph, m: Machine, P: number): boolean => {
    const n = g.tasks.length;
    if (g.tasks.some((t) => t.cycles > P)) return false;
    const proc = new Array<number>(n).fill(0);
    const off = new Array<number>(n).fill(0);
    const arcsOk = () => {
      for (let u = 0; u < n; u++) {
        for (let v = u + 1; v < n; v++) {
          if (proc[u] !== proc[v]) continue;
          const d = (((off[v] - off[u]) % P) + P) % P;
          if (d < g.tasks[u].cycles || P - d < g.tasks[v].cycles) return false;
        }
      }
      return true;
    };
    const recOff = (i: number): boolean => {
      if (i === n) return arcsOk() && retimeOffsets(g, m, proc, off, P, false).ok;
      for (let o = 0; o < P; o++) {
        off[i] = o;
        if (recOff(i + 1)) return true;
      }
      return false;
    };
    const recProc = (i: number): boolean => {
      if (i === n) return linkPeriodBound(g, m, proc) <= P && recOff(1); // offsets are relative: fix task 0 at 0
      for (let p = 0; p < m.procs; p++) {
        if (i === 0 && p > 0) break;
        proc[i] = p;
        if (recProc(i + 1)) return true;
      }
      return false;
    };
    return recProc(0);
  };

  it('free loops: agrees with brute-force packing on tiny graphs', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const free = tiny(seed, 6, true);
      const inc = placeAssignment(free, mc, free.tasks.map(() => 0), true);
      expect(inc.ok).toBe(true);
      if (!inc.ok) return;
      const res = await periodIlp(free, mc, { freeLoops: true, lowerBound: 1, incumbent: inc.placed.placement, timeLimitSeconds: 10 });
      // brute force over assignments: the min of max(max-load, busiest link) (links: the
      // model change; with ≤ 2 bytes per edge on 1 B/cycle links they rarely bind here)
      let best = Infinity;
      for (let mask = 0; mask < 1 << 6; mask++) {
        const proc = free.tasks.map((_, v) => (mask >> v) & 1);
        best = Math.min(best, Math.max(...processorLoads(free, proc, 2), linkPeriodBound(free, mc, proc)));
      }
      expect(res.status).toBe('optimal');
      expect(res.placement.period).toBe(best);
      expect(res.bound).toBe(best);
      const d = minimalStaleness(free, mc, res.placement);
      expect(valid(withStaleness(free, d), mc, res.placement, d).valid).toBe(true);
    }
  });

  it('fixed delays: the optimum agrees with brute force (P* feasible, P* − 1 not)', async () => {
    for (const seed of [3, 8]) {
      const g = tiny(seed, 4, true);
      const heur = moduloSchedule(g, mc, { freeLoops: false });
      expect(heur.placement).not.toBeNull();
      const res = await periodIlp(g, mc, { freeLoops: false, lowerBound: 1, incumbent: heur.placement!, timeLimitSeconds: 20 });
      expect(res.status).toBe('optimal');
      const P = res.placement.period;
      expect(valid(g, mc, res.placement).valid).toBe(true);
      expect(res.bound).toBe(P);
      expect(feasibleAt(g, mc, P)).toBe(true);
      expect(feasibleAt(g, mc, P - 1)).toBe(false);
    }
  });

  it('a MIP start built from an assignment satisfies the model', () => {
    const g = tiny(2, 6, true);
    const pm = periodModel(g, mc, 20, true, 'bytes');
    const start = pm.start([1, 0, 1, 0, 1, 0]);
    expect(start).not.toBeNull();
    let ok = true;
    for (const row of pm.model.rows) {
      let a = 0;
      row.idx.forEach((j, k) => (a += row.coef[k] * start![j]));
      if (row.sense === '<=' && a > row.rhs + 1e-9) ok = false;
      if (row.sense === '>=' && a < row.rhs - 1e-9) ok = false;
      if (row.sense === '=' && Math.abs(a - row.rhs) > 1e-9) ok = false;
    }
    expect(ok).toBe(true);
  });
});
