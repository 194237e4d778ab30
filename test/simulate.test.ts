import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Machine, Schedule, TaskGraph, TaskKind } from '../lib/model/types';
import { simulate, simulateMakespan } from '../lib/model/schedule/simulate';
import { validate } from '../lib/model/schedule/validate';
import { makespanOf } from '../lib/model/schedule/schedule';
import { transferCycles } from '../lib/model/machine';
import { InputError } from '../lib/model/errors';

type E = { from: string; to: string; bytes?: number; delay?: number; loop?: number; data?: 'spikes' | 'state' };
function graph(tasks: [string, number, TaskKind?, number?][], edges: E[], layers = 0): TaskGraph {
  const idx = new Map(tasks.map(([id], i) => [id, i]));
  return {
    name: 'g',
    layers,
    tasks: tasks.map(([id, cycles, kind = 'task', layer = 0]) => ({ id, kind, layer, cycles, gemmCycles: 0, vectorCycles: cycles })),
    edges: edges.map((e) => {
      const x = { from: idx.get(e.from)!, to: idx.get(e.to)!, bytes: e.bytes ?? 0, delay: e.delay ?? 0 } as TaskGraph['edges'][number];
      if (e.loop !== undefined) x.loopLayer = e.loop;
      if (e.data !== undefined) x.data = e.data;
      return x;
    }),
  };
}

// One layer: F (p0) → B (p1) → U (p1), weights U → F with delay w (d = w − 1).
// m: 2 bytes/cycle, latency 1: F→B 10 B = 6 cycles, U→F 6 B = 4 cycles.
const loopGraph = (w: number) =>
  graph(
    [
      ['F', 4, 'F', 1],
      ['B', 3, 'B', 1],
      ['U', 2, 'U', 1],
    ],
    [
      { from: 'F', to: 'B', bytes: 10 },
      { from: 'B', to: 'U' },
      { from: 'U', to: 'F', bytes: 6, delay: w, loop: 1 },
    ],
    1,
  );
const m: Machine = { procs: 2, bandwidth: 2, latency: 1 };
const sched = (bStart = 10): Schedule => ({
  kind: 'periodic',
  procs: 2,
  period: 10,
  tasks: [
    { id: 'F', processor: 0, start: 0 },
    { id: 'B', processor: 1, start: bStart },
    { id: 'U', processor: 1, start: 13 },
  ],
});

describe('simulate: hand-made 2-processor pipeline', () => {
  it('reproduces the period, staleness, utilisation, traffic and memory', () => {
    const g = loopGraph(2);
    expect(validate(g, m, sched()).valid).toBe(true);
    const r = simulate(g, m, sched());
    expect(r.ok).toBe(true);
    expect(r.measuredPeriod).toBe(10);
    expect(r.late.count).toBe(0);
    expect(r.deadlock).toBeNull();
    // F(k) starts at 10k; U(j) + transfer arrives at 10j + 19 → newest j = k − 2 → staleness 1 = d.
    expect(r.staleness).toEqual([{ layer: 1, claimed: 1, measured: 1 }]);
    expect(r.stalenessMatches).toBe(true);
    expect(r.utilisation).toEqual([0.4, 0.5]);
    expect(r.crossBytesPerIteration).toBe(16);
    // p0: one weight version at a time (6 B); p1: master copy 6 B + the F→B buffer 10 B.
    expect(r.peakMemory).toEqual([
      { processor: 0, weightBytes: 6, activationBytes: 0, totalBytes: 6 },
      { processor: 1, weightBytes: 6, activationBytes: 10, totalBytes: 16 },
    ]);
    expect(r.peakMemoryBytes).toBe(16);
    expect(r.simulatedIterations).toBe(32 + 3); // span = ceil(13/10) + 1
  });

  it('counts crossing bytes as lib/model/metrics does: a tensor to two tasks on one processor moves once', () => {
    // F (p0) sends its 10-B spikes to B and W, both on p1: one transfer of 10 B, not 20.
    const g = graph(
      [
        ['F', 4, 'F', 1],
        ['B', 3, 'B', 1],
        ['W', 2, 'Bw', 1],
      ],
      [
        { from: 'F', to: 'B', bytes: 10, data: 'spikes' },
        { from: 'F', to: 'W', bytes: 10, data: 'spikes' },
      ],
      1,
    );
    const s: Schedule = {
      kind: 'periodic',
      procs: 2,
      period: 10,
      tasks: [
        { id: 'F', processor: 0, start: 0 },
        { id: 'B', processor: 1, start: 10 }, // 4 + ceil(10/2) + 1 = 10
        { id: 'W', processor: 1, start: 13 },
      ],
    };
    expect(validate(g, m, s).valid).toBe(true);
    const r = simulate(g, m, s);
    expect(r.ok).toBe(true);
    expect(r.crossBytesPerIteration).toBe(10);
  });

  it('a longer delay than needed: versions stashed, staleness below the claim', () => {
    const g = loopGraph(3); // claims d = 2
    const r = simulate(g, m, sched());
    expect(r.ok).toBe(true);
    expect(r.staleness).toEqual([{ layer: 1, claimed: 2, measured: 1 }]);
    expect(r.stalenessMatches).toBe(false);
    expect(r.messages.join()).toMatch(/layer 1: .* could be smaller/);
    // version j lives on p0 from 10j + 19 to F(j+3) end 10j + 34: two versions at once.
    expect(r.peakMemory[0].weightBytes).toBe(12);
  });

  it('detects lateness of a deliberately invalid schedule', () => {
    const g = loopGraph(2);
    const bad = sched(8); // B before F's data arrives (4 + 6 = 10)
    expect(validate(g, m, bad).violations.map((v) => v.kind)).toEqual(['precedence']);
    const r = simulate(g, m, bad, { iterations: 16 });
    expect(r.ok).toBe(false);
    expect(r.simulatedIterations).toBe(16 + 3);
    expect(r.late.count).toBe(19); // every B instance of the run
    expect(r.late.maxCycles).toBe(2);
    expect(r.late.examples[0]).toEqual({ task: 'B', iteration: 0, processor: 1, scheduled: 8, actual: 10, late: 2 });
    expect(r.measuredPeriod).toBe(10);
  });

  it('self-timed: the loop F→B→U→F (4+6+3+2+4 = 19 cycles over 2 iterations) gives 9.5', () => {
    const r = simulate(loopGraph(2), m, sched(), { mode: 'self-timed' });
    expect(r.measuredPeriod).toBe(9.5);
    expect(r.ok).toBe(true);
  });

  it('reports a deadlock instead of hanging', () => {
    const g = graph(
      [
        ['a', 1],
        ['b', 1],
      ],
      [{ from: 'a', to: 'b' }],
    );
    const s: Schedule = {
      kind: 'periodic',
      procs: 1,
      period: 10,
      tasks: [
        { id: 'a', processor: 0, start: 5 },
        { id: 'b', processor: 0, start: 0 },
      ],
    };
    const r = simulate(g, m, s);
    expect(r.ok).toBe(false);
    expect(r.measuredPeriod).toBeNull();
    expect(r.deadlock).toEqual(['processor 0: b#0 waits for a#0']);
  });

  it('refuses schedules it cannot run', () => {
    const g = loopGraph(2);
    expect(() => simulate(g, m, { ...sched(), tasks: sched().tasks.slice(1) })).toThrow(InputError);
    expect(() => simulate(g, m, { ...sched(), kind: 'makespan' })).toThrow(/simulateMakespan/);
  });
});

describe('simulateMakespan', () => {
  const g = graph(
    [
      ['a', 3],
      ['b', 2],
      ['c', 4],
    ],
    [
      { from: 'a', to: 'b', bytes: 4 },
      { from: 'a', to: 'c' },
    ],
  );
  it('replays a valid schedule and catches a wrong one', () => {
    const s: Schedule = {
      kind: 'makespan',
      procs: 2,
      makespan: 7,
      tasks: [
        { id: 'a', processor: 0, start: 0 },
        { id: 'c', processor: 0, start: 3 },
        { id: 'b', processor: 1, start: 6 }, // 3 + ceil(4/2) + 1 = 6
      ],
    };
    expect(validate(g, m, { ...s, makespan: 8 }).valid).toBe(true);
    const r = simulateMakespan(g, m, { ...s, makespan: 8 });
    expect(r).toMatchObject({ measuredMakespan: 8, ok: true, crossBytes: 4 });
    const early = simulateMakespan(g, m, { ...s, tasks: [s.tasks[0], s.tasks[1], { id: 'b', processor: 1, start: 5 }] });
    expect(early.ok).toBe(false);
    expect(early.late.count).toBe(1);
  });
});

describe('simulator and validator agree', () => {
  // Random graphs with forward edges (delay 0 or more) and backward edges (delay ≥ 1), random
  // integer placements: valid ⇔ the time-triggered run has no late instance and no deadlock.
  const arb = fc.record({
    n: fc.integer({ min: 1, max: 6 }),
    procs: fc.integer({ min: 1, max: 3 }),
    P: fc.integer({ min: 3, max: 20 }),
    cycles: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 6, maxLength: 6 }),
    edges: fc.array(fc.tuple(fc.nat(5), fc.nat(5), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 6 })), { maxLength: 8 }),
    place: fc.array(fc.tuple(fc.nat(2), fc.integer({ min: 0, max: 45 })), { minLength: 6, maxLength: 6 }),
  });
  it('periodic: random schedules', () => {
    let valid = 0;
    fc.assert(
      fc.property(arb, ({ n, procs, P, cycles, edges, place }) => {
        const tasks: [string, number][] = cycles.slice(0, n).map((c, i) => [`v${i}`, c]);
        const es: E[] = edges
          .filter(([a, b]) => a < n && b < n)
          .map(([a, b, d, bytes]) => ({ from: `v${a}`, to: `v${b}`, delay: a < b ? d : Math.max(1, d), bytes }));
        const g = graph(tasks, es);
        const mm: Machine = { procs, bandwidth: 2, latency: 1 };
        const s: Schedule = {
          kind: 'periodic',
          procs,
          period: P,
          tasks: tasks.map(([id], i) => ({ id, processor: place[i][0] % procs, start: place[i][1] })),
        };
        const v = validate(g, mm, s).valid;
        if (v) valid++;
        const r = simulate(g, mm, s, { iterations: 12 });
        return v === (r.late.count === 0 && r.deadlock === null);
      }),
      { numRuns: 500, seed: 21 },
    );
    expect(valid).toBeGreaterThan(20); // the property saw both outcomes
  });

  it('makespan: list schedules replay exactly, perturbed ones agree with validate', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 9 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 120, maxLength: 120 }),
        fc.integer({ min: -4, max: 4 }),
        (n, procs, rnd, shift) => {
          let r = 0;
          const next = (k: number) => rnd[r++ % rnd.length] % k;
          const tasks: [string, number][] = Array.from({ length: n }, (_, i) => [`t${i}`, 1 + next(6)]);
          const es: E[] = [];
          for (let j = 1; j < n; j++) for (let i = 0; i < j; i++) if (next(3) === 0) es.push({ from: `t${i}`, to: `t${j}`, bytes: next(9) });
          const g = graph(tasks, es);
          const mm: Machine = { procs, bandwidth: 3, latency: 1 };
          const proc = tasks.map(() => next(procs));
          const free = new Array<number>(procs).fill(0);
          const start: number[] = [];
          for (let v = 0; v < n; v++) {
            let t = free[proc[v]];
            for (const e of g.edges) if (e.to === v) t = Math.max(t, start[e.from] + g.tasks[e.from].cycles + transferCycles(mm, e.bytes, proc[e.from], proc[v]));
            start.push(t);
            free[proc[v]] = t + g.tasks[v].cycles;
          }
          const s: Schedule = { kind: 'makespan', procs, tasks: tasks.map(([id], v) => ({ id, processor: proc[v], start: start[v] })) };
          s.makespan = makespanOf(g, s);
          expect(simulateMakespan(g, mm, s).ok).toBe(true);
          const victim = next(n);
          const moved: Schedule = { ...s, tasks: s.tasks.map((t, i) => (i === victim ? { ...t, start: Math.max(0, t.start + shift) } : t)) };
          moved.makespan = makespanOf(g, moved);
          return validate(g, mm, moved).valid === simulateMakespan(g, mm, moved).ok;
        },
      ),
      { numRuns: 400, seed: 22 },
    );
  });
});
