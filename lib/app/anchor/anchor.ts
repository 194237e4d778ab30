/**
 * The PyTorch anchor of the accuracy rows: `snn_conv_torch.py` (in `shared/anchors/` beside the
 * repository's folder, not part of the package) trains fmnist-conv in PyTorch on the first n
 * Fashion-MNIST training images for e epochs and prints one JSON line per epoch with the test
 * accuracy on the first 2,000 test images. The project neither ships nor needs it; this module
 * finds it, says in one line why it cannot run (no script, no python, no torch, no data), runs
 * it on the accuracy rows' budget and sets our no-delay row against it (issue: within 1.5 points).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../model/spec/paths';
import type { AccuracySummaryRow } from '../../../reports/rows';

export const DEFAULT_PYTHON = '/usr/bin/python3';
/** Debian's dataset-fashion-mnist, which the anchor reads. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
/** How far our no-delay fmnist-conv may be from the anchor on the same budget (points). */
export const ANCHOR_TOLERANCE_POINTS = 1.5;

/**
 * The anchor script: `$SPIKEPIPE_ANCHORS/snn_conv_torch.py` when that variable is set, else the
 * team's anchors directory beside the package (absent in a user's clone: then the anchor is
 * reported missing in one line and nothing else changes).
 */
export function defaultAnchorPath(): string {
  const dir = process.env.SPIKEPIPE_ANCHORS;
  return dir ? join(dir, 'snn_conv_torch.py') : join(packageRoot(), '..', 'shared', 'anchors', 'snn_conv_torch.py');
}

/** Why the anchor cannot run here (one line), or null when it can. */
export function anchorUnavailable(anchor: string, python: string, dataDir = FASHION_MNIST_DIR): string | null {
  if (!existsSync(anchor)) return `the PyTorch anchor is not at ${anchor} (it lives beside the repository, not in it; --anchor FILE)`;
  if (!existsSync(python)) return `no ${python} (Debian's python3 with python3-torch; --python FILE)`;
  const r = spawnSync(python, ['-c', 'import torch, numpy'], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) return `torch (or numpy) is not importable by ${python} (apt-get install python3-torch python3-numpy)`;
  if (!existsSync(join(dataDir, 'train-images-idx3-ubyte.gz'))) return `no Fashion-MNIST at ${dataDir} (apt-get install dataset-fashion-mnist)`;
  return null;
}

export interface AnchorEpoch {
  epoch: number;
  train_samples_per_s: number;
  test_accuracy: number;
}

/** The anchor's JSON lines (other lines ignored). */
export function parseAnchorOutput(text: string): AnchorEpoch[] {
  const out: AnchorEpoch[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      const o = JSON.parse(t) as Partial<AnchorEpoch>;
      if (typeof o.epoch === 'number' && typeof o.test_accuracy === 'number') out.push({ epoch: o.epoch, train_samples_per_s: o.train_samples_per_s ?? NaN, test_accuracy: o.test_accuracy });
    } catch {
      // not a result line
    }
  }
  return out;
}

/** Run the anchor; each epoch's line is passed to `onEpoch` as it comes. */
export function runAnchor(o: { anchor: string; python: string; samples: number; epochs: number; threads: number; onEpoch?: (e: AnchorEpoch) => void }): Promise<AnchorEpoch[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(o.python, [o.anchor, String(o.samples), String(o.epochs), String(o.threads)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      pending += s;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        for (const e of parseAnchorOutput(pending.slice(0, nl))) o.onEpoch?.(e);
        pending = pending.slice(nl + 1);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`the anchor exited with ${code}: ${err.trim().split('\n').slice(-1)[0] ?? ''}`));
      else resolve(parseAnchorOutput(out));
    });
  });
}

/**
 * Our no-delay fmnist-conv row from `spikepipe accuracy --json` (an array of rows) or from
 * reproduce's summary.json (`{accuracy: [...]}`), with the budget it was trained on.
 */
export function ourNoDelayRow(file: string, network = 'fmnist-conv'): AccuracySummaryRow | null {
  const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const rows = (Array.isArray(data) ? data : (data as { accuracy?: unknown }).accuracy) as AccuracySummaryRow[] | undefined;
  if (!Array.isArray(rows)) return null;
  return rows.find((r) => r.network === network && Array.isArray(r.staleness) && r.staleness.every((d) => d === 0) && r.accuracy && typeof r.accuracy.mean === 'number') ?? null;
}

/** One line setting our no-delay mean against the anchor's accuracy (both fractions). */
export function compareLine(ours: AccuracySummaryRow, anchorAccuracy: number, budget: { samples: number; epochs: number }): string {
  const d = 100 * (ours.accuracy.mean - anchorAccuracy);
  const same = ours.trainSamples === budget.samples && ours.epochs === budget.epochs;
  const spread = ours.seeds.length > 1 ? ` (${(100 * ours.accuracy.min).toFixed(2)} … ${(100 * ours.accuracy.max).toFixed(2)})` : '';
  return (
    `ours, no delay, seeds ${ours.seeds.join(',')}: ${(100 * ours.accuracy.mean).toFixed(2)} % mean${spread} on ${ours.trainSamples} samples × ${ours.epochs} epochs; ` +
    `difference to the anchor ${d >= 0 ? '+' : ''}${d.toFixed(2)} points: ${Math.abs(d) <= ANCHOR_TOLERANCE_POINTS ? 'within' : 'NOT within'} ${ANCHOR_TOLERANCE_POINTS} points` +
    (same ? '' : ` (budgets differ: the anchor ran ${budget.samples} samples × ${budget.epochs} epochs)`)
  );
}
