/**
 * A small seeded, linearly separable image set for tests: every class has a random binary
 * prototype image; a sample is its class's prototype with each pixel flipped towards noise
 * (value replaced by a uniform draw) with probability `noise`.
 */
import { createRng } from '../trainer/rng';
import type { Shape3 } from '../../model/spec/types';
import type { Dataset } from './dataset';

export interface SyntheticOptions {
  n: number;
  classes: number;
  shape: Shape3;
  seed: number;
  /** Probability that a pixel is replaced by uniform noise (default 0.1). */
  noise?: number;
  name?: string;
}

export function syntheticDataset(o: SyntheticOptions): Dataset {
  const size = o.shape[0] * o.shape[1] * o.shape[2];
  const rng = createRng(o.seed, 'synthetic');
  const protos: Float32Array[] = [];
  const protoRng = createRng(0, 'synthetic/prototypes');
  for (let c = 0; c < o.classes; c++) {
    const p = new Float32Array(size);
    for (let i = 0; i < size; i++) p[i] = protoRng.next() < 0.3 ? 1 : 0;
    protos.push(p);
  }
  const noise = o.noise ?? 0.1;
  const x = new Float32Array(o.n * size);
  const y = new Uint8Array(o.n);
  for (let s = 0; s < o.n; s++) {
    const c = s % o.classes;
    y[s] = c;
    for (let i = 0; i < size; i++) x[s * size + i] = rng.next() < noise ? rng.next() : protos[c][i];
  }
  return { name: o.name ?? 'synthetic', shape: [o.shape[0], o.shape[1], o.shape[2]], classes: o.classes, n: o.n, x, y };
}
