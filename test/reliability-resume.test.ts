// Resume and published optima keyed by content, JSONL rows checked on read with a torn or
// garbage tail cut on resume, `merge` refusing missing shards and missing grid points, and
// `stg` tables without wall times (two runs, the same bytes).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikepipe-rel-resume-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const STG = path.resolve(__dirname, '../networks/stg');
const OPT = path.join(STG, 'optimal');
const lines = (f: string) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l !== '');

/** A graph of two chained tasks (10 then 15): makespan 25 on any p. */
const SMALL = ['2', '0 0 0', '1 10 1 0', '2 15 1 1', '3 0 1 2', ''].join('\n');

describe('stg: resume and published optima by content', () => {
  it('a changed graph under the same name is solved again, gets no published optimum and no BUG line', async () => {
    const dir = path.join(tmp, 'content', '50');
    fs.mkdirSync(dir, { recursive: true });
    const g = path.join(dir, 'rand0000.stg');
    fs.copyFileSync(path.join(STG, '50', 'rand0000.stg'), g);
    const jsonl = path.join(tmp, 'content.jsonl');
    const args = ['stg', g, '--procs', '2', '--solvers', 'hlfet', '--optima', OPT, '--jsonl', jsonl];
    const first = await cli(...args);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('| 50/rand0000.stg | 2 | hlfet | 131 | 131 | 131 | 0.00 % |'); // the published optimum applies
    fs.writeFileSync(g, SMALL); // same name, other content
    const second = await cli(...args);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('| 50/rand0000.stg | 2 | hlfet | 25 | 25 | – | 0.00 % |');
    expect(second.stderr).not.toMatch(/BUG/);
    expect(second.stderr).toMatch(/stg: warning: 50\/rand0000\.stg: differs from the published graph of that name; no published optimum is used for it\n/);
    expect(lines(jsonl)).toHaveLength(2); // the old row was not reused
    // the same file run fresh (no JSONL) is no "BUG … below the published 131" either
    const fresh = await cli('stg', g, '--procs', '2', '--solvers', 'hlfet', '--optima', OPT);
    expect(fresh.stderr).not.toMatch(/BUG/);
    expect(fresh.stdout).toContain('| 50/rand0000.stg | 2 | hlfet | 25 |');
    // the original bytes again: their row is found and reused (no new line)
    fs.copyFileSync(path.join(STG, '50', 'rand0000.stg'), g);
    const third = await cli(...args);
    expect(third.stdout).toContain('| 50/rand0000.stg | 2 | hlfet | 131 |');
    expect(lines(jsonl)).toHaveLength(2);
  });

  it('a torn or garbage last line is cut with a warning, with or without a newline; rows of the wrong shape are one line', async () => {
    const g = path.join(STG, '50', 'rand0001.stg');
    for (const tail of ['garbage\n', '{"graph":"50/rand0001.stg","pro', '\u0000\u0001\n\n']) {
      const jsonl = path.join(tmp, `torn-${tail.length}.jsonl`);
      expect((await cli('stg', g, '--procs', '2', '--solvers', 'hlfet', '--jsonl', jsonl)).code).toBe(0);
      fs.appendFileSync(jsonl, tail);
      const r = await cli('stg', g, '--procs', '2,4', '--solvers', 'hlfet', '--jsonl', jsonl);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/stg: warning: .*: line 2: cut a torn or garbage last line \(not JSON\); its result is computed again\n/);
      const rows = lines(jsonl).map((l) => JSON.parse(l));
      expect(rows.map((x) => x.procs)).toEqual([2, 4]);
      const again = await cli('stg', g, '--procs', '2,4', '--solvers', 'hlfet', '--jsonl', jsonl);
      expect(again.code).toBe(0);
      expect(again.stderr).not.toMatch(/warning/);
      expect(lines(jsonl)).toHaveLength(2);
    }
    // a row of the wrong shape: one line naming the file and line
    const bad = path.join(tmp, 'bad-shape.jsonl');
    fs.writeFileSync(bad, '{"graph":"50/rand0001.stg","procs":2,"solver":"hlfet","makespan":"x"}\n');
    const r = await cli('stg', g, '--procs', '2', '--solvers', 'hlfet', '--jsonl', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^spikepipe: .*bad-shape\.jsonl: line 1: row: [^\n]+\n$/);
  });
});

describe('sweep JSONL and merge', () => {
  const spec = path.join(tmp, 'grid.json');
  fs.writeFileSync(spec, JSON.stringify({ name: 'g', networks: ['tiny-fc'], procs: [2], methods: ['sequential', 'pipedream'] }));

  it('sweep: a garbage last line is cut on resume; a row of an edited network is not reused', async () => {
    const jsonl = path.join(tmp, 'sweep.jsonl');
    expect((await cli('sweep', spec, '--workers', '1', '--jsonl', jsonl)).code).toBe(0);
    expect(lines(jsonl)).toHaveLength(2);
    fs.appendFileSync(jsonl, '{"key": garbage}\n');
    const r = await cli('sweep', spec, '--workers', '1', '--jsonl', jsonl);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/spikepipe sweep: warning: .*sweep\.jsonl: line 3: cut a torn or garbage last line/);
    expect(lines(jsonl)).toHaveLength(2);
    // a network file edited under the same name: its points run again
    const net = path.join(tmp, 'net.json');
    const tiny = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../networks/tiny-fc.json'), 'utf8'));
    fs.writeFileSync(net, JSON.stringify(tiny));
    const spec2 = path.join(tmp, 'grid2.json');
    fs.writeFileSync(spec2, JSON.stringify({ networks: [net], procs: [2], methods: ['sequential'] }));
    const j2 = path.join(tmp, 'sweep2.jsonl');
    expect((await cli('sweep', spec2, '--workers', '1', '--jsonl', j2)).code).toBe(0);
    expect((await cli('sweep', spec2, '--workers', '1', '--jsonl', j2)).code).toBe(0);
    expect(lines(j2)).toHaveLength(1);
    fs.writeFileSync(net, JSON.stringify({ ...tiny, timesteps: tiny.timesteps + 1 }));
    expect((await cli('sweep', spec2, '--workers', '1', '--jsonl', j2)).code).toBe(0);
    expect(lines(j2)).toHaveLength(2);
    const [a, b] = lines(j2).map((l) => JSON.parse(l));
    expect(a.key).toBe(b.key);
    expect(a.inputs).not.toBe(b.inputs);
  });

  it('merge: a missing or unreadable shard, rows of the wrong shape, missing and duplicate points', async () => {
    const shards = [0, 1].map((i) => path.join(tmp, `shard-${i}.jsonl`));
    for (const [i, s] of shards.entries()) expect((await cli('sweep', spec, '--workers', '1', '--shard', `${i}/2`, '--jsonl', s)).code).toBe(0);
    const typo = path.join(tmp, 'typo.jsonl');
    let r = await cli('merge', ...shards, typo);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `spikepipe: ${typo}: no such file\n`]);
    r = await cli('merge', ...shards, tmp);
    expect([r.code, r.stderr]).toEqual([2, `spikepipe: ${tmp}: is a directory, not a JSON Lines file\n`]);
    const row = JSON.parse(lines(shards[0])[0]);
    const bad = path.join(tmp, 'bad-rows.jsonl');
    for (const [text, msg] of [
      [JSON.stringify({ ...row, result: 1 }), /line 1: row: \/result: must be an object/],
      [JSON.stringify({ ...row, result: { network: 'tiny-fc' } }), /line 1: row: \/result\/\w+: required property is missing/],
      [JSON.stringify({ key: row.key, point: row.point }), /line 1: row: \/result: required property is missing/],
    ] as const) {
      fs.writeFileSync(bad, text + '\n');
      r = await cli('merge', bad);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^spikepipe: ${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: ${msg.source}[^\\n]*\\n$`));
    }
    // a grid point no shard holds: an error with --spec (exit 2), a warning with --partial
    r = await cli('merge', shards[0], '--spec', spec);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^spikepipe: merge: 1 of 2 points of .*grid\.json have no row \(tiny-fc\|default\|p2\|pipedream\|-\); rerun their shards, or merge with --partial\n$/);
    r = await cli('merge', shards[0], '--spec', spec, '--partial');
    expect(r.code).toBe(0);
    // duplicates: named in a warning, kept once
    const copy = path.join(tmp, 'copy.jsonl');
    fs.copyFileSync(shards[0], copy);
    r = await cli('merge', ...shards, copy, '--spec', spec, '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^spikepipe merge: warning: 1 point\(s\) found in more than one file, kept once \(tiny-fc\|default\|p2\|sequential\|-: in .*shard-0\.jsonl and .*copy\.jsonl\)\n$/);
    const merged = JSON.parse(r.stdout);
    expect(merged.rows).toHaveLength(2);
    // --json keeps wall times out of the results
    expect(Object.keys(merged)).toEqual(['rows', 'timings']);
    expect(merged.rows.some((x: Record<string, unknown>) => 'solverSeconds' in x)).toBe(false);
    expect(merged.timings.map((x: { method: string }) => x.method)).toEqual(merged.rows.map((x: { method: string }) => x.method));
    // a torn last line of a shard is left out with a warning (the shard file is not changed)
    fs.appendFileSync(copy, '{"key":');
    const size = fs.statSync(copy).size;
    r = await cli('merge', ...shards, copy, '--spec', spec, '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/copy\.jsonl: line 2: a torn or garbage last line \(not JSON\) left out/);
    expect(fs.statSync(copy).size).toBe(size);
  });
});

describe('stg tables are deterministic', () => {
  it('two identical runs print the same bytes; wall times go to --timings and to a separate JSON list', async () => {
    const g = [0, 1].map((k) => path.join(STG, '50', `rand000${k}.stg`));
    const args = ['stg', ...g, '--procs', '2,4', '--solvers', 'hlfet,heft', '--restarts', '2'];
    for (const format of ['md', 'csv']) {
      const a = await cli(...args, '--format', format);
      const b = await cli(...args, '--format', format);
      expect(a.code).toBe(0);
      expect(a.stdout).toBe(b.stdout);
      expect(a.stdout).not.toMatch(/seconds/);
    }
    const timings = path.join(tmp, 'timings.csv');
    const r = await cli(...args, '--timings', timings, '--json');
    expect(r.code).toBe(0);
    const t = lines(timings);
    expect(t[0]).toBe('graph,procs,solver,seconds');
    expect(t).toHaveLength(1 + 8);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['rows', 'summary', 'timings']);
    expect(j.rows.every((x: Record<string, unknown>) => !('seconds' in x))).toBe(true);
    expect(j.timings).toHaveLength(8);
  });
});
