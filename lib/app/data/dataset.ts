/**
 * An in-memory labelled image set: `n` samples of shape [C, H, W] stored channels-last (HWC)
 * as float32 in [0, 1], one label byte each. Plain data, so it can be shared with worker
 * threads and cut without copying the pixels of the rest.
 */
import type { Shape3 } from '../../model/spec/types';

export interface Dataset {
  /** Where it came from (`mnist/train`, `fashion-mnist/test`, …), for messages and tables. */
  name: string;
  /** [C, H, W] of one sample. */
  shape: Shape3;
  classes: number;
  n: number;
  /** n·C·H·W values, sample-major, HWC within a sample. */
  x: Float32Array;
  y: Uint8Array;
}

export interface DataSplit {
  train: Dataset;
  test: Dataset;
  /** Free-form notes for tables (e.g. `padded to 32×32`). */
  note?: string;
}

export const sampleSize = (d: Dataset): number => d.shape[0] * d.shape[1] * d.shape[2];

/** Samples per class. O(n). */
export function classCounts(d: Dataset): number[] {
  const c = new Array<number>(d.classes).fill(0);
  for (let i = 0; i < d.n; i++) c[d.y[i]]++;
  return c;
}

/** A new dataset made of the samples `indices` of `d`, in that order. O(|indices|·size). */
export function subset(d: Dataset, indices: ArrayLike<number>, name = d.name): Dataset {
  const s = sampleSize(d);
  const n = indices.length;
  const x = new Float32Array(n * s);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = indices[i];
    x.set(d.x.subarray(j * s, (j + 1) * s), i * s);
    y[i] = d.y[j];
  }
  return { name, shape: [d.shape[0], d.shape[1], d.shape[2]], classes: d.classes, n, x, y };
}
