import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Machine } from '../lib/model/types';
import { withStaleness } from '../lib/model/graph/taskgraph';
import { loadNetwork } from '../lib/model/spec/network';
import { defaultHardware, machineFromHardware } from '../lib/model/spec/hardware';
import { buildTrainingGraph } from '../lib/model/graph/training';
import { crossingBytes as metricCrossing, linkBytes, linkPeriodBound } from '../lib/model/metrics';
import { periodicSchedule } from '../lib/model/schedule/placement';
import { mulberry32 } from '../solvers/list/random';
import { crossingBytes, processorLoads } from '../solvers/periodic/assignment-cost';
import { LinkLoads } from '../solvers/periodic/link-loads';
import { pickCandidate } from '../solvers/periodic/quality';
import { contiguousAssignment, lptAssignment, multifitAssignment } from '../solvers/periodic/cycle-packing';
import { exactAssignment, exactPacking, linkAwareLowerBound } from '../solvers/periodic/exact-assignment';
import { reduceCrossing, reduceMaxLoad } from '../solvers/periodic/local-search';
import { placeAssignment } from '../solvers/periodic/place-assignment';
import { assignAndRetime } from '../solvers/periodic/assignment';
import { moduloPlaceAt, moduloSchedule } from '../solvers/periodic/modulo';
import { periodIlp, periodModel } from '../solvers/periodic/period-ilp';
import { improveOffsets } from '../solvers/periodic/offsets';
import { graph, valid } from './periodic-helpers';

describe('packing heuristics and the exact packing', () => {
  const cyclesOf = (seed: number, n: number) => {
    const r = mulberry32(seed);
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
    const r = mulberry32(7);
    for (let k = 0; k < 20; k++) {
      const proc = g.tasks.map(() => Math.floor(r() * 4));
      const s = periodicSchedule(g, { period: 1e9, proc, start: g.tasks.map(() => 0) }, { procs: 4, method: 'x' });
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
