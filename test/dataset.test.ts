// `dataset` is free text (or absent): every scheduling path ignores it; only training needs a
// loader, and refuses a network without one in one line naming the file, /dataset and the loaders.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare } from '../lib/app/pipeline/compare';
import { accuracyTable } from '../lib/app/trainer/accuracy';
import { loadNetwork, normalizeNetworkSpec } from '../lib/model/spec/network';
import { defaultHardware } from '../lib/model/spec/hardware';
import { cli } from './helpers/cli';

const base = { name: 'free-fc', input: [1, 4, 4], timesteps: 2, batch: 4, classes: 4, optimizer: 'sgd', layers: [{ type: 'fc', out: 8 }, { type: 'fc', out: 4 }] };
const dir = mkdtempSync(join(tmpdir(), 'spikepipe-dataset-'));
const imagenet = join(dir, 'imagenet-like.json');
const none = join(dir, 'no-dataset.json');
writeFileSync(imagenet, JSON.stringify({ ...base, dataset: 'imagenet-like' }));
writeFileSync(none, JSON.stringify(base));
const LOADERS = 'mnist, fashion-mnist, fashion-mnist-32, cifar10 and cifar100 (on fashion-mnist-32), synthetic';
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('dataset: free text or absent', () => {
  it('the schema takes any name or none, and still refuses a non-string or empty one', () => {
    expect(loadNetwork(imagenet).spec.dataset).toBe('imagenet-like');
    expect('dataset' in loadNetwork(none).spec).toBe(false);
    expect(() => normalizeNetworkSpec({ ...base, dataset: 7 }, 'n.json')).toThrow(/^n\.json: \/dataset: /);
    expect(() => normalizeNetworkSpec({ ...base, dataset: '' }, 'n.json')).toThrow(/^n\.json: \/dataset: /);
  });

  it('schedules: compare runs on either network and gives the same periods', async () => {
    const hw = defaultHardware();
    const periods = [];
    for (const net of [imagenet, none]) {
      const { rows } = await compare({ networks: [net], procs: [2, 4], methods: ['gpipe', 'pipedream', 'spikepipe'], hw });
      expect(rows).toHaveLength(6);
      expect(rows.every((r) => r.valid && r.simulatedPeriod === r.period)).toBe(true);
      periods.push(rows.map((r) => r.period));
    }
    expect(periods[0]).toEqual(periods[1]);
    const r = await cli('compare', imagenet, '--procs', '2', '--methods', 'pipedream,spikepipe');
    expect([r.code, r.stderr]).toEqual([0, '']);
  });

  it('train refuses a network without a loader in one line, exit 2; --dataset still trains it', async () => {
    const r = await cli('train', imagenet, '--workers', '1');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(`spikepipe: ${imagenet}: /dataset: "imagenet-like" has no loader; training needs one of ${LOADERS}, or give --dataset\n`);
    const r2 = await cli('train', none, '--workers', '1');
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(new RegExp(`^spikepipe: ${esc(none)}: /dataset: no dataset is given; training needs one of `));
    const ok = await cli('train', imagenet, '--dataset', 'synthetic', '--workers', '1', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout.trim()).testAccuracy).toBeGreaterThan(0);
  });

  it("accuracy rows refuse it the same way (the row's own dataset is used when given)", async () => {
    const rows = [{ network: imagenet, label: 'no delay', staleness: [0, 0], mode: 'stash' as const }];
    await expect(accuracyTable({ rows, epochs: 1, workers: 1 })).rejects.toThrow(`${imagenet}: /dataset: "imagenet-like" has no loader; training needs one of ${LOADERS}`);
    const [row] = await accuracyTable({ rows: [{ ...rows[0], dataset: 'synthetic' }], epochs: 1, workers: 1 });
    expect(row.dataset).toBe('synthetic');
  });
});
