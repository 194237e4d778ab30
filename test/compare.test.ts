import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compare, type CompareRow } from '../lib/app/pipeline/compare';
import { defaultHardware } from '../lib/model/spec/hardware';
import { loadNetwork } from '../lib/model/spec/network';
import { runCli } from '../lib/app/cli/main';
import { loadSchedule, loadScheduleFile } from '../lib/model/schedule/schedule';
import { validate } from '../lib/model/schedule/validate';
import { machineFromHardware } from '../lib/model/spec/hardware';
import { runMethod } from '../lib/app/pipeline/run';
import { buildGraph } from '../lib/model/graph/recipe';
import { methodNames } from '../solvers/registry';
import { capture } from './helpers/cli';


const strip = (rows: CompareRow[]) => rows.map(({ solverSeconds: _s, ...rest }) => rest);

describe('compare (library)', () => {
  const hw = defaultHardware();

  it('tiny-fc and mnist-fc at 2 processors: every registered method valid and simulated; deterministic', async () => {
    const opts = { networks: ['tiny-fc', 'mnist-fc'], procs: [2], hw, options: { 'spikepipe-ilp': { timeLimitSeconds: 5 } } };
    const { rows } = await compare(opts);
    expect(rows.map((r) => `${r.network}/${r.method}`)).toEqual([...methodNames().map((m) => `tiny-fc/${m}`), ...methodNames().map((m) => `mnist-fc/${m}`)]);
    for (const r of rows) {
      expect(r.valid, `${r.network} ${r.method}: ${r.notes.join('; ')}`).toBe(true);
      expect(r.simulatedPeriod).toBe(r.period);
      expect(r.lowerBound!).toBeLessThanOrEqual(r.period!);
      expect(r.staleness.length).toBe(r.network === 'tiny-fc' ? 2 : 3);
    }
    const again = await compare(opts);
    expect(strip(again.rows)).toEqual(strip(rows));
  });

  it('tiny-fc at 2: periods 1972 / 1972 / 1183, speedups, and overhead against PipeDream (by hand)', async () => {
    const { rows } = await compare({ networks: ['tiny-fc'], procs: [2], methods: ['sequential', 'gpipe', 'pipedream'], hw });
    const by = Object.fromEntries(rows.map((r) => [r.method, r]));
    expect([by.sequential.period, by.gpipe.period, by.pipedream.period]).toEqual([1972, 1972, 1183]);
    expect(by.pipedream.speedupVsSequential).toBeCloseTo(1972 / 1183, 12);
    expect(by.pipedream.speedupVsGPipe).toBeCloseTo(1972 / 1183, 12);
    expect(by.pipedream.speedupVsPipeDream).toBe(1);
    expect(by.gpipe.microBatches).toBe(1);
    expect(by.pipedream.microBatches).toBeUndefined();
    // PipeDream moves the layer-1 spikes (8 B) and the layer-1 gradient (128 B) across; GPipe's best
    // here is one stage (m = 1), so it moves nothing, like sequential. Total communication of tiny-fc's
    // training graph: Σ edge bytes 1360 + 2·(256 + 64) weight read/write = 2000 B.
    expect([by.sequential.crossingBytes, by.gpipe.crossingBytes, by.pipedream.crossingBytes]).toEqual([0, 0, 136]);
    expect(by.sequential.commOverhead).toBeCloseTo(-136 / 2000, 12);
    expect(by.gpipe.commOverhead).toBeCloseTo(-136 / 2000, 12);
    expect(by.pipedream.staleness).toEqual([1, 0]);
  });

  it('accepts resolved networks; rejects bad input before running anything', async () => {
    const net = loadNetwork('tiny-fc');
    const { rows } = await compare({ networks: [net], procs: [1], methods: ['pipedream'], hw });
    expect(rows[0].period).toBe(1972);
    await expect(compare({ networks: ['tiny-fc'], procs: [2], methods: ['nope'], hw })).rejects.toThrow(/--methods: unknown method "nope"/);
    await expect(compare({ networks: ['tiny-fc'], procs: [11], methods: ['gpipe'], hw })).rejects.toThrow(/--procs: 11 processors exceed the 10 tasks/);
    await expect(compare({ networks: ['tiny-fc'], procs: [2], methods: ['gpipe'], hw, options: { gpipe: { microBatches: 3 } } })).rejects.toThrow(
      /--micro-batches: .*dividing the batch 4/,
    );
  });
});

describe('runMethod: the row lower bound', () => {
  const hw = defaultHardware();
  const net = loadNetwork('mnist-fc');
  const ctx = (method: string, N: number) => runMethod(method, { net, hw, procs: N, iterations: 4 });

  it("takes a method's proven bound for its graph: spikepipe on mnist-fc at 4 → 32592 (gap 0)", async () => {
    // lib bound: ceil(Σ work / N) = ceil(126640 / 4) = 31660 (the 15 fine tasks on best dataflows);
    // SpikePipe's proven packing optimum of those cycles on 4 processors is 32592 (the assignment
    // branch and bound, checked by the MILP in test/periodic.test.ts), which its schedule reaches.
    const r = await ctx('spikepipe', 4);
    expect(r.bounds.bound).toBe(31660);
    expect(r.result.boundScope).toBe('problem');
    expect(r.lowerBound).toBe(32592);
    expect(r.result.period).toBe(32592);
    expect(r.gap).toBe(0);
  });

  it("ignores a bound that is not for the graph on N processors: sequential's one-processor bound", async () => {
    // sequential's own bound is its total work on one processor (140112); on 4 processors the
    // graph's bound is T∞ = 114256 (the plain-SGD weight loop of layer 1).
    const r = await ctx('sequential', 4);
    expect(r.result.boundScope).toBe('method');
    expect(r.result.bound).toBe(140112);
    expect(r.lowerBound).toBe(114256);
    expect(r.lowerBound).toBe(r.bounds.bound);
  });
});

describe('CLI: schedule and compare', () => {
  it('compare --json prints {rows, timings}, the rows identical run to run; the table names every row', async () => {
    const io = capture();
    expect(await runCli(['compare', 'tiny-fc', '--procs', '1,2', '--methods', 'sequential,pipedream', '--json'], io)).toBe(0);
    const { rows, timings } = JSON.parse(io.stdout) as { rows: CompareRow[]; timings: { method: string; solverSeconds: number }[] };
    expect(rows.some((r) => 'solverSeconds' in r)).toBe(false);
    expect(timings.map((t) => t.method)).toEqual(rows.map((r) => r.method));
    const again = capture();
    expect(await runCli(['compare', 'tiny-fc', '--procs', '1,2', '--methods', 'sequential,pipedream', '--json'], again)).toBe(0);
    expect(JSON.stringify((JSON.parse(again.stdout) as { rows: CompareRow[] }).rows)).toBe(JSON.stringify(rows));
    expect(rows.map((r) => [r.procs, r.method, r.period])).toEqual([
      [1, 'sequential', 1972],
      [1, 'pipedream', 1972],
      [2, 'sequential', 1972],
      [2, 'pipedream', 1183],
    ]);
    const t = capture();
    expect(await runCli(['compare', 'tiny-fc', '--procs', '2', '--methods', 'gpipe,pipedream'], t)).toBe(0);
    const lines = t.stdout.split('\n');
    expect(lines[0]).toMatch(/^network\s+N\s+method\s+period/);
    expect(lines[1]).toMatch(/^tiny-fc\s+2\s+gpipe\s+1972\s/);
    expect(lines[2]).toMatch(/^tiny-fc\s+2\s+pipedream\s+1183\s/);
  });

  it('schedule --out writes a schedule whose recipe rebuilds the graph it validates on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikepipe-sched-'));
    for (const [method, period, staleness] of [
      ['pipedream', 1183, [1, 0]],
      ['gpipe', 1972, [0, 0]],
      ['sequential', 1972, [0, 0]],
      ['pipedream-replicated', 1952, [1, 1]],
    ] as const) {
      const file = join(dir, `${method}.json`);
      const io = capture();
      expect(await runCli(['schedule', 'tiny-fc', '--procs', '2', '--method', method, '--out', file], io)).toBe(0);
      expect(io.stdout).toMatch(new RegExp(`period\\s+${period} cycles per minibatch \\(simulated ${period}\\)`));
      const s = loadSchedule(file);
      expect([s.period, s.method, s.graph, s.staleness]).toEqual([period, method, 'tiny-fc', staleness]);
      const { build } = loadScheduleFile(file);
      expect(JSON.parse(readFileSync(file, 'utf8')).format).toBe(2);
      const hw = defaultHardware();
      const g = buildGraph(build!, loadNetwork('tiny-fc'), hw, s.staleness!);
      expect(validate(g, machineFromHardware(hw, 2), s).violations).toEqual([]);
    }
    // sequential's graph is the plain training graph: `spikepipe validate` rebuilds it by itself.
    const v = capture();
    expect(await runCli(['validate', 'tiny-fc', join(dir, 'sequential.json')], v)).toBe(0);
    expect(v.stdout).toMatch(/^valid/);
  });

  it('schedule --json reports the numbers', async () => {
    const io = capture();
    expect(await runCli(['schedule', 'tiny-fc', '--procs', '2', '--method', 'gpipe', '--micro-batches', '2', '--json'], io)).toBe(0);
    const r = JSON.parse(io.stdout) as { period: number; simulatedPeriod: number; microBatches: number; commOverhead: number };
    expect([r.period, r.simulatedPeriod, r.microBatches, r.commOverhead]).toEqual([3323, 3323, 2, 0]);
  });

  it('bad input: one line, exit 2, no output file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikepipe-bad-'));
    const out = join(dir, 's.json');
    const cases: [string[], RegExp][] = [
      [['schedule', 'tiny-fc', '--procs', '2', '--method', 'nope', '--out', out], /^spikepipe: --method: unknown method "nope" \(known: sequential, gpipe, .*pipedream/],
      [['schedule', 'tiny-fc', '--procs', '11', '--method', 'gpipe', '--out', out], /^spikepipe: --procs: 11 processors exceed the 10 tasks of tiny-fc/],
      [['schedule', 'tiny-fc', '--procs', '2', '--method', 'gpipe', '--micro-batches', '3', '--out', out], /^spikepipe: --micro-batches: must divide the batch 4 of tiny-fc, got 3/],
      [['schedule', 'tiny-fc', '--procs', '0', '--method', 'gpipe'], /^spikepipe: --procs: must be a positive integer/],
      [['schedule', 'no-such-net', '--procs', '2', '--method', 'gpipe'], /^spikepipe: no-such-net: no such file or shipped network/],
      [['compare', 'tiny-fc', '--procs', '2,x'], /^spikepipe: --procs: "x" is not a positive integer/],
      [['compare', 'tiny-fc', '--procs', '2', '--methods', 'gpipe,bogus'], /^spikepipe: --methods: unknown method "bogus"/],
      [['schedule', 'tiny-fc', '--procs', '2', '--method', 'spikepipe-ilp', '--time-limit', '-1'], /^spikepipe: --time-limit: must be a positive number of seconds/],
    ];
    for (const [argv, msg] of cases) {
      const io = capture();
      expect(await runCli(argv, io), argv.join(' ')).toBe(2);
      expect(io.stderr).toMatch(msg);
      expect(io.stderr.trim().split('\n')).toHaveLength(1);
      expect(io.stdout).toBe('');
    }
    expect(existsSync(out)).toBe(false);
  });
});
