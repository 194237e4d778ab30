/**
 * Heterogeneous processors (README, Heterogeneous processors): hardware groups, per-type task
 * costs, the validator, simulator and bounds on per-processor durations, the list schedulers on
 * Topcuoglu, Hariri & Wu's example, DAG files, speed-aware partitions and `compare` on a mixed
 * machine.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Machine, Schedule, Task, TaskGraph } from '../lib/model/types';
import { loadNetwork } from '../lib/model/spec/network';
import { loadHardware, machineFromHardware, resolveHardware } from '../lib/model/spec/hardware';
import { buildTrainingGraph } from '../lib/model/graph/training';
import { taskCycles } from '../lib/model/durations';
import { validate } from '../lib/model/schedule/validate';
import { simulateMakespan } from '../lib/model/schedule/simulate';
import { lowerBounds } from '../lib/model/bounds';
import { dagMachine, loadDag, parseDag } from '../lib/model/io/dag';
import { heft } from '../solvers/list/heft';
import { listProblem, upwardRanks } from '../solvers/list/core';
import { cpop } from '../solvers/list/cpop';
import { peft } from '../solvers/list/peft';
import { etf } from '../solvers/list/etf';
import { hlfet } from '../solvers/list/hlfet';
import { minMaxPartition } from '../solvers/pipeline/partition';
import { getSolver } from '../solvers/registry';
import { compare } from '../lib/app/pipeline/compare';
import { runCli } from '../lib/app/cli/main';
import { capture } from './helpers/cli';

const TOPCUOGLU = 'networks/dag/topcuoglu2002.json';

describe('hardware groups', () => {
  it('mixed-128-64: four processors of two types, durations per type (hand-computed)', () => {
    const hw = loadHardware('mixed-128-64');
    expect(hw.processors).toBe(4);
    const m = machineFromHardware(hw);
    expect(m.procType).toEqual([0, 0, 1, 1]);
    expect(m.typeNames).toEqual(['128x128', '64x64']);
    const g = buildTrainingGraph(loadNetwork('mnist-fc'), hw);
    const f1 = g.tasks.find((t) => t.id === 'F_1')!;
    // F_1: ws GEMM M=500, K=784, N=B·T=512 plus the IIR forward T·ceil(B·n/V)·2.
    // 128×128: 7·4 folds · (256+128+512−2) = 25032, IIR 8·250·2 = 4000 → 29032.
    // 64×64: 13·8 folds · (128+64+512−2) = 73008, IIR 8·500·2 = 8000 → 81008.
    expect(f1.cyclesByType).toEqual([29032, 81008]);
    expect(f1.cycles).toBe(29032);
    expect([0, 1, 2, 3].map((p) => taskCycles(f1, p, m))).toEqual([29032, 29032, 81008, 81008]);
    // Homogeneous graphs are unchanged: no per-type costs, the default hardware's numbers.
    const plain = buildTrainingGraph(loadNetwork('mnist-fc'), loadHardware());
    expect(plain.tasks.find((t) => t.id === 'F_1')).toMatchObject({ cycles: 29032 });
    expect(plain.tasks.some((t) => t.cyclesByType !== undefined)).toBe(false);
  });

  it('a faster group clock: durations in cycles of the top-level (reference) clock', () => {
    const hw = resolveHardware({ clockHz: 1e9, groups: [{ count: 1, array: { rows: 128, cols: 128 } }, { count: 1, array: { rows: 64, cols: 64 }, clockHz: 2e9 }] }, 'x.json');
    const g = buildTrainingGraph(loadNetwork('mnist-fc'), hw);
    // 81008 cycles at 2 GHz = 40504 cycles of the 1 GHz reference clock.
    expect(g.tasks.find((t) => t.id === 'F_1')!.cyclesByType).toEqual([29032, 40504]);
  });

  it('bad groups and a processor count that does not match: one line naming the file and path', () => {
    const bad = (spec: unknown) => () => resolveHardware(spec, 'hw.json');
    expect(bad({ groups: [{ count: 0, array: { rows: 4, cols: 4 } }] })).toThrow('hw.json: /groups/0/count: must be >= 1, got 0');
    expect(bad({ groups: [{ count: 2 }] })).toThrow('hw.json: /groups/0/array: required property is missing');
    expect(bad({ groups: [{ count: 2, array: { rows: 4 } }] })).toThrow('hw.json: /groups/0/array/cols: required property is missing');
    expect(bad({ processors: 3, groups: [{ count: 2, array: { rows: 4, cols: 4 } }] })).toThrow('hw.json: /processors: 3 processors, but the groups hold 2');
    expect(() => machineFromHardware(loadHardware('mixed-128-64'), 2)).toThrow(
      '--procs: hardware mixed-128-64 has 4 processors in groups (2×128x128 + 2×64x64); the processor count must be 4, got 2',
    );
  });

  it('the CLI: exit 2 with the message', async () => {
    const io = capture();
    expect(await runCli(['schedule', 'mnist-fc', '--procs', '2', '--method', 'pipedream', '--hw', 'mixed-128-64'], io)).toBe(2);
    expect(io.stderr).toBe('spikepipe: --procs: hardware mixed-128-64 has 4 processors in groups (2×128x128 + 2×64x64); the processor count must be 4, got 2\n');
  });
});

/** A task graph with per-processor costs (processor = type). */
function dag(costs: number[][], edges: [number, number, number][]): { g: TaskGraph; m: Machine } {
  const g = parseDag(
    {
      format: 'dag',
      name: 'tiny',
      processors: costs[0].length,
      tasks: costs.map((c, i) => ({ id: `t${i}`, costs: c })),
      edges: edges.map(([a, b, comm]) => ({ from: `t${a}`, to: `t${b}`, comm })),
    },
    'tiny.json',
  );
  return { g, m: dagMachine(g) };
}

describe('judges on per-processor durations', () => {
  it('the validator rejects a schedule that is valid only with the fast durations', () => {
    const { g, m } = dag([[5, 10], [3, 3]], [[0, 1, 0]]);
    const fast: Schedule = { kind: 'makespan', procs: 2, makespan: 8, tasks: [{ id: 't0', processor: 0, start: 0 }, { id: 't1', processor: 0, start: 5 }] };
    expect(validate(g, m, fast).valid).toBe(true);
    const slow: Schedule = { ...fast, tasks: [{ id: 't0', processor: 1, start: 0 }, { id: 't1', processor: 1, start: 5 }] };
    const v = validate(g, m, slow);
    expect(v.valid).toBe(false);
    expect(v.violations.map((x) => x.message)).toEqual(['precedence t0→t1: t1 starts at 5 but t0 ends at 10', 'overlap on processor 1: t0 [0, 10) and t1 [5, 8)', 'the stated makespan 8 differs from the last finish 10']);
    const periodic: Schedule = { kind: 'periodic', procs: 2, period: 6, tasks: [{ id: 't0', processor: 1, start: 0 }, { id: 't1', processor: 0, start: 10 }] };
    expect(validate(g, m, periodic).violations[0].message).toBe('task t0 takes 10 cycles on processor 1, more than the period 6');
    expect(simulateMakespan(g, m, { ...slow, makespan: 13, tasks: [{ id: 't0', processor: 1, start: 0 }, { id: 't1', processor: 1, start: 10 }] }).measuredMakespan).toBe(13);
  });

  it('bounds stay below the optimum found by brute force on a tiny heterogeneous graph', () => {
    // Four tasks on two processors of different speeds, a diamond with transfers.
    const { g, m } = dag([[4, 9], [6, 2], [7, 3], [2, 5]], [[0, 1, 1], [0, 2, 2], [1, 3, 3], [2, 3, 1]]);
    const opt = bruteForceMakespan(g, m);
    // By hand: t0 on p0 [0, 4), t1 on p0 [4, 10), t2 on p1 [6, 9) (4 + comm 2), t3 on p0 [10, 12).
    expect(opt).toBe(12);
    const b = lowerBounds(g, m, 'makespan');
    // Smallest durations 4, 2, 3, 2: critical path 4 + 3 + 2 = 9, work ceil(11/2) = 6, longest 4.
    expect([b.criticalPath, b.workBound, b.longestTask, b.bound]).toEqual([9, 6, 4, 9]);
    expect(b.bound).toBeLessThanOrEqual(opt);
    for (const f of [heft, cpop, peft, etf, hlfet]) {
      const s = f(g, m);
      expect(validate(g, m, s).valid).toBe(true);
      expect(s.makespan!).toBeGreaterThanOrEqual(opt);
    }
  });
});

/** Optimal makespan: every assignment, every task order, each task as early as possible. */
function bruteForceMakespan(g: TaskGraph, m: Machine): number {
  const n = g.tasks.length;
  let best = Infinity;
  const perms = (xs: number[]): number[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p])));
  for (let a = 0; a < m.procs ** n; a++) {
    const proc = Array.from({ length: n }, (_, i) => Math.floor(a / m.procs ** i) % m.procs);
    for (const order of perms(Array.from({ length: n }, (_, i) => i))) {
      const pos = new Map(order.map((v, k) => [v, k]));
      if (g.edges.some((e) => pos.get(e.from)! > pos.get(e.to)!)) continue;
      const finish = new Array<number>(n).fill(0);
      const free = new Array<number>(m.procs).fill(0);
      for (const v of order) {
        let s = free[proc[v]];
        for (const e of g.edges) if (e.to === v) s = Math.max(s, finish[e.from] + (proc[e.from] === proc[v] ? 0 : e.bytes));
        finish[v] = s + taskCycles(g.tasks[v] as Task, proc[v], m);
        free[proc[v]] = finish[v];
      }
      best = Math.min(best, Math.max(...finish));
    }
  }
  return best;
}

describe('Topcuoglu, Hariri & Wu 2002, Fig. 2 (10 tasks, 3 processors)', () => {
  const g = loadDag(TOPCUOGLU);
  const m = dagMachine(g);

  it("HEFT's upward ranks on mean costs and mean communication are the paper's", () => {
    const ru = upwardRanks(listProblem(g, m));
    expect(Array.from(ru, (x) => Math.round(x * 1000) / 1000)).toEqual([108, 77, 80, 80, 69, 63.333, 42.667, 35.667, 44.333, 14.667]);
  });

  it('HEFT gives the paper\'s makespan 80 and its schedule', () => {
    const s = heft(g, m);
    expect(s.makespan).toBe(80);
    const at = Object.fromEntries(s.tasks.map((t) => [t.id, `P${t.processor + 1}@${t.start}`]));
    expect(at).toEqual({ n1: 'P3@0', n2: 'P1@27', n3: 'P3@9', n4: 'P2@18', n5: 'P3@28', n6: 'P2@26', n7: 'P3@38', n8: 'P1@57', n9: 'P2@56', n10: 'P2@73' });
    expect(validate(g, m, s).valid).toBe(true);
    expect(simulateMakespan(g, m, s).measuredMakespan).toBe(80);
  });

  it("CPOP gives the paper's 86, its critical path n1, n2, n9, n10 on P2 (16 + 19 + 12 + 7 = 54)", () => {
    const s = cpop(g, m);
    expect(s.makespan).toBe(86);
    for (const id of ['n1', 'n2', 'n9', 'n10']) expect(s.tasks.find((t) => t.id === id)!.processor).toBe(1);
    expect(validate(g, m, s).valid).toBe(true);
  });

  it('PEFT, ETF, HLFET: valid schedules above the lower bound', () => {
    const lb = lowerBounds(g, m, 'makespan').bound;
    for (const f of [peft, etf, hlfet]) {
      const s = f(g, m);
      expect(validate(g, m, s).valid).toBe(true);
      expect(s.makespan!).toBeGreaterThanOrEqual(lb);
    }
  });

  it('the exact solvers take per-processor durations: bnb proves 73 (more in test/hetero-exact.test.ts)', async () => {
    const r = await getSolver('bnb').solve(g, m, { restarts: 0 });
    expect(r).toMatchObject({ status: 'optimal', value: 73, bound: 73 });
  });

  it('spikepipe schedule <dag.json> --method heft, and bad DAG files: exit 2 naming the file and JSON path', async () => {
    const io = capture();
    expect(await runCli(['schedule', TOPCUOGLU, '--procs', '3', '--method', 'heft', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout)).toMatchObject({ solver: 'heft', makespan: 80, simulatedMakespan: 80 });
    const io2 = capture();
    expect(await runCli(['bounds', TOPCUOGLU, '--procs', '3', '--json'], io2)).toBe(0);
    // Smallest costs along n1, n2, n9, n10: 9 + 13 + 12 + 7 = 41; work ceil(91 / 3) = 31.
    expect(JSON.parse(io2.stdout)).toMatchObject({ criticalPath: 41, workBound: 31, bound: 41 });
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hetero-')), 'heft.json');
    expect(await runCli(['schedule', TOPCUOGLU, '--procs', '3', '--method', 'cpop', '--out', out], capture())).toBe(0);
    const io3 = capture();
    expect(await runCli(['validate', TOPCUOGLU, out, '--procs', '3', '--simulate'], io3)).toBe(0);
    const moved = JSON.parse(fs.readFileSync(out, 'utf8'));
    moved.tasks = moved.tasks.map((t: { id: string; processor: number }) => (t.id === 'n10' ? { ...t, processor: 0 } : t));
    fs.writeFileSync(out, JSON.stringify(moved));
    const io4 = capture();
    expect(await runCli(['validate', TOPCUOGLU, out, '--procs', '3'], io4)).toBe(1); // n10 takes 21 on P1, not 7
    expect(io4.stdout + io4.stderr).toMatch(/makespan 86 differs from the last finish 100/);
    const wrong = capture();
    expect(await runCli(['schedule', TOPCUOGLU, '--procs', '2', '--method', 'heft'], wrong)).toBe(2);
    expect(wrong.stderr).toBe('spikepipe: --procs: topcuoglu2002 has a cost table for 3 processors; the processor count must be 3, got 2\n');
  });

  it('bad DAG input', () => {
    const base = { format: 'dag', processors: 2, tasks: [{ id: 'a', costs: [1, 2] }, { id: 'b', costs: [3, 4] }], edges: [{ from: 'a', to: 'b', comm: 5 }] };
    const bad = (d: unknown) => () => parseDag(d, 'd.json');
    expect(bad({ ...base, processors: 0 })).toThrow('d.json: /processors: must be >= 1, got 0');
    expect(bad({ ...base, tasks: [{ id: 'a', costs: [1] }, base.tasks[1]] })).toThrow('d.json: /tasks/0/costs: task a has 1 costs, one per processor needed (2)');
    expect(bad({ ...base, tasks: [{ id: 'a', costs: [1, -3] }, base.tasks[1]] })).toThrow('d.json: /tasks/0/costs/1: must be >= 0, got -3');
    expect(bad({ ...base, edges: [{ from: 'a', to: 'c' }] })).toThrow('d.json: /edges/0/to: no task c');
  });
});

describe('pipelines on a mixed machine', () => {
  it('the contiguous partition is speed-aware: stage k costs its layers on processor k', () => {
    expect(minMaxPartition([4, 4, 4], 2).stages.map((s) => [s.first, s.last])).toEqual([[0, 0], [1, 2]]);
    const fastThenSlow = (k: number) => (k === 0 ? [4, 4, 4] : [8, 8, 8]);
    const p = minMaxPartition([4, 4, 4], 2, fastThenSlow);
    expect(p.stages.map((s) => [s.first, s.last])).toEqual([[0, 1], [2, 2]]);
    expect(p.stageCosts).toEqual([8, 8]);
  });

  it('compare on 2×128×128 + 2×64×64: every method valid and simulated, SpikePipe never slower than GPipe or PipeDream', async () => {
    const { rows } = await compare({ networks: ['mnist-fc', 'fmnist-conv'], procs: [4], hw: loadHardware('mixed-128-64'), iterations: 8 });
    for (const net of ['mnist-fc', 'fmnist-conv']) {
      const of = (method: string) => rows.find((r) => r.network === net && r.method === method)!;
      for (const r of rows.filter((x) => x.network === net)) {
        expect(r.valid, `${net} ${r.method}`).toBe(true);
        expect(r.simulatedPeriod, `${net} ${r.method}`).toBe(r.period);
      }
      expect(of('spikepipe').period!).toBeLessThanOrEqual(of('gpipe').period!);
      expect(of('spikepipe').period!).toBeLessThanOrEqual(of('pipedream').period!);
    }
    const periods = Object.fromEntries(rows.map((r) => [`${r.network} ${r.method}`, r.period]));
    expect(periods['mnist-fc pipedream']).toBe(70316);
    expect(periods['mnist-fc spikepipe']).toBe(44584);
    expect(periods['fmnist-conv spikepipe']).toBe(1003710);
  }, 300_000);
});
