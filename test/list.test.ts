import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Machine, Schedule, TaskGraph } from '../lib/model/types';
import { validate } from '../lib/model/schedule/validate';
import { lowerBounds } from '../lib/model/bounds';
import { commCycles, zeroCommMachine } from '../lib/model/machine';
import { InputError } from '../lib/model/errors';
import { hlfet } from '../solvers/list/hlfet';
import { etf, etfPlacement } from '../solvers/list/etf';
import { heft } from '../solvers/list/heft';
import { cpop, cpopCriticalPath } from '../solvers/list/cpop';
import { peft, optimisticCostTable } from '../solvers/list/peft';
import { listProblem, upwardRanks, downwardRanks } from '../solvers/list/core';
import { Timelines } from '../solvers/list/timeline';
import { getSolver, solverNames } from '../solvers/registry';
import { randomLayeredDag, smallDag } from './helpers/random-dag';

const ALGS = { hlfet, etf, heft, cpop, peft } as const;

function graph(costs: number[], edges: [number, number, number?][], name = 'hand'): TaskGraph {
  return {
    name,
    tasks: costs.map((c, i) => ({ id: `t${i + 1}`, kind: 'task', layer: 0, cycles: c, gemmCycles: 0, vectorCycles: c })),
    edges: edges.map(([from, to, bytes]) => ({ from, to, bytes: bytes ?? 0, delay: 0 })),
    layers: 0,
  };
}

const starts = (s: Schedule) => s.tasks.map((t) => [t.id, t.processor, t.start]);

/** Random small DAG parameters: up to 10 tasks (costs 0..9, so zero-cost tasks occur). */
const dagArb = (maxN: number, withComm: boolean) =>
  fc.integer({ min: 1, max: maxN }).chain((n) => {
    const pairs = (n * (n - 1)) / 2;
    return fc.record({
      costs: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }),
      adj: fc.array(fc.boolean(), { minLength: pairs, maxLength: pairs }),
      bytes: fc.array(withComm ? fc.integer({ min: 0, max: 40 }) : fc.constant(0), { minLength: pairs, maxLength: pairs }),
      procs: fc.integer({ min: 1, max: 3 }),
    });
  });
const commMachine = (procs: number): Machine => ({ procs, bandwidth: 8, latency: 2 });

describe('list schedulers on hand-checked cases', () => {
  // fork-join: t1 → {t2, t3, t4} → t5, costs 2 | 3,3,3 | 1. On 2 processors, no comm:
  // t1 [0,2); t2,t3 at 2 on both; t4 at 5; t5 at 8 → makespan 9 for every heuristic here.
  const fj = graph([2, 3, 3, 3, 1], [[0, 1], [0, 2], [0, 3], [1, 4], [2, 4], [3, 4]]);

  it('fork-join on 2 processors: makespan 9, optimal (the third branch waits; the bound says 6)', () => {
    for (const [name, fn] of Object.entries(ALGS)) {
      const s = fn(fj, zeroCommMachine(2));
      expect(s.makespan, name).toBe(9);
      expect(validate(fj, zeroCommMachine(2), s).valid).toBe(true);
    }
    expect(lowerBounds(fj, zeroCommMachine(2), 'makespan').bound).toBe(6);
  });

  it('HLFET picks by bottom level and the earliest-start processor (smallest index on ties)', () => {
    // independent tasks 5, 4, 3, 2 on 2 processors: LPT order → P0: 5 then 2, P1: 4 then 3.
    const g = graph([5, 4, 3, 2], []);
    const s = hlfet(g, zeroCommMachine(2));
    expect(starts(s)).toEqual([
      ['t1', 0, 0],
      ['t2', 1, 0],
      ['t3', 1, 4],
      ['t4', 0, 5],
    ]);
    expect(s.makespan).toBe(7);
  });

  it('HEFT with communication (hand-checked): a chain stays together, the fork pays for its transfer', () => {
    // t1(4) → t2(3) with 64 bytes, t1 → t3(3) with 64 bytes, t2,t3 → t4(2) with 64 bytes.
    // Machine: 2 procs, 32 B/cycle, latency 1 → a transfer costs ceil(64/32) + 1 = 3 cycles.
    const m: Machine = { procs: 2, bandwidth: 32, latency: 1 };
    expect(commCycles(m, 64)).toBe(3);
    const g = graph([4, 3, 3, 2], [[0, 1, 64], [0, 2, 64], [1, 3, 64], [2, 3, 64]]);
    // rank_u: t4 = 2; t2 = t3 = 3 + 3 + 2 = 8; t1 = 4 + 3 + 8 = 15.
    const p = listProblem(g, m);
    expect(Array.from(upwardRanks(p))).toEqual([15, 8, 8, 2]);
    // t1 on P0 [0,4). t2: P0 start 4 (finish 7) vs P1 start 7 → P0 [4,7).
    // t3: P0 start 7 (finish 10) vs P1 start 4+3 = 7 (finish 10) → tie, smallest index P0 [7,10).
    // t4: P0 start 10 → [10,12). One processor is best here: makespan 12 (serial = 12).
    const s = heft(g, m);
    expect(starts(s)).toEqual([
      ['t1', 0, 0],
      ['t2', 0, 4],
      ['t3', 0, 7],
      ['t4', 0, 10],
    ]);
    expect(s.makespan).toBe(12);
    // With cheap links (latency 0, 64 B/cycle → 1 cycle): ranks 11, 6, 6, 2. t2 on P0 [4,7);
    // t3: P0 finishes at 10, P1 (data at 5) at 8 → P1 [5,8); t4: P0 needs t3's data at 9
    // (finish 11), P1 gets t2's at 8 and is free at 8 (finish 10) → P1 [8,10): makespan 10.
    const cheap: Machine = { procs: 2, bandwidth: 64, latency: 0 };
    const s2 = heft(g, cheap);
    expect(starts(s2)).toEqual([
      ['t1', 0, 0],
      ['t2', 0, 4],
      ['t3', 1, 5],
      ['t4', 1, 8],
    ]);
    expect(s2.makespan).toBe(10);
  });

  it('HEFT inserts a task into an idle gap when it fits', () => {
    // 2 processors, transfers of 10 cycles: t1(2) → t2(2) with data; t3(1) independent, rank lowest.
    // t1 P0 [0,2), t2 P0 [2,4) (P1 would wait for the transfer), t3 by insertion: P0 is busy
    // until 4, P1 idle → P1 [0,1). Then a low-rank t4(1) that depends on t1 with data goes to P0
    // at 4 rather than P1 at 12.
    const m: Machine = { procs: 2, bandwidth: 1, latency: 0 };
    const g = graph([2, 2, 1, 1], [[0, 1, 10], [0, 3, 10]]);
    const s = heft(g, m);
    expect(starts(s)).toEqual([
      ['t1', 0, 0],
      ['t2', 0, 2],
      ['t3', 1, 0],
      ['t4', 0, 4],
    ]);
    // The gap search itself: busy [0,2) and [5,8).
    const tl = new Timelines(1, true);
    tl.reserve(0, 0, 2);
    tl.reserve(0, 5, 3);
    expect(tl.earliestStart(0, 0, 3)).toBe(2); // gap [2,5) holds 3 cycles
    expect(tl.earliestStart(0, 0, 4)).toBe(8); // not 4: after the last task
    expect(tl.earliestStart(0, 3, 2)).toBe(3);
    expect(tl.earliestStart(0, 4, 2)).toBe(8);
  });

  it('CPOP puts its critical path on one processor; PEFT\'s OCT is processor-independent here', () => {
    const g = graph([2, 3, 3, 3, 1], [[0, 1], [0, 2], [0, 3], [1, 4], [2, 4], [3, 4]]);
    const p = listProblem(g, zeroCommMachine(3));
    const ru = upwardRanks(p);
    const rd = downwardRanks(p);
    const prio = Float64Array.from(ru, (v, i) => v + rd[i]);
    expect(Array.from(cpopCriticalPath(p, prio))).toEqual([1, 1, 0, 0, 1]);
    const s = cpop(g, zeroCommMachine(3));
    for (const id of ['t1', 't2', 't5']) expect(s.tasks.find((t) => t.id === id)!.processor).toBe(0);
    const oct = optimisticCostTable(p);
    // OCT(t1) = max over successors (w + OCT) = 3 + 1 = 4 on every processor; sinks 0.
    expect(Array.from(oct.slice(0, 3))).toEqual([4, 4, 4]);
    expect(Array.from(oct.slice(12, 15))).toEqual([0, 0, 0]);
    expect(peft(g, zeroCommMachine(3)).makespan).toBe(6);
  });

  it('ETF picks the earliest start over all pairs, ties by bottom level', () => {
    // t1(3) → t3(1); t2(1) independent. 1 processor: start 0: t1 (bl 4) beats t2 (bl 1).
    const g = graph([3, 1, 1], [[0, 2]]);
    const s = etf(g, zeroCommMachine(1));
    expect(starts(s)).toEqual([
      ['t1', 0, 0],
      ['t2', 0, 3],
      ['t3', 0, 4],
    ]);
  });
});

describe('bad input', () => {
  it('a cycle is an InputError naming it', () => {
    const g = graph([1, 1], [[0, 1], [1, 0]]);
    expect(() => heft(g, zeroCommMachine(2))).toThrow(InputError);
    expect(() => heft(g, zeroCommMachine(2))).toThrow(/cycle/);
  });
  it('processors ≤ 0 and bad restart options are InputErrors', () => {
    const g = graph([1], []);
    expect(() => hlfet(g, { procs: 0, bandwidth: 1, latency: 0 })).toThrow(InputError);
    expect(() => hlfet(g, zeroCommMachine(1), { restarts: -1 })).toThrow(InputError);
  });
  it('an unknown solver lists the known ones', () => {
    expect(() => getSolver('foo')).toThrow(`--solvers: unknown solver "foo" (known: ${solverNames().join(', ')})`);
  });
});

/** ETF by definition: O(n²·P) reference with the same tie-breaking. */
function naiveEtf(g: TaskGraph, m: Machine): [number, number][] {
  const p = listProblem(g, m);
  const n = g.tasks.length;
  const done = new Array<boolean>(n).fill(false);
  const proc = new Array<number>(n).fill(-1);
  const fin = new Array<number>(n).fill(0);
  const avail = new Array<number>(m.procs).fill(0);
  const out: [number, number][] = new Array(n);
  for (let step = 0; step < n; step++) {
    let best: [number, number, number] | null = null; // start, task, proc
    for (let t = 0; t < n; t++) {
      if (done[t] || g.edges.some((e) => e.to === t && !done[e.from])) continue;
      for (let q = 0; q < m.procs; q++) {
        let drt = 0;
        for (const e of g.edges) if (e.to === t) drt = Math.max(drt, fin[e.from] + (proc[e.from] === q ? 0 : commCycles(m, e.bytes)));
        const s = Math.max(drt, avail[q]);
        const better =
          !best ||
          s < best[0] ||
          (s === best[0] && (p.bl[t] > p.bl[best[1]] || (p.bl[t] === p.bl[best[1]] && (p.pos[t] < p.pos[best[1]] || (t === best[1] && q < best[2])))));
        if (better) best = [s, t, q];
      }
    }
    const [s, t, q] = best!;
    done[t] = true;
    proc[t] = q;
    fin[t] = s + g.tasks[t].cycles;
    avail[q] = fin[t];
    out[t] = [q, s];
  }
  return out;
}

/** Insertion timeline by a plain scan of the busy intervals (reference for the treap). */
class NaiveTimeline {
  busy: [number, number][] = [];
  earliestStart(ready: number, dur: number): number {
    if (dur === 0) return ready; // markers occupy no time
    const b = this.busy.slice().sort((x, y) => x[0] - y[0]);
    let t = ready;
    for (const [a, e] of b) {
      if (t + dur <= a) return t;
      if (e > t) t = e;
    }
    return t;
  }
  reserve(s: number, d: number) {
    if (d > 0) this.busy.push([s, s + d]);
  }
}

describe('properties on random DAGs (≤ 10 tasks, 1–3 processors)', () => {
  it('every list schedule validates and is ≥ the lower bound, with and without communication', () => {
    fc.assert(
      fc.property(dagArb(10, true), fc.boolean(), ({ costs, adj, bytes, procs }, comm) => {
        const g = smallDag(costs, adj, bytes);
        const m = comm ? commMachine(procs) : zeroCommMachine(procs);
        const lb = lowerBounds(g, m, 'makespan').bound;
        for (const [name, fn] of Object.entries(ALGS)) {
          for (const restarts of [0, 3]) {
            const s = fn(g, m, { restarts, seed: 7 });
            const v = validate(g, m, s);
            if (!v.valid) throw new Error(`${name}: ${v.violations[0].message}`);
            expect(s.makespan!).toBeGreaterThanOrEqual(lb);
          }
        }
      }),
      { numRuns: 150, seed: 42 },
    );
  });

  it('the heap-based ETF equals ETF by definition', () => {
    fc.assert(
      fc.property(dagArb(10, true), fc.boolean(), ({ costs, adj, bytes, procs }, comm) => {
        const g = smallDag(costs, adj, bytes);
        const m = comm ? commMachine(procs) : zeroCommMachine(procs);
        const s = etf(g, m);
        expect(s.tasks.map((t) => [t.processor, t.start])).toEqual(naiveEtf(g, m));
      }),
      { numRuns: 200, seed: 5 },
    );
  });

  it('the gap treap answers like a scan over all busy intervals', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 8 })), { maxLength: 60 }), (ops) => {
        const tl = new Timelines(1, true, 2);
        const ref = new NaiveTimeline();
        for (const [ready, dur] of ops) {
          const a = tl.earliestStart(0, ready, dur);
          expect(a).toBe(ref.earliestStart(ready, dur));
          tl.reserve(0, a, dur);
          ref.reserve(a, dur);
        }
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it('restarts are deterministic per seed and never worse than the plain run', () => {
    fc.assert(
      fc.property(dagArb(10, false), ({ costs, adj, procs }) => {
        const g = smallDag(costs, adj);
        const m = zeroCommMachine(procs);
        for (const fn of Object.values(ALGS)) {
          const a = fn(g, m, { restarts: 5, seed: 11 });
          expect(fn(g, m, { restarts: 5, seed: 11 })).toEqual(a);
          expect(a.makespan!).toBeLessThanOrEqual(fn(g, m).makespan!);
        }
      }),
      { numRuns: 60, seed: 9 },
    );
  });
});

describe('larger graphs', () => {
  it('all five schedule a 3,000-task layered DAG with communication on 16 processors validly', () => {
    const g = randomLayeredDag({ tasks: 3000, seed: 1, maxBytes: 4096, maxCycles: 200 });
    const m: Machine = { procs: 16, bandwidth: 64, latency: 100 };
    const lb = lowerBounds(g, m, 'makespan').bound;
    for (const fn of Object.values(ALGS)) {
      const s = fn(g, m); // validated inside; throws if invalid
      expect(s.makespan!).toBeGreaterThanOrEqual(lb);
    }
  });

  it('ETF placement agrees with the Solver wrapper and reports optimal only at the bound', async () => {
    const g = randomLayeredDag({ tasks: 200, seed: 4 });
    const m = zeroCommMachine(4);
    const r = await getSolver('etf').solve(g, m);
    const p = listProblem(g, m);
    expect(r.value).toBe(etfPlacement(p, p.bl).makespan);
    expect(r.bound).toBe(lowerBounds(g, m, 'makespan').bound);
    expect(r.status).toBe(r.value === r.bound ? 'optimal' : 'feasible');
  });
});
