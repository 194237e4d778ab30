/**
 * Seeded, stratified cuts of a dataset: a train/test split with a fixed number of test
 * samples per class, and a class-proportional subset (for `--limit`). Same seed, same
 * indices; the permutation of each class comes from its own seeded stream.
 */
import { createRng, shuffleInPlace } from '../trainer/rng';
import { type Dataset, type DataSplit, subset } from './dataset';

/** Indices of each class, in dataset order. O(n). */
export function indicesByClass(d: Dataset): number[][] {
  const by: number[][] = Array.from({ length: d.classes }, () => []);
  for (let i = 0; i < d.n; i++) by[d.y[i]].push(i);
  return by;
}

/**
 * Split `d` into a test set of `testPerClass` samples of every class and a train set of the
 * rest. Each class's indices are shuffled with the seed; the first `testPerClass` go to test.
 * Both sets list samples class by class, in shuffled order within a class. O(n).
 */
export function stratifiedSplit(d: Dataset, testPerClass: number, seed: number): DataSplit {
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  indicesByClass(d).forEach((idx, c) => {
    if (idx.length < testPerClass) throw new RangeError(`${d.name}: class ${c} has ${idx.length} samples, fewer than ${testPerClass}`);
    shuffleInPlace(idx, createRng(seed, `split/${c}`));
    for (let i = 0; i < idx.length; i++) (i < testPerClass ? testIdx : trainIdx).push(idx[i]);
  });
  const base = d.name.replace(/\/all$/, '');
  return { train: subset(d, trainIdx, `${base}/train`), test: subset(d, testIdx, `${base}/test`) };
}

/**
 * A class-proportional random subset of `n` samples (largest-remainder apportionment, ties
 * to the smaller class index), seeded. Returns `d` itself when n ≥ d.n. O(d.n).
 */
export function stratifiedSubset(d: Dataset, n: number, seed: number): Dataset {
  if (n >= d.n) return d;
  const by = indicesByClass(d);
  const exact = by.map((idx) => (idx.length * n) / d.n);
  const take = exact.map(Math.floor);
  let left = n - take.reduce((a, b) => a + b, 0);
  const order = exact.map((e, c) => ({ c, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.c - b.c);
  for (const { c } of order) {
    if (left === 0) break;
    if (take[c] < by[c].length) {
      take[c]++;
      left--;
    }
  }
  const chosen: number[] = [];
  by.forEach((idx, c) => {
    shuffleInPlace(idx, createRng(seed, `subset/${c}`));
    for (let i = 0; i < take[c]; i++) chosen.push(idx[i]);
  });
  return subset(d, chosen, d.name);
}
