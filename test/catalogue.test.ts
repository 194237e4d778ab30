// The catalogue (solvers/registry.ts) is the only list of methods and solvers: a method or a
// list scheduler defined and registered from this test file appears in `compare`, in a sweep,
// in the tables and on the command line with nothing else edited. Options are typed per method:
// one a method does not take is refused with one line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Machine, Schedule, TaskGraph } from '../lib/model/types';
import { defaultHardware } from '../lib/model/spec/hardware';
import { loadStg } from '../lib/model/io/stg';
import { buildTrainingGraph } from '../lib/model/graph/training';
import { trainingRecipe } from '../lib/model/graph/recipe';
import { requireTopoOrder, totalWork } from '../lib/model/graph/taskgraph';
import { lowerBounds } from '../lib/model/bounds';
import { compare } from '../lib/app/pipeline/compare';
import { runSweep } from '../lib/app/sweep/run';
import { parseSweepSpec } from '../lib/app/sweep/spec';
import { joinCells } from '../lib/app/pipeline/cells';
import { runStgBenchmark, summarize } from '../lib/app/stg/benchmark';
import { runCli } from '../lib/app/cli/main';
import { pipelineSweep } from '../lib/app/reproduce/plan';
import { commTable, speedupTable } from '../reports/pipeline-tables';
import { stgAppTable, stgSummaryTable } from '../reports/stg-tables';
import { defineOptions } from '../solvers/options';
import { defineMethod } from '../solvers/pipeline/method';
import type { Solver } from '../solvers/solver';
import { listSolvers, methodNames, registerMethod, registerSolver, solverNames } from '../solvers/registry';
import { capture } from './helpers/cli';

/** Every task of the layer graph back to back on processor `on` (a valid, slow schedule). */
function serialOn(g: TaskGraph, procs: number, on: number): Schedule {
  let t = 0;
  const tasks = requireTopoOrder(g).map((v) => {
    const s = { id: g.tasks[v].id, processor: on, start: t };
    t += g.tasks[v].cycles;
    return s;
  });
  return { kind: 'periodic', procs, period: Math.max(1, totalWork(g)), tasks, staleness: new Array<number>(g.layers).fill(0), method: 'test-serial', graph: g.name };
}

const testMethod = defineMethod({
  name: 'test-serial',
  title: 'TestSerial',
  description: 'test: every task on one processor of choice',
  kind: 'search',
  options: defineOptions({ processor: { type: 'integer', min: 0, default: 0, description: 'the processor that runs everything' } }),
  async run(ctx, options) {
    const recipe = trainingRecipe('spikepipe', 'layer', ctx.net.spec.batch, 'spec');
    const graph = buildTrainingGraph(ctx.net, ctx.hw, recipe);
    const schedule = serialOn(graph, ctx.procs, Math.min(options.processor, ctx.procs - 1));
    return {
      method: 'test-serial',
      graph,
      recipe,
      schedule,
      period: schedule.period!,
      staleness: schedule.staleness!,
      status: 'feasible',
      bound: 0,
      boundScope: 'method',
      details: { processor: options.processor },
      notes: [],
      solverSeconds: 0,
    };
  },
});

const testSolver: Solver = {
  name: 'test-list',
  objective: 'makespan',
  kind: 'list',
  description: 'test: every task on processor 0 in topological order',
  options: {},
  async solve(g: TaskGraph, m: Machine) {
    const s = serialOn(g, m.procs, 0);
    const makespan = totalWork(g);
    const bound = lowerBounds(g, m, 'makespan').bound;
    return {
      solver: 'test-list',
      status: makespan <= bound ? 'optimal' : 'feasible',
      schedule: { ...s, kind: 'makespan', period: undefined, makespan },
      value: makespan,
      bound,
      gap: (makespan - bound) / bound,
      seconds: 0,
    };
  },
};

describe('a method registered from a test file', () => {
  const hw = defaultHardware();
  let unregister: (() => void)[] = [];
  beforeAll(() => {
    unregister = [registerMethod(testMethod), registerSolver(testSolver)];
  });
  afterAll(() => unregister.forEach((f) => f()));

  it('is in the catalogue after the shipped ones, and reproduce plans it', () => {
    expect(methodNames().at(-1)).toBe('test-serial');
    expect(solverNames('list').at(-1)).toBe('test-list');
    expect(pipelineSweep('quick').methods).toContain('test-serial');
    expect(() => registerMethod(testMethod)).toThrow(/exists already/);
  });

  it('compare runs it: tiny-fc at 2, period = total work 1972 (as sequential), validated and simulated', async () => {
    const { rows } = await compare({ networks: ['tiny-fc'], procs: [2], methods: ['test-serial'], hw, options: { 'test-serial': { processor: 1 } } });
    expect(rows.map((r) => [r.method, r.period, r.simulatedPeriod, r.valid, r.speedupVsSequential])).toEqual([['test-serial', 1972, 1972, true, 1]]);
    await expect(compare({ networks: ['tiny-fc'], procs: [2], methods: ['test-serial'], hw, options: { 'test-serial': { processor: -1 } } })).rejects.toThrow(
      /options: test-serial: processor: must be an integer ≥ 0, got -1/,
    );
  });

  it('a sweep takes it, and the tables show its column and rows', async () => {
    const spec = parseSweepSpec({ networks: ['tiny-fc'], procs: [2], methods: ['sequential', 'gpipe', 'pipedream', 'test-serial'], options: { 'test-serial': { processor: 1 } } }, 'spec');
    const rows = joinCells((await runSweep(spec, { workers: 1 })).map((r) => r.result));
    const mine = rows.find((r) => r.method === 'test-serial')!;
    expect([mine.period, mine.valid, mine.speedupVsPipeDream]).toEqual([1972, true, 1183 / 1972]);
    const speedup = speedupTable(rows);
    expect(speedup.columns.map((c) => c.title)).toContain('TestSerial');
    expect(speedup.rows.find((r) => r.network === 'tiny-fc')!['test-serial']).toBe('1972');
    expect(commTable(rows).rows.map((r) => r.method)).toEqual(['GPipe', 'PipeDream', 'TestSerial']);
  });

  it('the command line lists it and schedules with it', async () => {
    const help = capture();
    await runCli(['schedule', '--help'], help);
    expect(help.stdout).toMatch(/test-serial \(search\): test: every task on one processor of choice/);
    const io = capture();
    expect(await runCli(['schedule', 'tiny-fc', '--procs', '2', '--method', 'test-serial', '--option', 'processor=1', '--json'], io)).toBe(0);
    const r = JSON.parse(io.stdout) as { period: number; schedule: { tasks: { processor: number }[] } };
    expect(r.period).toBe(1972);
    expect(new Set(r.schedule.tasks.map((t) => t.processor))).toEqual(new Set([1]));
  });

  it('a list scheduler registered here runs in the STG benchmark and its tables', async () => {
    const res = await runStgBenchmark({ inputs: ['networks/stg/50/rand0000.stg'], procs: [2], solvers: ['hlfet', 'test-list'], optimaDir: 'networks/stg/optimal' });
    const mine = res.rows.find((r) => r.solver === 'test-list')!;
    expect(mine.valid).toBe(true);
    // Everything on one processor: the makespan is the total work (zero-communication STG machine).
    expect(mine.makespan).toBe(totalWork(loadStg('networks/stg/50/rand0000.stg')));
    const summary = summarize(res.rows, solverNames());
    expect(summary.map((s) => s.solver)).toEqual(['hlfet', 'test-list', 'best']);
    expect(stgSummaryTable(summary).rows.map((r) => r.solver)).toEqual(['hlfet', 'test-list', 'best']);
    // The application-graph table counts it among the list schedulers.
    expect(listSolvers('list').map((s) => s.name)).toContain('test-list');
    const app = stgAppTable(res.rows.filter((r) => r.solver === 'test-list'), new Map());
    expect(app.rows[0].list).toBe(`${mine.makespan} (test-list)`);
  });
});

describe('typed options', () => {
  const hw = defaultHardware();
  it('an option a method does not take is refused with one line, in the library and on the command line', async () => {
    await expect(compare({ networks: ['tiny-fc'], procs: [2], methods: ['pipedream'], hw, options: { pipedream: { microBatches: 2 } } })).rejects.toThrow(
      /^options: pipedream: pipedream takes no option "microBatches" \(its options: none\)$/,
    );
    await expect(compare({ networks: ['tiny-fc'], procs: [2], methods: ['layerpipe'], hw, options: { layerpipe: { delayRule: 'pipedream' } } })).rejects.toThrow(
      /layerpipe: delayRule: must be one of minimal, 2S, got "pipedream"/,
    );
    const cases: [string[], RegExp][] = [
      [['schedule', 'tiny-fc', '--procs', '2', '--method', 'pipedream', '--micro-batches', '2'], /^spikepipe: --micro-batches: none of pipedream takes microBatches \(it is an option of gpipe(, [a-z0-9-]+)*\)$/],
      [['schedule', 'tiny-fc', '--procs', '2', '--method', 'layerpipe', '--delay-rule', 'pipedream'], /^spikepipe: --delay-rule: must be one of minimal, 2S, got "pipedream"$/],
      [['schedule', 'tiny-fc', '--procs', '2', '--method', 'spikepipe', '--option', 'nodeLimit=x'], /^spikepipe: --option \(spikepipe\): must be an integer, got "x"$/],
      [['schedule', 'tiny-fc', '--procs', '2', '--method', 'spikepipe', '--option', 'gpipe.microBatches=2'], /^spikepipe: --option: method gpipe is not run here \(spikepipe\)$/],
      [['compare', 'tiny-fc', '--procs', '2', '--methods', 'pipedream', '--option', 'bogus=1'], /^spikepipe: --option: no method takes an option "bogus"$/],
    ];
    for (const [argv, msg] of cases) {
      const io = capture();
      expect(await runCli(argv, io), argv.join(' ')).toBe(2);
      expect(io.stderr.trim()).toMatch(msg);
    }
  });

  it('options reach the method: layerpipe --delay-rule 2S on mnist-fc at 2 has d = 2S of its stages', async () => {
    const io = capture();
    expect(await runCli(['schedule', 'mnist-fc', '--procs', '2', '--method', 'layerpipe', '--delay-rule', '2S', '--json'], io)).toBe(0);
    const r = JSON.parse(io.stdout) as { staleness: number[]; details: { delayRule: string; stages: [number, number][] } };
    expect(r.details.delayRule).toBe('2S');
    // Two stages: the layers of stage 1 have one stage after them (d = 2), stage 2's none.
    expect(r.details.stages).toHaveLength(2);
    expect(r.staleness).toEqual(r.details.stages.flatMap(([a, b], k) => new Array<number>(b - a + 1).fill(k === 0 ? 2 : 0)));
  });
});
