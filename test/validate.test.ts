import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Machine, Schedule, TaskGraph } from '../lib/model/types';
import { validate } from '../lib/model/schedule/validate';
import { makespanOf, parseSchedule, loadSchedule, finishTimes } from '../lib/model/schedule/schedule';
import { transferCycles, zeroCommMachine } from '../lib/model/machine';
import { InputError } from '../lib/model/errors';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A graph from [id, cycles] tasks and [from, to, bytes, delay] edges (by id). */
function graph(tasks: [string, number][], edges: [string, string, number?, number?][], name = 'g'): TaskGraph {
  const idx = new Map(tasks.map(([id], i) => [id, i]));
  return {
    name,
    layers: 0,
    tasks: tasks.map(([id, cycles]) => ({ id, kind: 'task', layer: 0, cycles, gemmCycles: 0, vectorCycles: cycles })),
    edges: edges.map(([a, b, bytes = 0, delay = 0]) => ({ from: idx.get(a)!, to: idx.get(b)!, bytes, delay })),
  };
}

const m2: Machine = { procs: 2, bandwidth: 1, latency: 1 };

describe('validate: makespan schedules', () => {
  const g = graph(
    [
      ['F_1', 12],
      ['F_2', 5],
      ['C', 4],
    ],
    [
      ['F_1', 'F_2', 2],
      ['F_1', 'C', 0],
    ],
  );

  it('accepts a correct schedule (comm 2/1 + 1 = 3 across processors)', () => {
    const s: Schedule = {
      kind: 'makespan',
      procs: 2,
      makespan: 20,
      tasks: [
        { id: 'F_1', processor: 0, start: 0 },
        { id: 'F_2', processor: 1, start: 15 },
        { id: 'C', processor: 0, start: 12 },
      ],
    };
    expect(validate(g, m2, s)).toEqual({ valid: true, violations: [] });
  });

  it('names tasks and numbers in a precedence message', () => {
    const s: Schedule = {
      kind: 'makespan',
      procs: 2,
      makespan: 16,
      tasks: [
        { id: 'F_1', processor: 0, start: 0 },
        { id: 'F_2', processor: 1, start: 10 },
        { id: 'C', processor: 0, start: 12 },
      ],
    };
    const r = validate(g, m2, s);
    expect(r.valid).toBe(false);
    expect(r.violations).toEqual([
      { kind: 'precedence', message: 'precedence F_1→F_2: F_2 starts at 10 but F_1 ends at 12 (+3 comm)', tasks: ['F_1', 'F_2'] },
    ]);
  });

  it('returns every violation of a badly broken schedule', () => {
    const g5 = graph(
      [
        ['a', 4],
        ['b', 3],
        ['c', 2],
        ['d', 5],
        ['e', 1],
        ['f', 1],
      ],
      [
        ['a', 'b'],
        ['b', 'c'],
      ],
    );
    const s: Schedule = {
      kind: 'makespan',
      procs: 2,
      makespan: 99,
      tasks: [
        { id: 'a', processor: 0, start: 0 },
        { id: 'b', processor: 0, start: 2 }, // precedence a→b and overlap with a
        { id: 'c', processor: 1, start: 7 },
        { id: 'c', processor: 1, start: 9 }, // duplicate
        { id: 'zz', processor: 0, start: 0 }, // unknown
        { id: 'd', processor: 2, start: 0 }, // processor out of range
        { id: 'e', processor: 1, start: -1 }, // negative start
        // f missing
      ],
    };
    const r = validate(g5, zeroCommMachine(2), s);
    const kinds = r.violations.map((v) => v.kind).sort();
    expect(kinds).toEqual(['duplicate', 'missing', 'negative-start', 'overlap', 'precedence', 'processor', 'unknown-task']);
    const byKind = Object.fromEntries(r.violations.map((v) => [v.kind, v]));
    expect(byKind.missing.tasks).toEqual(['f']);
    expect(byKind.duplicate.tasks).toEqual(['c']);
    expect(byKind['unknown-task'].tasks).toEqual(['zz']);
    expect(byKind.processor.message).toBe('task d is on processor 2, outside 0..1');
    expect(byKind['negative-start'].tasks).toEqual(['e']);
    expect(byKind.precedence.message).toBe('precedence a→b: b starts at 2 but a ends at 4');
    expect(byKind.overlap.message).toBe('overlap on processor 0: a [0, 4) and b [2, 5)');
    // the makespan is not judged while some task is unplaced or broken
  });

  it('checks the stated makespan and the processor count of the machine', () => {
    const s: Schedule = {
      kind: 'makespan',
      procs: 3,
      makespan: 19,
      tasks: [
        { id: 'F_1', processor: 0, start: 0 },
        { id: 'F_2', processor: 1, start: 15 },
        { id: 'C', processor: 2, start: 12 },
      ],
    };
    const r = validate(g, m2, s);
    expect(r.violations.map((v) => v.kind)).toEqual(['processor', 'makespan']);
    expect(r.violations[0].message).toBe('the schedule uses 3 processors but the machine has 2');
    expect(r.violations[1].message).toBe('the stated makespan 19 differs from the last finish 20');
  });

  it('treats delayed edges as precedences in a makespan schedule', () => {
    const gd = graph(
      [
        ['u', 3],
        ['v', 3],
      ],
      [['u', 'v', 0, 2]],
    );
    const s: Schedule = {
      kind: 'makespan',
      procs: 1,
      makespan: 6,
      tasks: [
        { id: 'v', processor: 0, start: 0 },
        { id: 'u', processor: 0, start: 3 },
      ],
    };
    expect(validate(gd, zeroCommMachine(1), s).violations.map((v) => v.kind)).toEqual(['precedence']);
  });

  it('rejects non-integer starts and zero-cycle tasks never overlap', () => {
    const gz = graph(
      [
        ['a', 4],
        ['z', 0],
      ],
      [],
    );
    const ok: Schedule = {
      kind: 'makespan',
      procs: 1,
      makespan: 4,
      tasks: [
        { id: 'a', processor: 0, start: 0 },
        { id: 'z', processor: 0, start: 2 },
      ],
    };
    expect(validate(gz, zeroCommMachine(1), ok).valid).toBe(true);
    const bad: Schedule = { ...ok, tasks: [ok.tasks[0], { id: 'z', processor: 0, start: 2.5 }] };
    expect(validate(gz, zeroCommMachine(1), bad).violations.map((v) => v.kind)).toEqual(['negative-start']);
  });
});

describe('validate: periodic schedules', () => {
  // U→F loop with delay 2: F(k) uses U(k−2).
  const g = graph(
    [
      ['F', 4],
      ['B', 3],
      ['U', 2],
    ],
    [
      ['F', 'B', 10],
      ['B', 'U', 0],
      ['U', 'F', 6, 2],
    ],
  );
  const m: Machine = { procs: 2, bandwidth: 2, latency: 1 }; // 10 B → 6 cycles, 6 B → 4 cycles

  it('accepts a two-processor pipeline with period 6', () => {
    // F on p0 [0,4); B on p1 starts 4 + 6 = 10, ends 13; U on p1 [13,15); F of k+2 starts at 12 ≥ 15 + 4? no:
    // 0 + 2·P ≥ 15 + 4 needs P ≥ 9.5 → use P = 10.
    const s: Schedule = {
      kind: 'periodic',
      procs: 2,
      period: 10,
      tasks: [
        { id: 'F', processor: 0, start: 0 },
        { id: 'B', processor: 1, start: 10 },
        { id: 'U', processor: 1, start: 13 },
      ],
    };
    expect(validate(g, m, s)).toEqual({ valid: true, violations: [] });
    const r = validate(g, m, { ...s, period: 9 });
    expect(r.violations).toEqual([
      { kind: 'precedence', message: 'precedence U→F (delay 2): F starts at 0 + 2·9 = 18 but U ends at 15 (+4 comm)', tasks: ['U', 'F'] },
    ]);
  });

  it('finds a wrap-around overlap modulo P and accepts the touching case', () => {
    const g2 = graph(
      [
        ['A', 4],
        ['B', 2],
      ],
      [],
    );
    const s = (bStart: number): Schedule => ({
      kind: 'periodic',
      procs: 1,
      period: 10,
      tasks: [
        { id: 'A', processor: 0, start: 8 }, // arc [8, 12) = [8,10) ∪ [0,2)
        { id: 'B', processor: 0, start: bStart },
      ],
    });
    const bad = validate(g2, zeroCommMachine(1), s(21)); // residue 1
    expect(bad.violations).toEqual([
      { kind: 'overlap', message: 'overlap on processor 0 (mod P=10): A [8, 12) and B [1, 3)', tasks: ['A', 'B'] },
    ]);
    expect(validate(g2, zeroCommMachine(1), s(22)).valid).toBe(true); // [2,4) touches
    expect(validate(g2, zeroCommMachine(1), s(6)).valid).toBe(true); // [6,8) touches A's start
    expect(validate(g2, zeroCommMachine(1), s(7)).violations.map((v) => v.kind)).toEqual(['overlap']);
  });

  it('reports a task longer than the period and a bad period', () => {
    const s: Schedule = {
      kind: 'periodic',
      procs: 2,
      period: 3,
      tasks: [
        { id: 'F', processor: 0, start: 0 },
        { id: 'B', processor: 1, start: 10 },
        { id: 'U', processor: 1, start: 13 },
      ],
    };
    const r = validate(g, m, s);
    expect(r.violations.filter((v) => v.kind === 'too-long').map((v) => v.message)).toEqual([
      'task F takes 4 cycles, more than the period 3',
    ]);
    const r2 = validate(g, m, { ...s, period: 2.5 });
    expect(r2.violations[0]).toEqual({ kind: 'period', message: 'the period must be a positive integer, got 2.5', tasks: [] });
  });

  it('overlap modulo P against brute force on random arcs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 12 })), { minLength: 1, maxLength: 5 }),
        (P, arcs) => {
          const ok = arcs.filter(([, c]) => c <= P);
          const g2 = graph(ok.map((_, i) => [`t${i}`, ok[i][1]] as [string, number]), []);
          const s: Schedule = { kind: 'periodic', procs: 1, period: P, tasks: ok.map(([st], i) => ({ id: `t${i}`, processor: 0, start: st })) };
          // brute force: occupy unit slots of the circle
          const used = new Array<number>(P).fill(0);
          let clash = false;
          for (const [st, c] of ok) for (let x = st; x < st + c; x++) if (used[x % P]++ > 0) clash = true;
          return validate(g2, zeroCommMachine(1), s).valid === !clash;
        },
      ),
      { numRuns: 400, seed: 7 },
    );
  });
});

describe('validate: link throughput (periodic schedules)', () => {
  // A (5) on p0 sends its spikes (30 B) to B and C on p1 — one tensor, once — and its state
  // (12 B) to C; B (5) on p1 sends a gradient (20 B) back to D (5) on p0. Bandwidth 2 B/cycle,
  // no latency. Link p0→p1: 30 + 12 = 42 B = 21 cycles; link p1→p0: 20 B = 10 cycles (full
  // duplex: a separate link, not added to p0→p1).
  // Timing: A [0,5) p0; spikes take 15 and state 6: B [20,25), C [25,30) on p1; the gradient
  // takes 10: D [35,40) on p0. Modulo 20 or 21 nothing overlaps.
  const ids = ['A', 'B', 'C', 'D'];
  const g: TaskGraph = {
    name: 'links',
    layers: 0,
    tasks: ids.map((id) => ({ id, kind: 'task' as const, layer: 0, cycles: 5, gemmCycles: 0, vectorCycles: 5 })),
    edges: [
      { from: 0, to: 1, bytes: 30, delay: 0, data: 'spikes' },
      { from: 0, to: 2, bytes: 30, delay: 0, data: 'spikes' },
      { from: 0, to: 2, bytes: 12, delay: 0, data: 'state' },
      { from: 1, to: 3, bytes: 20, delay: 0, data: 'grad' },
    ],
  };
  const m: Machine = { procs: 2, bandwidth: 2, latency: 0 };
  const tasks = [
    { id: 'A', processor: 0, start: 0 },
    { id: 'B', processor: 1, start: 20 },
    { id: 'C', processor: 1, start: 25 },
    { id: 'D', processor: 0, start: 35 },
  ];

  it('a link busier than the period is a violation naming the pair, bytes, cycles and period', () => {
    expect(validate(g, m, { kind: 'periodic', procs: 2, period: 20, tasks })).toEqual({
      valid: false,
      violations: [
        {
          kind: 'link',
          message: 'link p0→p1 carries 42 bytes per iteration: 21 cycles at 2 B/cycle, more than the period 20 (tensors of A)',
          tasks: ['A'],
        },
      ],
    });
  });

  it('at the link bound the schedule is valid; the two directions are separate links', () => {
    expect(validate(g, m, { kind: 'periodic', procs: 2, period: 21, tasks })).toEqual({ valid: true, violations: [] });
  });

  it('makespan schedules are one-shot: no link check', () => {
    expect(validate(g, m, { kind: 'makespan', procs: 2, makespan: 40, tasks })).toEqual({ valid: true, violations: [] });
  });

  it("the 'link' verdict is exactly ceil(bytes/bandwidth) > P on some link (random placements)", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(2), { minLength: 4, maxLength: 4 }), fc.integer({ min: 5, max: 40 }), (proc, P) => {
        const m3: Machine = { procs: 3, bandwidth: 2, latency: 0 };
        const s: Schedule = { kind: 'periodic', procs: 3, period: P, tasks: ids.map((id, i) => ({ id, processor: proc[i], start: 1000 * i })) };
        const linkViolations = validate(g, m3, s).violations.filter((v) => v.kind === 'link');
        // Brute force: bytes per ordered pair from the definition (one tensor once per destination processor).
        const pairs = new Map<string, number>();
        const addT = (from: number, to: number, b: number) => {
          if (from === to) return;
          pairs.set(`${from}>${to}`, (pairs.get(`${from}>${to}`) ?? 0) + b);
        };
        // A's spikes: once per distinct processor among B's and C's (≠ A's).
        for (const q of new Set([proc[1], proc[2]])) addT(proc[0], q, 30);
        addT(proc[0], proc[2], 12);
        addT(proc[1], proc[3], 20);
        const over = [...pairs.values()].filter((b) => Math.ceil(b / 2) > P).length;
        expect(linkViolations.length).toBe(over);
      }),
      { numRuns: 200, seed: 3 },
    );
  });
});

/** Random DAG + list schedule: tasks in index order, each on a chosen processor, ASAP. */
const dagAndSchedule = fc
  .record({
    n: fc.integer({ min: 2, max: 12 }),
    procs: fc.integer({ min: 1, max: 3 }),
    bandwidth: fc.integer({ min: 1, max: 8 }),
    latency: fc.integer({ min: 0, max: 5 }),
    seed: fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 200, maxLength: 200 }),
  })
  .map(({ n, procs, bandwidth, latency, seed }) => {
    let r = 0;
    const next = (k: number) => seed[r++ % seed.length] % k;
    const tasks: [string, number][] = [];
    for (let i = 0; i < n; i++) tasks.push([`t${i}`, 1 + next(9)]);
    const edges: [string, string, number, number][] = [];
    for (let j = 1; j < n; j++) for (let i = 0; i < j; i++) if (next(3) === 0) edges.push([`t${i}`, `t${j}`, next(20), 0]);
    const g = graph(tasks, edges);
    const m: Machine = { procs, bandwidth, latency };
    const proc = tasks.map(() => next(procs));
    const free = new Array<number>(procs).fill(0);
    const start: number[] = [];
    for (let v = 0; v < n; v++) {
      let t = free[proc[v]];
      for (const e of g.edges) if (e.to === v) t = Math.max(t, start[e.from] + g.tasks[e.from].cycles + transferCycles(m, e.bytes, proc[e.from], proc[v]));
      start.push(t);
      free[proc[v]] = t + g.tasks[v].cycles;
    }
    const s: Schedule = { kind: 'makespan', procs, tasks: tasks.map(([id], v) => ({ id, processor: proc[v], start: start[v] })) };
    s.makespan = makespanOf(g, s);
    return { g, m, s };
  });

describe('validate: properties', () => {
  it('list schedules of random DAGs validate', () => {
    fc.assert(
      fc.property(dagAndSchedule, ({ g, m, s }) => validate(g, m, s).valid),
      { numRuns: 300, seed: 11 },
    );
  });

  it('moving a task before a predecessor ends gives precedence violations only, one of them that edge', () => {
    fc.assert(
      fc.property(dagAndSchedule, fc.nat(), ({ g, s }, pick) => {
        if (g.edges.length === 0) return true;
        const e = g.edges[pick % g.edges.length];
        const u = g.tasks[e.from].id;
        const v = g.tasks[e.to].id;
        const fin = finishTimes(g, s);
        // v alone on a fresh processor, no communication: only precedences can break.
        // (zeroCommMachine is free only for 0-byte edges: use an unbounded link instead)
        const m: Machine = { procs: s.procs + 1, bandwidth: Infinity, latency: 0 };
        const moved: Schedule = {
          ...s,
          procs: s.procs + 1,
          tasks: s.tasks.map((t) => (t.id === v ? { id: v, processor: s.procs, start: fin[e.from] - 1 } : t)),
        };
        moved.makespan = makespanOf(g, moved);
        const r = validate(g, m, moved);
        expect(r.violations.length).toBeGreaterThan(0);
        for (const x of r.violations) {
          expect(x.kind).toBe('precedence');
          expect(x.tasks[1]).toBe(v);
        }
        expect(r.violations.some((x) => x.tasks[0] === u)).toBe(true);
        return true;
      }),
      { numRuns: 300, seed: 12 },
    );
  });
});

describe('schedule files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sched-'));
  it('loads a schedule and drops unknown properties', () => {
    const f = join(dir, 's.json');
    writeFileSync(f, JSON.stringify({ kind: 'periodic', procs: 2, period: 10, note: 'x', tasks: [{ id: 'a', processor: 1, start: 3 }] }));
    expect(loadSchedule(f)).toEqual({ kind: 'periodic', procs: 2, period: 10, tasks: [{ id: 'a', processor: 1, start: 3 }] });
  });
  it('rejects schema violations with the JSON path', () => {
    const bad = (x: unknown) => () => parseSchedule(x, 's.json');
    expect(bad({ kind: 'periodic', procs: 2, tasks: [] })).toThrow(new InputError('s.json: /period', 'required property is missing'));
    expect(bad({ kind: 'makespan', procs: 2, makespan: 3, tasks: [{ id: 'a', processor: 1.5, start: 0 }] })).toThrow(
      'tasks/0/processor',
    );
    expect(bad({ kind: 'weekly', procs: 2, tasks: [] })).toThrow('/kind');
    expect(bad([])).toThrow(InputError);
  });
  it('a missing file is an InputError', () => {
    expect(() => loadSchedule(join(dir, 'nope.json'))).toThrow(InputError);
  });
});

import { runCli } from '../lib/app/cli/main';
import type { CliIO } from '../lib/app/cli/io';
import { loadStg } from '../lib/model/io/stg';

describe('spikepipe validate', () => {
  const STG = 'networks/stg/50/rand0000.stg';
  const capture = () => {
    const io = { stdout: '', stderr: '', isTTY: false, out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
    return io as CliIO & { stdout: string; stderr: string };
  };
  const dir = mkdtempSync(join(tmpdir(), 'val-'));
  // A one-processor schedule in file order (STG ids are topologically ordered): valid.
  const g = loadStg(STG);
  let t = 0;
  const seq: Schedule = { kind: 'makespan', procs: 1, tasks: g.tasks.map((x) => ({ id: x.id, processor: 0, start: (t += x.cycles) - x.cycles })) };
  seq.makespan = t;

  it('exit 0 and "valid" for a valid schedule', async () => {
    const f = join(dir, 'ok.json');
    writeFileSync(f, JSON.stringify(seq));
    const io = capture();
    expect(await runCli(['validate', STG, f], io)).toBe(0);
    expect(io.stdout).toMatch(/^valid: .* \(makespan, makespan 262, 50 tasks on 1 of 1 processors\)\n$/);
  });

  it('exit 1 and every violation for an invalid one (text and JSON)', async () => {
    const bad: Schedule = { ...seq, makespan: 100, tasks: seq.tasks.slice(0, 49).map((x) => (x.id === 't5' ? { ...x, start: 0 } : x)) };
    const f = join(dir, 'bad.json');
    writeFileSync(f, JSON.stringify(bad));
    const io = capture();
    expect(await runCli(['validate', STG, f], io)).toBe(1);
    expect(io.stdout).toMatch(/^invalid: .*: 3 violations\n/);
    expect(io.stdout).toContain('  missing: 1 task not scheduled: t50\n');
    expect(io.stdout).toContain('  precedence: precedence t1→t5: t5 starts at 0 but t1 ends at 9\n');
    expect(io.stdout).toContain('  overlap: overlap on processor 0: t1 [0, 9) and t5 [0, 4)\n');
    const js = capture();
    expect(await runCli(['validate', STG, f, '--json'], js)).toBe(1);
    const r = JSON.parse(js.stdout);
    expect(r.valid).toBe(false);
    expect(r.violations.map((v: { kind: string }) => v.kind)).toContain('missing');
  });

  it('exit 2 on bad input', async () => {
    const f = join(dir, 'broken.json');
    writeFileSync(f, '{"kind": "makespan", "procs": 1,');
    const io = capture();
    expect(await runCli(['validate', STG, f], io)).toBe(2);
    expect(io.stderr).toMatch(/^spikepipe: .*broken\.json: line 1 column \d+: /);
  });
});

import { readFileSync } from 'node:fs';
import { loadNetwork } from '../lib/model/spec/network';
import { defaultHardware } from '../lib/model/spec/hardware';
import { buildTrainingGraph } from '../lib/model/graph/training';

describe('spikepipe validate on a network schedule, with --simulate and --trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'valnet-'));
  const g = buildTrainingGraph(loadNetwork('tiny-fc'), defaultHardware(), { staleness: undefined });
  // sequential: one processor, tasks in the graph's (topological) order, period = total work
  let t = 0;
  const s: Schedule = { kind: 'periodic', procs: 1, period: 0, tasks: g.tasks.map((x) => ({ id: x.id, processor: 0, start: (t += x.cycles) - x.cycles })) };
  s.period = t;
  const capture = () => {
    const io = { stdout: '', stderr: '', isTTY: false, out: (x: string) => void (io.stdout += x), err: (x: string) => void (io.stderr += x) };
    return io as CliIO & { stdout: string; stderr: string };
  };

  it('valid, simulated period = P, staleness 0, trace written', async () => {
    const f = join(dir, 'seq.json');
    const tr = join(dir, 'trace.json');
    writeFileSync(f, JSON.stringify(s));
    const io = capture();
    expect(await runCli(['validate', 'tiny-fc', f, '--simulate', '--json', '--trace', tr, '--iterations', '2'], io)).toBe(0);
    const r = JSON.parse(io.stdout);
    expect(r.valid).toBe(true);
    expect(r.simulation.ok).toBe(true);
    expect(r.simulation.measuredPeriod).toBe(s.period);
    expect(r.simulation.staleness.every((x: { measured: number }) => x.measured === 0)).toBe(true);
    const trace = JSON.parse(readFileSync(tr, 'utf8'));
    expect(trace.traceEvents.filter((e: { ph: string }) => e.ph === 'X')).toHaveLength(2 * g.tasks.length);
  });

  it('a period one cycle too short: invalid (exit 1), and the simulation sees lateness', async () => {
    const f = join(dir, 'short.json');
    writeFileSync(f, JSON.stringify({ ...s, period: s.period! - 1 }));
    const io = capture();
    expect(await runCli(['validate', 'tiny-fc', f, '--simulate'], io)).toBe(1);
    expect(io.stdout).toMatch(/^invalid: /);
    expect(io.stdout).toMatch(/simulated 32 iterations \(time-triggered\): FAILED, .* late [1-9]/);
  });
});
