// Sweeps: grid expansion and sharding, resume after a kill (every point exactly once), merge of
// shards into the same rows, and bad specs refused with one clear line.
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandSweep, parseShard, parseSweepSpec, shardPoints, type SweepSpec } from '../lib/app/sweep/spec';
import { mergeSweepRows, runSweep, type SweepRow } from '../lib/app/sweep/run';
import { cli } from './helpers/cli';

const spec: SweepSpec = { name: 't', networks: ['tiny-fc'], procs: [1, 2, 3], methods: ['sequential', 'pipedream', 'spikepipe'], delayRules: ['minimal', '2S'] };
const keysOf = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as SweepRow).key);

describe('sweep grid', () => {
  it('expands networks × procs × methods, the delay rule only where a method has one', () => {
    const pts = expandSweep(spec);
    // per N: sequential, pipedream once each; spikepipe twice (minimal, 2S) → 4 × 3 = 12
    expect(pts).toHaveLength(12);
    expect(pts.map((p) => p.key).slice(0, 4)).toEqual(['tiny-fc|default|p1|sequential|-', 'tiny-fc|default|p1|pipedream|-', 'tiny-fc|default|p1|spikepipe|minimal', 'tiny-fc|default|p1|spikepipe|2S']);
    const shards = [0, 1, 2].map((i) => shardPoints(pts, { index: i, count: 3 }).map((p) => p.key));
    expect(shards.flat().sort()).toEqual(pts.map((p) => p.key).sort());
    expect(shards.map((s) => s.length)).toEqual([4, 4, 4]);
    expect(() => parseShard('3/3')).toThrow(/--shard: expected i\/N with 0 ≤ i < N, got "3\/3"/);
  });

  it('refuses bad specs naming the JSON path', () => {
    expect(() => parseSweepSpec({ networks: ['a'], procs: [0], methods: ['gpipe'] }, 's.json')).toThrow(/^s\.json: \/procs\/0: /);
    expect(() => parseSweepSpec({ networks: ['a'], procs: [2], methods: ['nope'] }, 's.json')).toThrow(/^s\.json: \/methods\/0: /);
    expect(() => parseSweepSpec({ networks: ['a', 'a'], procs: [2], methods: ['gpipe'] }, 's.json')).toThrow('s.json: /networks: "a" is listed twice');
  });
});

describe('sweep runs', () => {
  it('resumes after a kill: finished points are skipped, a torn last line is redone, every point once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikepipe-sweep-'));
    const full = join(dir, 'full.jsonl');
    const all = await runSweep(spec, { workers: 1, jsonl: full });
    expect(all).toHaveLength(12);
    // A "killed" run: the first 5 finished lines plus half of the 6th.
    const lines = readFileSync(full, 'utf8').split('\n');
    const partial = join(dir, 'partial.jsonl');
    writeFileSync(partial, lines.slice(0, 5).join('\n') + '\n' + lines[5].slice(0, 40));
    const done: string[] = [];
    const resumed = await runSweep(spec, { workers: 2, jsonl: partial, onProgress: (_d, _t, k) => k && done.push(k) });
    expect(done).toHaveLength(12 - 5);
    const keys = keysOf(partial);
    expect(keys).toHaveLength(12);
    expect(new Set(keys).size).toBe(12);
    // Same results as the uninterrupted run (wall times aside).
    const strip = (rs: SweepRow[]) => rs.map((r) => ({ ...r, result: { ...r.result, solverSeconds: 0 } }));
    expect(strip(resumed)).toEqual(strip(all));
  });

  it('shards merge into the rows of the whole grid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikepipe-shards-'));
    const files = [0, 1].map((i) => join(dir, `s${i}.jsonl`));
    for (const [i, f] of files.entries()) await runSweep(spec, { workers: 1, jsonl: f, shard: { index: i, count: 2 } });
    const { rows, conflicts } = mergeSweepRows(files);
    expect(conflicts).toEqual([]);
    expect(rows.map((r) => r.key)).toEqual(expandSweep(spec).map((p) => p.key).sort());
    // A corrupt line in the middle of a file is an error naming the line.
    appendFileSync(files[0], '{oops\n{"key":"x"}\n');
    expect(() => mergeSweepRows(files)).toThrow(/s0\.jsonl: line \d+: not a JSON line/);
  });

  it('CLI: merge --spec writes the tables of a one-machine sweep byte for byte, and names missing points', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikepipe-merge-spec-'));
    const f = join(dir, 'grid.json');
    // Grid order is not key order (tiny-fc before mnist-fc, p4 before p2): merge must follow the spec.
    writeFileSync(f, JSON.stringify({ name: 'order', networks: ['tiny-fc', 'mnist-fc'], procs: [4, 2], methods: ['pipedream', 'spikepipe'] }));
    expect((await cli('sweep', f, '--workers', '1', '--out', join(dir, 'one'))).code).toBe(0);
    const shards = [0, 1, 2].map((i) => join(dir, `shard-${i}.jsonl`));
    for (const [i, s] of shards.entries()) expect((await cli('sweep', f, '--workers', '1', '--shard', `${i}/3`, '--jsonl', s)).code).toBe(0);
    const r = await cli('merge', ...shards, '--spec', f, '--out', join(dir, 'merged'));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const files = readdirSync(join(dir, 'one')).sort();
    expect(readdirSync(join(dir, 'merged')).sort()).toEqual(files);
    for (const name of files) expect(readFileSync(join(dir, 'merged', name), 'utf8'), name).toBe(readFileSync(join(dir, 'one', name), 'utf8'));
    // Without shard 2 the merge refuses (exit 2, one line naming the missing points)…
    const miss = await cli('merge', shards[0], shards[1], '--spec', f);
    expect(miss.code).toBe(2);
    expect(miss.stderr).toMatch(/^spikepipe: merge: 2 of 8 points of .*grid\.json have no row \(.*\); rerun their shards, or merge with --partial\n$/);
    // …and with --partial writes the tables of the points there are, warning which are missing.
    const part = await cli('merge', shards[0], shards[1], '--spec', f, '--partial');
    expect(part.code).toBe(0);
    expect(part.stderr).toMatch(/^spikepipe merge: warning: 2 of 8 points of .*grid\.json have no row \(.*\); rerun their shards\n$/);
  });

  it('CLI: a bad spec file is one line and exit 2, no output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikepipe-sweep-cli-'));
    const f = join(dir, 'bad.json');
    writeFileSync(f, '{"networks": ["tiny-fc"], "procs": [2], "methods": ["spikepipe"], "colour": 1}');
    const r = await cli('sweep', f);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^spikepipe: ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*colour`));
  });
});
