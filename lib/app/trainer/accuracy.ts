/**
 * The accuracy-with-delay table: each row trains one network with one per-layer staleness
 * and one weight-versioning mode, and reports its test accuracy and the difference to the
 * same network's no-delay row. Datasets are loaded once per (name, limit, seed).
 */
import { type DataSplit, datasetForNetwork, loadData } from '../data';
import { InputError } from '../../model/errors';
import { loadNetwork } from '../../model/spec/network';
import { planNetwork } from './plan';
import type { AccuracyRow } from '../../../reports/rows';
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

export type { AccuracyRow };
