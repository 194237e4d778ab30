/**
 * The accuracy-with-delay table: each row trains one network with one per-layer staleness
 * and one weight-versioning mode, and reports its test accuracy and the difference to the
 * same network's no-delay row. Datasets are loaded once per (name, limit, seed).
 *
 * Evidence needs more than one seed: `runAccuracyJobs` trains every (row, seed) once, each
 * kept on its own in a JSONL cache when one is given (a killed run resumes seed by seed), and
 * `summarizeAccuracy` turns the per-seed rows into mean, spread and the paired difference to
 * the no-delay row, with that row's spread as the noise beside it.
 */
import { type DataSplit, datasetForNetwork, loadData } from '../data';
import { InputError } from '../../model/errors';
import { loadNetwork } from '../../model/spec/network';
import { resumeJsonl, type RowCheck } from '../../model/io/jsonl';
import { planNetwork } from './plan';
import type { AccuracyRow, AccuracySummaryRow, Spread } from '../../../reports/rows';
import { type DelayMode, type EpochStats, type StepProgress, train } from './trainer';

export interface AccuracyRowSpec {
  /** Network file or shipped id. */
  network: string;
  label: string;
  /** d_l per weight layer (index l−1); all zero = no delay. */
  staleness: number[];
  mode: DelayMode;
  /** Dataset name (default: the one the network names). */
  dataset?: string;
}


export interface AccuracyTableOptions {
  rows: AccuracyRowSpec[];
  epochs: number;
  /** Cap on training samples (seeded stratified subset). */
  limit?: number;
  /** Cap on test samples (default: limit). */
  testLimit?: number;
  seed?: number;
  workers?: number;
  onRowStart?: (row: AccuracyRowSpec, index: number) => void;
  onStep?: (p: StepProgress) => void;
  onEpoch?: (e: EpochStats) => void;
}

const isNoDelay = (s: number[]): boolean => s.every((d) => d === 0);

export async function accuracyTable(opts: AccuracyTableOptions): Promise<AccuracyRow[]> {
  const seed = opts.seed ?? 0;
  const cache = new Map<string, DataSplit>();
  const out: AccuracyRow[] = [];
  for (const [i, spec] of opts.rows.entries()) {
    const net = loadNetwork(spec.network);
    const plan = planNetwork(net);
    const dsName = spec.dataset ?? datasetForNetwork(net.file ?? spec.network, net.spec.dataset);
    const key = `${dsName}|${opts.limit ?? ''}|${opts.testLimit ?? ''}|${plan.input.join('x')}|${plan.classes}`;
    let data = cache.get(key);
    if (!data) {
      data = loadData(dsName, { seed, limit: opts.limit, testLimit: opts.testLimit, channels: plan.input[0], shape: plan.input, classes: plan.classes });
      cache.set(key, data);
    }
    if (spec.staleness.length !== plan.layers.length) {
      throw new InputError(`row "${spec.label}"`, `${spec.staleness.length} delays for the ${plan.layers.length} weight layers of ${net.spec.name}`);
    }
    opts.onRowStart?.(spec, i);
    const r = await train(plan, data, {
      epochs: opts.epochs,
      batch: net.spec.batch,
      optimizer: net.spec.optimizer,
      seed,
      workers: opts.workers,
      delays: isNoDelay(spec.staleness) ? undefined : spec.staleness,
      mode: spec.mode,
      onStep: opts.onStep,
      onEpoch: opts.onEpoch,
    });
    const last = r.epochs[r.epochs.length - 1];
    const row: AccuracyRow = {
      network: net.spec.name,
      dataset: dsName,
      label: spec.label,
      mode: spec.mode,
      staleness: spec.staleness.slice(),
      epochs: opts.epochs,
      trainSamples: data.train.n,
      testSamples: data.test.n,
      testAccuracy: last.testAccuracy,
      trainLoss: last.trainLoss,
      deltaVsNoDelay: null,
      trainSamplesPerSecond: r.epochs.reduce((a, e) => a + e.trainSamplesPerSecond, 0) / r.epochs.length,
      seed,
    };
    if (data.note) row.note = data.note;
    out.push(row);
  }
  for (const row of out) {
    const base = out.find((b) => b.network === row.network && b.dataset === row.dataset && isNoDelay(b.staleness));
    if (base) row.deltaVsNoDelay = row.testAccuracy - base.testAccuracy;
  }
  return out;
}

/** Mean, min, max and sample standard deviation (n − 1; null for one value) of `xs` (not empty). */
export function spreadOf(xs: readonly number[]): Spread {
  if (xs.length === 0) throw new Error('spreadOf: no values');
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)) : null;
  return { mean, min: Math.min(...xs), max: Math.max(...xs), std, n: xs.length };
}

/**
 * Per-seed rows → one row per (network, dataset, label, staleness, mode, epochs), in the order
 * of first appearance: each seed's accuracy (seeds ascending), their mean and spread, the
 * difference to the same network's no-delay row taken seed by seed over the seeds both have
 * (same seed: same data, initial weights and minibatch order), and the no-delay row's
 * max − min as the noise. A seed given twice for a row is refused (it would weigh twice).
 */
export function summarizeAccuracy(rows: readonly AccuracyRow[]): AccuracySummaryRow[] {
  const groups = new Map<string, AccuracyRow[]>();
  for (const r of rows) {
    const k = JSON.stringify([r.network, r.dataset, r.label, r.staleness, r.mode, r.epochs]);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const out: AccuracySummaryRow[] = [];
  for (const g of groups.values()) {
    const sorted = g.slice().sort((a, b) => a.seed - b.seed);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i].seed === sorted[i - 1].seed) throw new Error(`summarizeAccuracy: seed ${sorted[i].seed} twice for ${g[0].network} "${g[0].label}"`);
    }
    const f = sorted[0];
    const accuracies = sorted.map((r) => r.testAccuracy);
    const row: AccuracySummaryRow = {
      network: f.network,
      dataset: f.dataset,
      label: f.label,
      mode: f.mode,
      staleness: f.staleness.slice(),
      epochs: f.epochs,
      trainSamples: f.trainSamples,
      testSamples: f.testSamples,
      seeds: sorted.map((r) => r.seed),
      accuracies,
      accuracy: spreadOf(accuracies),
      delta: null,
      noise: null,
      trainSamplesPerSecond: sorted.reduce((a, r) => a + r.trainSamplesPerSecond, 0) / sorted.length,
    };
    if (f.note) row.note = f.note;
    out.push(row);
  }
  for (const row of out) {
    const base = out.find((b) => b.network === row.network && b.dataset === row.dataset && b.epochs === row.epochs && isNoDelay(b.staleness));
    if (!base) continue;
    const diffs: number[] = [];
    row.seeds.forEach((s, i) => {
      const j = base.seeds.indexOf(s);
      if (j >= 0) diffs.push(row.accuracies[i] - base.accuracies[j]);
    });
    if (diffs.length > 0) row.delta = spreadOf(diffs);
    row.noise = base.accuracy.max - base.accuracy.min;
  }
  return out;
}

/** One (row, seed) to train, with its budget. */
export interface AccuracyJob {
  spec: AccuracyRowSpec;
  seed: number;
  epochs: number;
  limit?: number;
  testLimit?: number;
}

/**
 * The cache key of a job: what is trained (network, dataset, staleness, mode, budget) and the
 * seed — not the label, so rows with equal staleness are trained once.
 */
export function accuracyJobKey(j: AccuracyJob): string {
  return JSON.stringify([j.spec.network, j.spec.dataset ?? null, j.spec.staleness, j.spec.mode, j.epochs, j.limit ?? null, j.testLimit ?? null, j.seed]);
}

const cacheRow: RowCheck = (r) => {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return 'row: must be an object';
  const o = r as Record<string, unknown>;
  if (typeof o.key !== 'string') return 'row: /key: must be a string';
  if (typeof o.row !== 'object' || o.row === null) return 'row: /row: must be an object';
  if (typeof (o.row as Record<string, unknown>).seed !== 'number') return 'row: /row/seed: must be a number';
  return null;
};

export interface AccuracyJobsOptions {
  jobs: AccuracyJob[];
  workers?: number;
  /** JSONL file keeping every finished (row, seed); rows already in it are not trained again. */
  cache?: string;
  onWarning?: (message: string) => void;
  /** Before each job (cached or not) and once at the end (`done === total`). */
  onJob?: (done: number, total: number, job: AccuracyJob | null, cached: boolean) => void;
  onStep?: (p: StepProgress, job: AccuracyJob) => void;
  /** After each job, with its row and the seconds it took (null when it came from the cache). */
  onRow?: (row: AccuracyRow, job: AccuracyJob, seconds: number | null) => void;
  /** A network whose dataset is not installed (or has no loader): its rows are skipped (without onSkip: the error is thrown). */
  onSkip?: (network: string, reason: string) => void;
}

/**
 * Train every job once (a job whose key is in the cache, or came earlier in this run, is not
 * trained again), appending each finished one to the cache at once; returns one row per job,
 * in job order, labelled as its job. A dataset that is not installed skips that network's jobs.
 */
export async function runAccuracyJobs(o: AccuracyJobsOptions): Promise<AccuracyRow[]> {
  const have = new Map<string, AccuracyRow>();
  const resumed = o.cache ? resumeJsonl<{ key: string; row: AccuracyRow }>(o.cache, cacheRow, (m) => o.onWarning?.(m)) : null;
  for (const r of resumed?.rows ?? []) have.set(r.key, r.row);
  const out: AccuracyRow[] = [];
  const missing = new Set<string>();
  try {
    for (const [i, job] of o.jobs.entries()) {
      const key = accuracyJobKey(job);
      let row = have.get(key);
      o.onJob?.(i, o.jobs.length, job, row !== undefined);
      if (missing.has(job.spec.network)) continue;
      const t0 = performance.now();
      const cached = row !== undefined;
      if (!row) {
        try {
          [row] = await accuracyTable({
            rows: [job.spec],
            epochs: job.epochs,
            limit: job.limit,
            testLimit: job.testLimit,
            seed: job.seed,
            workers: o.workers,
            onStep: o.onStep ? (p) => o.onStep!(p, job) : undefined,
          });
        } catch (err) {
          if (!o.onSkip || !(err instanceof InputError) || !/not installed|has no loader|no dataset is given/.test(err.message)) throw err;
          missing.add(job.spec.network);
          o.onSkip?.(job.spec.network, err.message);
          continue;
        }
        resumed?.writer.append({ key, row });
        have.set(key, row);
      }
      out.push({ ...row, label: job.spec.label, deltaVsNoDelay: null });
      o.onRow?.(row, job, cached ? null : (performance.now() - t0) / 1000);
    }
    o.onJob?.(o.jobs.length, o.jobs.length, null, false);
  } finally {
    resumed?.writer.close();
  }
  // Δ of each run against the no-delay run of the same network and seed.
  for (const row of out) {
    const base = out.find((b) => b.network === row.network && b.dataset === row.dataset && b.seed === row.seed && b.epochs === row.epochs && isNoDelay(b.staleness));
    row.deltaVsNoDelay = base ? row.testAccuracy - base.testAccuracy : null;
  }
  return out;
}

export type { AccuracyRow, AccuracySummaryRow, Spread };
