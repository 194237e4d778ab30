// Budgets (solvers/pipeline/budget.ts), enforced by the solvers: communication, staleness and
// memory. Checked against brute force on tiny-fc, the MILP's proof on mnist-fc at 4, and the
// guarantee that under (overhead ≤ x ≥ 0, d ≤ PipeDream's) SpikePipe is never slower than PipeDream.
import { describe, expect, it } from 'vitest';
import { defaultHardware, machineFromHardware, resolveHardware } from '../lib/model/spec/hardware';
import { loadNetwork } from '../lib/model/spec/network';
import { buildTrainingGraph } from '../lib/model/graph/training';
import { linkPeriodBound } from '../lib/model/metrics';
import { crossingBytes, processorLoads } from '../solvers/periodic/assignment-cost';
import { exactAssignment } from '../solvers/periodic/exact-assignment';
import { assignAndRetime } from '../solvers/periodic/assignment';
import { moduloSchedule } from '../solvers/periodic/modulo';
import { periodIlp } from '../solvers/periodic/period-ilp';
import { pickCandidate } from '../solvers/periodic/quality';
import { compare } from '../lib/app/pipeline/compare';
import { pipelineCell } from '../lib/app/pipeline/run';
import { runCli } from '../lib/app/cli/main';
import { capture } from './helpers/cli';
import { expandSweep, parseSweepSpec } from '../lib/app/sweep/spec';
import { runSweep } from '../lib/app/sweep/run';
import { joinCells } from '../lib/app/pipeline/cells';
import { methodKey } from '../reports/pipeline-tables';

const hw = defaultHardware();

describe('communication budget in the assignment solvers (tiny-fc, brute force)', () => {
  // tiny-fc's 10 fine tasks on 2 processors at 0.125 B/cycle (links bind): every one of the 2^10
  // assignments, its period max(largest load, busiest link) with free loops, and its crossing bytes.
  const net = loadNetwork('tiny-fc');
  const slow = resolveHardware({ name: 'slow', linkBandwidth: 0.125 }, 'test');
  const g = buildTrainingGraph(net, slow, { variant: 'spikepipe', dataflow: 'best' });
  const m = machineFromHardware(slow, 2);
  const all: { period: number; bytes: number }[] = [];
  const proc = new Array<number>(g.tasks.length).fill(0);
  for (let mask = 0; mask < 1 << g.tasks.length; mask++) {
    for (let v = 0; v < g.tasks.length; v++) proc[v] = (mask >> v) & 1;
    all.push({ period: Math.max(...processorLoads(g, proc, 2), linkPeriodBound(g, m, proc)), bytes: crossingBytes(g, proc) });
  }
  const optimum = (cap: number) => Math.min(...all.filter((a) => a.bytes <= cap).map((a) => a.period));

  it('the brute-force optima under byte caps 0, 136, 256 and ∞ are 1960, 1171… (hand-checked: 0 bytes = one processor = Σ work)', () => {
    expect(optimum(0)).toBe(1960);
    expect(optimum(Infinity)).toBe(1171);
  });

  for (const cap of [0, 8, 136, 264, 400, Infinity]) {
    it(`byte cap ${cap}: the exact search proves the brute-force optimum ${cap === Infinity ? '' : 'within it'}; the solvers stay within it`, () => {
      const opt = optimum(cap);
      const ex = exactAssignment(g, m, 1e9, 2_000_000, cap);
      expect(ex.optimal).toBe(true);
      expect(ex.value).toBe(opt);
      expect(crossingBytes(g, ex.proc!)).toBeLessThanOrEqual(cap);
      const r = assignAndRetime(g, m, { freeLoops: true, maxBytes: cap })!;
      for (const p of r.placed) expect(p.quality.bytes).toBeLessThanOrEqual(cap);
      expect(r.quality.period).toBe(opt);
      expect(r.periodBound).toBe(opt);
      expect(r.boundUnderBudget).toBe(true);
      const mod = moduloSchedule(g, m, { freeLoops: true, procChoice: 'earliest', maxBytes: cap });
      if (mod.placement) expect(crossingBytes(g, mod.placement.proc)).toBeLessThanOrEqual(cap);
    });
  }

  it('the period MILP with the bytes row proves the same optima', async () => {
    for (const cap of [0, 136, 400]) {
      const inc = assignAndRetime(g, m, { freeLoops: true, maxBytes: cap })!;
      const r = await periodIlp(g, m, { freeLoops: true, lowerBound: 1, incumbent: inc.placement, timeLimitSeconds: 20, maxBytes: cap });
      expect(r.status).toBe('optimal');
      expect(r.placement.period).toBe(optimum(cap));
      expect(crossingBytes(g, r.placement.proc)).toBeLessThanOrEqual(cap);
    }
  });
});

describe('ranking: staleness before bytes', () => {
  it('equal periods: the smaller Σ d_l wins even with more bytes; within the tolerance too', () => {
    expect(pickCandidate([{ period: 100, bytes: 5, staleness: 3 }, { period: 100, bytes: 1, staleness: 4 }])).toBe(0);
    expect(pickCandidate([{ period: 100, bytes: 1, staleness: 4 }, { period: 100, bytes: 5, staleness: 3 }])).toBe(1);
    // 0.1 % tolerance: 1000 and 1001 compete on staleness first, then bytes; 1002 is out.
    expect(pickCandidate([{ period: 1000, bytes: 1, staleness: 5 }, { period: 1001, bytes: 9, staleness: 2 }, { period: 1002, bytes: 0, staleness: 0 }], 0.001)).toBe(1);
  });
});

describe('SpikePipe under the paper\'s operating point: overhead ≤ 0.5 %, d_l ≤ PipeDream\'s', () => {
  const options = { spikepipe: { maxCommOverhead: 0.005, maxStaleness: 'pipedream' } };
  it('never slower than PipeDream; within both budgets; validated and simulated (tiny-fc, mnist-fc, fmnist-conv at 2, 4, 8)', async () => {
    const { rows } = await compare({ networks: ['tiny-fc', 'mnist-fc', 'fmnist-conv'], procs: [2, 4, 8], methods: ['pipedream', 'spikepipe'], hw, options });
    const pd = new Map(rows.filter((r) => r.method === 'pipedream').map((r) => [`${r.network}|${r.procs}`, r]));
    const sp = rows.filter((r) => r.method === 'spikepipe');
    expect(sp).toHaveLength(9);
    for (const r of sp) {
      const p = pd.get(`${r.network}|${r.procs}`)!;
      expect(r.valid && r.simulatedPeriod === r.period, `${r.network}/${r.procs}`).toBe(true);
      expect(r.period!).toBeLessThanOrEqual(p.period!);
      expect(r.commOverhead!).toBeLessThanOrEqual(0.005);
      r.staleness.forEach((d, l) => expect(d).toBeLessThanOrEqual(p.staleness[l]));
      expect(r.boundUnderBudget).toBeDefined();
    }
    // mnist-fc at 4: 58152 (proven optimal under this budget below), PipeDream 70316: 1.21×.
    expect(sp.find((r) => r.network === 'mnist-fc' && r.procs === 4)!.period).toBe(58152);
  });

  it('mnist-fc at 4: the period MILP proves 58152 optimal under the budget', async () => {
    const cell = pipelineCell({ net: loadNetwork('mnist-fc'), hw, procs: 4 });
    const r = await cell.run('spikepipe-ilp', { maxCommOverhead: 0.005, maxStaleness: 'pipedream', timeLimitSeconds: 60 });
    expect([r.result.period, r.lowerBound, r.result.status, r.result.boundUnderBudget]).toEqual([58152, 58152, 'optimal', true]);
    expect(r.result.staleness).toEqual([2, 1, 0]);
  });
});

describe('memory budget', () => {
  it('mnist-fc at 4: a 3 MB budget gives a schedule whose simulated peak fits; 2 MB fits none and says the smallest peak found', async () => {
    const net = loadNetwork('mnist-fc');
    const free = await pipelineCell({ net, hw, procs: 4 }).run('spikepipe');
    expect(free.peakMemoryBytes).toBeGreaterThan(3e6);
    const r = await pipelineCell({ net, hw, procs: 4, options: { spikepipe: { maxMemoryBytes: 3_000_000 } } }).run('spikepipe');
    expect(r.peakMemoryBytes).toBeLessThanOrEqual(3_000_000);
    expect(r.result.period).toBeGreaterThanOrEqual(free.result.period);
    await expect(pipelineCell({ net, hw, procs: 4, options: { spikepipe: { maxMemoryBytes: 1_000_000 } } }).run('spikepipe')).rejects.toThrow(
      /^maxMemoryBytes: no schedule found within 1000000 B per processor; the smallest peak among the \d+ candidate schedules tried is \d+ B$/,
    );
  });
});

describe('bad budgets: one line, exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['--max-comm-overhead', '-0.1'], /^spikepipe: --max-comm-overhead: must be a share between 0 and 1 \(e\.g\. 0\.005 for 0\.5 %\), got "-0\.1"$/],
    [['--max-comm-overhead', '1.5'], /^spikepipe: --max-comm-overhead: must be a share between 0 and 1/],
    [['--max-comm-overhead', 'NaN'], /^spikepipe: --max-comm-overhead: must be a share between 0 and 1/],
    [['--max-staleness', 'stale'], /^spikepipe: --max-staleness: must be none, pipedream, a staleness K ≥ 0 or d1,…,dL, got "stale"$/],
    [['--max-staleness', '1,0'], /^spikepipe: maxStaleness: expected 3 values \(one per weight layer\), got 2$/],
    [['--max-memory', '1000'], /^spikepipe: maxMemoryBytes: 1000 B is below the largest layer's own weights \(784000 B\); no processor could hold them$/],
    [['--max-memory', '2.5'], /^spikepipe: --max-memory: must be a positive whole number of bytes, got "2\.5"$/],
    [['--max-staleness', '1', '--delay-rule', '2S'], /^spikepipe: maxStaleness: caps the delays of the minimal rule; the 2S rule fixes them/],
  ];
  for (const [flags, msg] of cases) {
    it(flags.join(' '), async () => {
      const io = capture();
      expect(await runCli(['schedule', 'mnist-fc', '--procs', '4', '--method', 'spikepipe', ...flags], io)).toBe(2);
      expect(io.stderr.trim()).toMatch(msg);
      expect(io.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
  it('a budget flag no method of the run takes is refused', async () => {
    const io = capture();
    expect(await runCli(['schedule', 'mnist-fc', '--procs', '4', '--method', 'pipedream', '--max-comm-overhead', '0.005'], io)).toBe(2);
    expect(io.stderr.trim()).toBe('spikepipe: --max-comm-overhead: none of pipedream takes maxCommOverhead (it is an option of spikepipe, spikepipe-ilp)');
  });
});

describe('budgets in sweeps: variants', () => {
  it('a variant adds one point per cell with its own options; rows say method@variant; bad options are refused at load', async () => {
    const spec = parseSweepSpec(
      { networks: ['tiny-fc'], procs: [2], methods: ['sequential', 'gpipe', 'pipedream', 'spikepipe'], variants: [{ name: 'paper', method: 'spikepipe', options: { maxCommOverhead: 0.005, maxStaleness: 'pipedream' } }] },
      'spec',
    );
    const points = expandSweep(spec);
    expect(points.map((p) => p.key)).toEqual([
      'tiny-fc|default|p2|sequential|-',
      'tiny-fc|default|p2|gpipe|-',
      'tiny-fc|default|p2|pipedream|-',
      'tiny-fc|default|p2|spikepipe|minimal',
      'tiny-fc|default|p2|spikepipe@paper|-',
    ]);
    expect(points[4].options.spikepipe).toEqual({ maxCommOverhead: 0.005, maxStaleness: 'pipedream' });
    const rows = joinCells((await runSweep(spec, { workers: 1 })).map((r) => r.result));
    const op = rows.find((r) => methodKey(r) === 'spikepipe@paper')!;
    const pd = rows.find((r) => r.method === 'pipedream')!;
    expect(op.valid).toBe(true);
    expect(op.period!).toBeLessThanOrEqual(pd.period!);
    expect(op.commOverhead!).toBeLessThanOrEqual(0.005);
    expect(() => parseSweepSpec({ networks: ['tiny-fc'], procs: [2], methods: ['spikepipe'], variants: [{ name: 'x', method: 'pipedream', options: { maxCommOverhead: 0.1 } }] }, 'spec')).toThrow(
      /^spec: \/variants\/0\/options: pipedream: pipedream takes no option "maxCommOverhead"/,
    );
  });
});

describe('the memory budget in the Zero Bubble schedules', () => {
  it('zb-h2 on cifar10-vgg at 4: 46.9 MB unconstrained; under 20 MB the in-flight limit drops until the simulated peak fits; 1 MB fits nothing', async () => {
    const net = loadNetwork('cifar10-vgg');
    const free = await pipelineCell({ net, hw, procs: 4 }).run('zb-h2');
    expect(free.peakMemoryBytes).toBeGreaterThan(20_000_000);
    const r = await pipelineCell({ net, hw, procs: 4, options: { 'zb-h2': { maxMemoryBytes: 20_000_000 } } }).run('zb-h2');
    expect(r.peakMemoryBytes).toBeLessThanOrEqual(20_000_000);
    expect(r.result.period).toBeGreaterThanOrEqual(free.result.period);
    expect((r.result.details as { maxInFlight: number }).maxInFlight).toBeLessThan(7);
    await expect(pipelineCell({ net, hw, procs: 4, options: { 'zb-h2': { maxMemoryBytes: 1_000_000 } } }).run('zb-h2')).rejects.toThrow(/^maxMemoryBytes: no zb-h2 schedule within 1000000 B per processor; the smallest peak found is \d+ B$/);
  }, 60_000);
});
