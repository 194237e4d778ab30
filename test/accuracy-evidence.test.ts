/**
 * Accuracy rows as evidence: mean, spread and the paired Δ to the no-delay row over seeds
 * (checked by hand on fake per-seed results), the smoke-test caption of quick mode, the
 * --seeds option and its bad input, and a cache keyed by (row, seed) so a killed run resumes
 * seed by seed. No long training: tiny-fc on synthetic data.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../lib/app/cli/main';
import { capture } from './helpers/cli';
import { accuracyJobKey, runAccuracyJobs, summarizeAccuracy, type AccuracyJob } from '../lib/app/trainer/accuracy';
import type { AccuracyRow } from '../reports/rows';
import { accuracyReportTable, accuracyRowsTable } from '../reports/accuracy-table';
import { toCsv, toLatex, toMarkdown, toText } from '../reports/table';
import { accuracyPlan } from '../lib/app/reproduce/plan';
import { DEFAULTS, QUICK, parseSeeds } from '../lib/app/cli/commands/accuracy';
import { anchorUnavailable, compareLine, parseAnchorOutput } from '../lib/app/anchor/anchor';

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capture();
  const code = await runCli(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

function fake(label: string, staleness: number[], seed: number, acc: number): AccuracyRow {
  return { network: 'n', dataset: 'd', label, mode: 'stash', staleness, epochs: 3, trainSamples: 20000, testSamples: 10000, testAccuracy: acc, trainLoss: 1, deltaVsNoDelay: null, trainSamplesPerSecond: 50, seed };
}

// No delay: 0.80 (seed 1), 0.84 (seed 2). Delayed: 0.78 (seed 1), 0.83 (seed 2), given out of order.
const RUNS = [fake('no delay', [0, 0], 1, 0.8), fake('no delay', [0, 0], 2, 0.84), fake('PD', [1, 0], 2, 0.83), fake('PD', [1, 0], 1, 0.78)];

describe('summarizeAccuracy', () => {
  it('mean, min, max, sample std over seeds; Δ paired seed by seed; the no-delay spread as noise', () => {
    const [base, pd] = summarizeAccuracy(RUNS);
    expect(base.seeds).toEqual([1, 2]);
    expect(base.accuracies).toEqual([0.8, 0.84]);
    expect(base.accuracy.mean).toBeCloseTo(0.82, 12);
    expect(base.accuracy.min).toBe(0.8);
    expect(base.accuracy.max).toBe(0.84);
    // sample std of {0.80, 0.84}: sqrt((0.02² + 0.02²) / 1) = 0.0282843
    expect(base.accuracy.std).toBeCloseTo(Math.sqrt(0.0008), 12);
    expect(base.delta!.mean).toBe(0);
    expect(base.noise).toBeCloseTo(0.04, 12);

    expect(pd.seeds).toEqual([1, 2]);
    expect(pd.accuracies).toEqual([0.78, 0.83]);
    expect(pd.accuracy.mean).toBeCloseTo(0.805, 12);
    // Δ per seed: 0.78 − 0.80 = −0.02, 0.83 − 0.84 = −0.01
    expect(pd.delta!.mean).toBeCloseTo(-0.015, 12);
    expect(pd.delta!.min).toBeCloseTo(-0.02, 12);
    expect(pd.delta!.max).toBeCloseTo(-0.01, 12);
    expect(pd.delta!.std).toBeCloseTo(Math.sqrt(0.00005), 12);
    expect(pd.delta!.n).toBe(2);
    expect(pd.noise).toBeCloseTo(0.04, 12);
  });

  it('one seed: no std, no spread; Δ only over the seeds both rows have; a seed twice is refused', () => {
    const [base, pd] = summarizeAccuracy([fake('no delay', [0, 0], 1, 0.8), fake('PD', [1, 0], 1, 0.7), fake('PD', [1, 0], 3, 0.9)]);
    expect(base.accuracy.std).toBeNull();
    expect(pd.delta!.n).toBe(1);
    expect(pd.delta!.mean).toBeCloseTo(-0.1, 12);
    expect(() => summarizeAccuracy([fake('no delay', [0, 0], 1, 0.8), fake('no delay', [0, 0], 1, 0.81)])).toThrow(/seed 1 twice/);
  });

  it('the table: mean, min … max, signed Δ with its per-seed range, the noise column', () => {
    const t = accuracyReportTable(summarizeAccuracy(RUNS), 'full');
    expect(t.caption).not.toMatch(/smoke/i);
    expect(t.rows.map((r) => [r.seeds, r.acc, r.accRange, r.delta, r.deltaRange, r.noise])).toEqual([
      ['1,2', '82.00', '80.00 … 84.00', '–', '–', '4.00'],
      ['1,2', '80.50', '78.00 … 83.00', '-1.50', '−2.00 … −1.00', '4.00'],
    ]);
    expect(t.notes!.join('\n')).toMatch(/min … max over the seeds/);
  });
});

describe('quick mode is a smoke test, and says so', () => {
  const rows = summarizeAccuracy([fake('no delay', [0, 0], 1, 0.5), fake('PD', [1, 0], 1, 0.55)]);
  it('in the caption of the Markdown, LaTeX and text tables, and in every CSV row', () => {
    const t = accuracyReportTable(rows, 'quick');
    expect(toMarkdown(t).split('\n')[0]).toMatch(/^\*\*Smoke test, not evidence: /);
    expect(toLatex(t)).toMatch(/\\caption\{Smoke test, not evidence: /);
    const csv = toCsv(t).trim().split('\n');
    expect(csv[0].split(',').at(-1)).toBe('run');
    expect(csv.slice(1).every((l) => l.endsWith(',"smoke test, not evidence"'))).toBe(true);
    expect(toText(accuracyRowsTable(rows, { smoke: true }), { caption: true }).split('\n')[0]).toMatch(/^Smoke test, not evidence/);
    expect(toMarkdown(accuracyReportTable(rows, 'full'))).not.toMatch(/smoke/i);
  });
});

describe('the budgets', () => {
  it('full reproduce and the default accuracy command: fmnist-conv ≥ 20,000 samples, ≥ 3 epochs, ≥ 2 seeds', () => {
    const conv = accuracyPlan('full').find((p) => p.networks.includes('fmnist-conv'))!;
    expect(conv.limit).toBeGreaterThanOrEqual(20000);
    expect(conv.epochs).toBeGreaterThanOrEqual(3);
    expect(accuracyPlan('full').every((p) => p.seeds.length >= 2)).toBe(true);
    expect(DEFAULTS.limit).toBeGreaterThanOrEqual(20000);
    expect(DEFAULTS.epochs).toBeGreaterThanOrEqual(3);
    expect(DEFAULTS.seeds.length).toBeGreaterThanOrEqual(2);
    expect(QUICK.seeds).toEqual([1]);
  });
});

describe('--seeds', () => {
  it('parses a list; a repeat runs once with a note', () => {
    const io = capture();
    expect(parseSeeds('1, 2,3', '--seeds', io)).toEqual([1, 2, 3]);
    expect(io.stderr).toBe('');
    expect(parseSeeds('2,1,2', '--seeds', io)).toEqual([2, 1]);
    expect(io.stderr).toBe('spikepipe: note: --seeds: 2 listed more than once; each runs once\n');
  });

  it('bad input is one line and exit 2', async () => {
    for (const [args, msg] of [
      [['--seeds', ''], /^spikepipe: --seeds: expected a comma-separated list of integers ≥ 0, got ""\n$/],
      [['--seeds', '1,,2'], /^spikepipe: --seeds: expected a comma-separated list/],
      [['--seeds', '1.5'], /^spikepipe: --seeds: seeds must be integers ≥ 0, got "1.5"\n$/],
      [['--seeds', '-1'], /^spikepipe: --seeds: seeds must be integers ≥ 0, got "-1"\n$/],
      [['--seeds', 'a,2'], /^spikepipe: --seeds: seeds must be integers ≥ 0, got "a"\n$/],
      [['--seed', '1', '--seeds', '2'], /^spikepipe: --seed\/--seeds: choose one\n$/],
    ] as const) {
      const r = await run(['accuracy', '--networks', 'tiny-fc', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
    const rr = await run(['reproduce', '--seeds', 'x', '--out', join(mkdtempSync(join(tmpdir(), 'sp-acc-')), 'o')]);
    expect(rr.code).toBe(2);
    expect(rr.stderr).toMatch(/^spikepipe: --seeds: seeds must be integers ≥ 0, got "x"\n$/);
  });

  it('the command trains every row per seed (a repeated seed once) and reports the spread', async () => {
    const r = await run(['accuracy', '--networks', 'tiny-fc', '--procs', '2', '--epochs', '1', '--workers', '1', '--seeds', '1,2,1', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/--seeds: 1 listed more than once/);
    const rows = JSON.parse(r.stdout) as { seeds: number[]; accuracies: number[]; noise: number; delta: { n: number } }[];
    expect(rows).toHaveLength(5);
    expect(rows.every((x) => x.seeds.join() === '1,2' && x.accuracies.length === 2 && x.delta.n === 2)).toBe(true);
    expect(rows[0].noise).toBeGreaterThanOrEqual(0);
  });
});

describe('the cache: one line per (row, seed); a killed run resumes seed by seed', () => {
  const spec = { network: 'tiny-fc', label: 'no delay', staleness: [0, 0], mode: 'stash' as const };
  const job = (seed: number): AccuracyJob => ({ spec, seed, epochs: 1 });

  it('the key includes the seed (and not the label)', () => {
    expect(accuracyJobKey(job(1))).not.toBe(accuracyJobKey(job(2)));
    expect(accuracyJobKey({ ...job(1), spec: { ...spec, label: 'other' } })).toBe(accuracyJobKey(job(1)));
    expect(JSON.parse(accuracyJobKey(job(7))).at(-1)).toBe(7);
  });

  it('trains only the (row, seed) pairs the cache lacks', async () => {
    const cache = join(mkdtempSync(join(tmpdir(), 'sp-acc-')), 'acc.jsonl');
    const delayed = { ...spec, label: 'd', staleness: [1, 0] };
    const jobs: AccuracyJob[] = [job(1), { spec: delayed, seed: 1, epochs: 1 }, job(2), { spec: delayed, seed: 2, epochs: 1 }];
    const trained = async (): Promise<{ rows: AccuracyRow[]; fresh: number[] }> => {
      const fresh: number[] = [];
      const rows = await runAccuracyJobs({ jobs, workers: 1, cache, onRow: (_r, j, s) => s !== null && fresh.push(jobs.indexOf(j)) });
      return { rows, fresh };
    };
    const first = await trained();
    expect(first.fresh).toEqual([0, 1, 2, 3]);
    const lines = readFileSync(cache, 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { row: AccuracyRow }).row.seed)).toEqual([1, 1, 2, 2]);
    // Killed after the first seed's jobs: the second seed's lines are gone (and a torn line cut).
    writeFileSync(cache, lines.slice(0, 2).join('\n') + '\n{"key":"tor');
    const warnings: string[] = [];
    const fresh: number[] = [];
    const rows = await runAccuracyJobs({ jobs, workers: 1, cache, onWarning: (m) => warnings.push(m), onRow: (_r, j, s) => s !== null && fresh.push(jobs.indexOf(j)) });
    expect(fresh).toEqual([2, 3]);
    expect(warnings).toHaveLength(1);
    expect(rows.map((r) => r.testAccuracy)).toEqual(first.rows.map((r) => r.testAccuracy));
    expect(readFileSync(cache, 'utf8').trim().split('\n')).toHaveLength(4);
    // Δ per run against the no-delay run of the same seed.
    expect(rows[1].deltaVsNoDelay).toBeCloseTo(rows[1].testAccuracy - rows[0].testAccuracy, 12);
    expect(rows[3].deltaVsNoDelay).toBeCloseTo(rows[3].testAccuracy - rows[2].testAccuracy, 12);
  });
});

describe('the PyTorch anchor', () => {
  it('says in one line when it is missing; parses its lines; compares on the same budget', () => {
    expect(anchorUnavailable('/nonexistent/snn_conv_torch.py', '/usr/bin/python3')).toMatch(/^the PyTorch anchor is not at \/nonexistent\/snn_conv_torch.py/);
    expect(parseAnchorOutput('noise\n{"epoch": 1, "train_samples_per_s": 100.5, "test_accuracy": 0.8}\n{"epoch": 2, "train_samples_per_s": 101, "test_accuracy": 0.85}\n')).toEqual([
      { epoch: 1, train_samples_per_s: 100.5, test_accuracy: 0.8 },
      { epoch: 2, train_samples_per_s: 101, test_accuracy: 0.85 },
    ]);
    const [ours] = summarizeAccuracy([fake('no delay', [0, 0], 1, 0.8), fake('no delay', [0, 0], 2, 0.84)]);
    expect(compareLine(ours, 0.83, { samples: 20000, epochs: 3 })).toBe(
      'ours, no delay, seeds 1,2: 82.00 % mean (80.00 … 84.00) on 20000 samples × 3 epochs; difference to the anchor -1.00 points: within 1.5 points',
    );
    expect(compareLine(ours, 0.85, { samples: 2000, epochs: 1 })).toMatch(/-3.00 points: NOT within 1.5 points \(budgets differ/);
  });
});
