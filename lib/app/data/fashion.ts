/**
 * Fashion-MNIST (Zalando; 60,000 train + 10,000 test 28×28 grey images, 10 classes) from the
 * IDX files of Debian's package `dataset-fashion-mnist`, which installs them gzip-compressed
 * under /usr/share/datasets/fashion-mnist/. The official train/test split is kept.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../model/errors';
import type { Dataset, DataSplit } from './dataset';
import { type IdxArray, readIdxFile } from './idx';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_PACKAGE = 'dataset-fashion-mnist';

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** The file `base` in dir, gzip-compressed or not; InputError with the install hint if absent. */
function locate(dir: string, base: string): string {
  for (const f of [join(dir, `${base}.gz`), join(dir, base)]) if (existsSync(f)) return f;
  throw new InputError(
    join(dir, `${base}.gz`),
    `Fashion-MNIST is not installed; install Debian's package with \`apt-get install ${FASHION_MNIST_PACKAGE}\` (as root, after apt-get update)`,
  );
}

/** Images (u8, n×28×28) and labels (u8, n) → a Dataset with pixels scaled to [0, 1]. */
function toDataset(name: string, images: IdxArray, labels: IdxArray, imgFile: string, lblFile: string): Dataset {
  if (images.type !== 'u8' || images.dims.length !== 3) throw new InputError(imgFile, `expected u8 images n×h×w, got ${images.type} ${images.dims.join('×')}`);
  if (labels.type !== 'u8' || labels.dims.length !== 1) throw new InputError(lblFile, `expected u8 labels, got ${labels.type} ${labels.dims.join('×')}`);
  const [n, h, w] = images.dims;
  if (labels.dims[0] !== n) throw new InputError(lblFile, `${labels.dims[0]} labels for ${n} images`);
  const x = new Float32Array(n * h * w);
  const px = images.data;
  for (let i = 0; i < x.length; i++) x[i] = px[i] / 255;
  const y = Uint8Array.from(labels.data);
  for (let i = 0; i < n; i++) if (y[i] > 9) throw new InputError(lblFile, `label ${y[i]} at ${i} is not a class 0–9`);
  return { name, shape: [1, h, w], classes: 10, n, x, y };
}

const cache = new Map<string, DataSplit>();

/**
 * Load the official train and test sets from `dir` (default the Debian location). Inflating
 * and converting 70,000 images takes a few seconds, so the result is kept for the process,
 * keyed by the files' paths, sizes and modification times (callers must not modify it;
 * `subset` and the transforms copy).
 */
export function loadFashionMnist(dir = FASHION_MNIST_DIR): DataSplit {
  const f = Object.fromEntries(Object.entries(FILES).map(([k, base]) => [k, locate(dir, base)])) as Record<keyof typeof FILES, string>;
  const key = Object.values(f)
    .map((file) => {
      const st = statSync(file);
      return `${file}:${st.size}:${st.mtimeMs}`;
    })
    .join('|');
  const hit = cache.get(key);
  if (hit) return hit;
  const split = {
    train: toDataset('fashion-mnist/train', readIdxFile(f.trainImages), readIdxFile(f.trainLabels), f.trainImages, f.trainLabels),
    test: toDataset('fashion-mnist/test', readIdxFile(f.testImages), readIdxFile(f.testLabels), f.testImages, f.testLabels),
  };
  cache.set(key, split);
  return split;
}
