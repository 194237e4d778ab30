#!/usr/bin/env node
/**
 * fmnist-conv training speed against the PyTorch anchor, side by side (`npm run bench:conv`,
 * which builds dist/ first).
 *
 * Runs, alternately, `spikepipe train fmnist-conv --limit <samples> --epochs 1 --json` and the
 * anchor `snn_conv_torch.py <samples> 1 <threads>` (where lib/app/anchor finds it; Debian's
 * python3-torch, run with /usr/bin/python3), `--pairs` times, and prints every pair's training samples/s, its ratio
 * ours/anchor, and the median of the pairwise ratios. Pairs alternate which side runs first,
 * so a load that drifts on a shared machine hits both sides alike. Samples/s on both sides is
 * forward + backward + optimizer step over the epoch; test evaluation is excluded.
 *
 * Without the anchor script (a user's clone has none), torch or the data, it says so in one line
 * (lib/app/anchor's reason) and measures ours only.
 *
 * Options: --pairs N (4) --samples N (2048) --threads N (2) --kernels simd|js (simd: the
 * trainer's default; js measures the scalar JavaScript products it replaced)
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!(Number.isInteger(v) && v >= 1)) {
    console.error(`trainer-conv-bench: --${name} needs an integer ≥ 1`);
    process.exit(2);
  }
  return v;
};
const pairs = arg('pairs', 4);
const samples = arg('samples', 2048);
const threads = arg('threads', 2);
const kIdx = process.argv.indexOf('--kernels');
const kernels = kIdx < 0 ? 'simd' : process.argv[kIdx + 1];
if (kernels !== 'simd' && kernels !== 'js') {
  console.error('trainer-conv-bench: --kernels needs simd or js');
  process.exit(2);
}

// The anchor's path and the reason it cannot run come from the one anchor module (dist/ is built).
const { DEFAULT_PYTHON, anchorUnavailable, defaultAnchorPath } = require(join(root, 'dist', 'lib', 'app', 'anchor', 'anchor.js'));
const anchor = defaultAnchorPath();
const python = DEFAULT_PYTHON;
const why = anchorUnavailable(anchor, python);
const anchorMissing = why === null ? null : `${why}: measuring ours only`;
if (anchorMissing) console.log(anchorMissing);

function lastJson(out, what) {
  const lines = out.split('\n').filter((l) => l.trim().startsWith('{'));
  if (!lines.length) throw new Error(`${what}: no JSON line in its output:\n${out}`);
  return JSON.parse(lines[lines.length - 1]);
}

function ours() {
  const out = execFileSync(
    process.execPath,
    [join(root, 'bin', 'spikepipe.js'), 'train', 'fmnist-conv', '--limit', String(samples), '--epochs', '1', '--seed', '0', '--workers', String(threads), '--kernels', kernels, '--json'],
    { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  const r = lastJson(out, 'spikepipe train');
  return { sps: r.trainSamplesPerSecond, acc: r.testAccuracy };
}

function torch() {
  const out = execFileSync(python, [anchor, String(samples), '1', String(threads)], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
  const r = lastJson(out, 'snn_conv_torch.py');
  return { sps: r.train_samples_per_s, acc: r.test_accuracy };
}

const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

console.log(`fmnist-conv, ${samples} training samples, 1 epoch, ${threads} threads, ${kernels} kernels, ${pairs} pair(s)${anchorMissing ? '' : ', alternating with the PyTorch anchor'}`);
const ratios = [];
const oursAll = [];
for (let p = 0; p < pairs; p++) {
  let a;
  let o;
  if (anchorMissing) o = ours();
  else if (p % 2 === 0) {
    o = ours();
    a = torch();
  } else {
    a = torch();
    o = ours();
  }
  oursAll.push(o.sps);
  if (a) {
    ratios.push(o.sps / a.sps);
    console.log(`pair ${p + 1}: ours ${o.sps.toFixed(1)} samples/s (test ${(100 * o.acc).toFixed(1)} %), PyTorch ${a.sps.toFixed(1)} samples/s (test ${(100 * a.acc).toFixed(1)} %), ratio ${(o.sps / a.sps).toFixed(2)}×`);
  } else console.log(`run ${p + 1}: ours ${o.sps.toFixed(1)} samples/s (test ${(100 * o.acc).toFixed(1)} %)`);
}
if (ratios.length) console.log(`median of the pairwise ratios: ${median(ratios).toFixed(2)}× (pairs: ${ratios.map((r) => r.toFixed(2)).join(', ')})`);
else console.log(`median: ${median(oursAll).toFixed(1)} samples/s`);
