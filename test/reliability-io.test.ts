// Outputs never replace what they must not, and every file error on an input is one line, exit 2:
// the one writer (lib/model/io/output.ts) refuses devices, FIFOs, directories, paths under a
// file, "" and /proc or /sys, writes atomically and leaves no temp file or half a table set; the
// one reader (lib/model/io/files.ts) turns ENOTDIR, ENAMETOOLONG, ELOOP, devices and FIFOs into
// one line. Device nodes are made in a temp directory, never in /dev.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli';
import { writeOutputSet } from '../lib/model/io/output';
import { runPool } from '../lib/app/sweep/pool';
import { InputError } from '../lib/model/errors';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spikepipe-rel-io-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A fresh directory holding a char device like /dev/null, a FIFO, a directory and a file. */
function nodes(): { dir: string; dev: string | null; fifo: string; sub: string; file: string } {
  const dir = fs.mkdtempSync(path.join(tmp, 'n-'));
  const dev = path.join(dir, 'null');
  let made: string | null = dev;
  try {
    execFileSync('mknod', [dev, 'c', '1', '3'], { stdio: 'ignore' });
  } catch {
    made = null; // not root: the device case is skipped, the others still run
  }
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const sub = path.join(dir, 'sub');
  fs.mkdirSync(sub);
  const file = path.join(dir, 'file');
  fs.writeFileSync(file, 'keep\n');
  return { dir, dev: made, fifo, sub, file };
}

const snapshot = (p: string) => {
  const st = fs.lstatSync(p);
  return { mode: st.mode, rdev: st.rdev, ino: st.ino, size: st.size };
};
const temps = (dir: string): string[] => fs.readdirSync(dir, { recursive: true }).map(String).filter((n) => /\.tmp-/.test(n));

function oneLine(r: { code: number; stdout: string; stderr: string }, pattern?: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^spikepipe: [^\n]+\n$/);
  if (pattern) expect(r.stderr).toMatch(pattern);
}

describe('the one writer', () => {
  it('schedule --out refuses a device, a FIFO, a directory, a path under a file, "", /proc and /sys, changing nothing', async () => {
    const n = nodes();
    const targets: [string, RegExp][] = [
      [n.fifo, /is a FIFO \(named pipe\), not a regular file; refusing to replace it/],
      [n.sub, /is a directory, not a regular file/],
      [path.join(n.file, 'x.json'), /file is a regular file, not a directory/],
      [path.join(n.file, 'a', 'b.json'), /file is a regular file, not a directory/],
      ['', /--out: an empty output path/],
      ['/proc/spikepipe-x', /is in \/proc or \/sys/],
      ['/sys/kernel/spikepipe-x', /is in \/proc or \/sys/],
    ];
    if (n.dev) targets.push([n.dev, /is a character device, not a regular file; refusing to replace it/]);
    const before = [n.dev, n.fifo, n.sub, n.file].filter((p): p is string => p !== null).map((p) => [p, snapshot(p)] as const);
    for (const [target, msg] of targets) {
      oneLine(await cli('schedule', 'tiny-fc', '--procs', '2', '--method', 'pipedream', '--out', target), msg);
    }
    for (const [p, s] of before) expect(snapshot(p), p).toEqual(s);
    expect(fs.readFileSync(n.file, 'utf8')).toBe('keep\n');
    expect(temps(n.dir)).toEqual([]);
    expect(fs.existsSync('/proc/spikepipe-x')).toBe(false);
  });

  it('writes a regular file or a new path (parents made), and through a link to a regular file', async () => {
    const n = nodes();
    expect((await cli('schedule', 'tiny-fc', '--procs', '2', '--method', 'pipedream', '--out', n.file)).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(n.file, 'utf8')).kind).toBe('periodic');
    const fresh = path.join(n.dir, 'new', 'deeper', 's.json');
    expect((await cli('schedule', 'tiny-fc', '--procs', '2', '--method', 'pipedream', '--out', fresh)).code).toBe(0);
    const link = path.join(n.dir, 'link.json');
    fs.symlinkSync(fresh, link);
    fs.writeFileSync(fresh, 'old');
    expect((await cli('schedule', 'tiny-fc', '--procs', '2', '--method', 'gpipe', '--out', link)).code).toBe(0);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(JSON.parse(fs.readFileSync(fresh, 'utf8')).method).toBe('gpipe');
    // a dangling link is refused, not replaced
    const dangling = path.join(n.dir, 'dangling.json');
    fs.symlinkSync(path.join(n.dir, 'nowhere.json'), dangling);
    oneLine(await cli('schedule', 'tiny-fc', '--procs', '2', '--method', 'gpipe', '--out', dangling), /is a dangling symbolic link/);
    expect(temps(n.dir)).toEqual([]);
  });

  it('validate --trace checks its target before printing "valid"', async () => {
    const n = nodes();
    const sched = path.join(n.dir, 's.json');
    expect((await cli('schedule', 'tiny-fc', '--procs', '2', '--method', 'pipedream', '--out', sched)).code).toBe(0);
    for (const t of [n.fifo, n.sub, path.join(n.file, 't.json'), ...(n.dev ? [n.dev] : [])]) {
      oneLine(await cli('validate', 'tiny-fc', sched, '--trace', t));
    }
    const ok = await cli('validate', 'tiny-fc', sched, '--trace', path.join(n.dir, 'trace.json'));
    expect(ok.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(n.dir, 'trace.json'), 'utf8'))).toBeTruthy();
    expect(temps(n.dir)).toEqual([]);
  });

  it('merge and sweep --out /proc/x return at once with one line', async () => {
    const t0 = Date.now();
    oneLine(await cli('merge', path.join(tmp, 'none.jsonl'), '--out', '/proc/x'), /^spikepipe: \/proc\/x: is in \/proc or \/sys/);
    const spec = path.join(tmp, 'proc-spec.json');
    fs.writeFileSync(spec, JSON.stringify({ networks: ['tiny-fc'], procs: [2], methods: ['sequential'] }));
    oneLine(await cli('sweep', spec, '--out', '/proc/x'), /is in \/proc or \/sys/);
    oneLine(await cli('sweep', spec, '--out', ''), /--out: an empty output directory/);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it('a table set is written whole or not at all', async () => {
    const n = nodes();
    const spec = path.join(n.dir, 'spec.json');
    fs.writeFileSync(spec, JSON.stringify({ networks: ['tiny-fc'], procs: [2], methods: ['sequential', 'pipedream'] }));
    const out = path.join(n.dir, 'out');
    fs.mkdirSync(path.join(out, 'headline.csv'), { recursive: true }); // one target of the set is a directory
    fs.writeFileSync(path.join(out, 'tables.md'), 'old tables\n');
    const r = await cli('sweep', spec, '--workers', '1', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('spikepipe:'))).toEqual([expect.stringMatching(/headline\.csv: is a directory, not a regular file/)]);
    expect(fs.readdirSync(out).sort()).toEqual(['headline.csv', 'tables.md']);
    expect(fs.readFileSync(path.join(out, 'tables.md'), 'utf8')).toBe('old tables\n');
    // a failure while the temp files are written (a name too long for its temp) leaves the set unchanged
    const a = path.join(n.dir, 'a.txt');
    fs.writeFileSync(a, 'old');
    const long = path.join(n.dir, `${'b'.repeat(250)}.txt`);
    expect(() => writeOutputSet([{ file: a, data: 'new' }, { file: long, data: 'new' }])).toThrow(InputError);
    expect(() => writeOutputSet([{ file: a, data: 'new' }, { file: long, data: 'new' }])).toThrow(/cannot write \(file name too long\)/);
    expect(fs.readFileSync(a, 'utf8')).toBe('old');
    expect(fs.existsSync(long)).toBe(false);
    expect(temps(n.dir)).toEqual([]);
  });

  it('stg --jsonl, --export-lp and --timings refuse what is not a regular file (a FIFO never blocks)', async () => {
    const n = nodes();
    const g = path.resolve(__dirname, '../networks/stg/50/rand0000.stg');
    oneLine(await cli('stg', g, '--procs', '2', '--solvers', 'hlfet', '--jsonl', n.fifo), /fifo: is a FIFO/);
    oneLine(await cli('stg', g, '--procs', '2', '--solvers', 'hlfet', '--timings', n.sub), /sub: is a directory/);
    oneLine(await cli('stg', g, '--procs', '2', '--solvers', 'ilp', '--export-lp', path.join(n.file, 'm.lp')), /not a directory/);
    expect(temps(n.dir)).toEqual([]);
  });
});

describe('file errors on inputs are one line, exit 2', () => {
  it('ENOTDIR, ENAMETOOLONG, ELOOP, a directory, a FIFO and /dev/zero', async () => {
    const n = nodes();
    const loop = path.join(n.dir, 'loop.json');
    fs.symlinkSync(loop, loop);
    const fifoJson = path.join(n.dir, 'pipe.json');
    execFileSync('mkfifo', [fifoJson]);
    const dirJson = path.join(n.dir, 'dir.json');
    fs.mkdirSync(dirJson);
    const long = path.join(n.dir, `${'a'.repeat(300)}.json`);
    const cases: [string[], RegExp][] = [
      [['cost', path.join(n.file, 'net.json')], /net\.json: a component of the path is not a directory\n$/],
      [['cost', long], /a{300}\.json: file name too long\n$/],
      [['cost', loop], /loop\.json: too many levels of symbolic links/],
      [['cost', dirJson], /dir\.json: is a directory, not a JSON file\n$/],
      [['cost', fifoJson], /pipe\.json: is a FIFO \(named pipe\), not a JSON file\n$/],
      [['cost', '/dev/zero'], /^spikepipe: \/dev\/zero: is a character device, not a JSON file\n$/],
      [['cost', 'tiny-fc', '--hw', path.join(n.file, 'hw.json')], /hw\.json: a component of the path is not a directory/],
      [['bounds', path.join(n.file, 'g.stg'), '--procs', '2'], /g\.stg: /],
      [['stg', loop], /loop\.json: too many levels of symbolic links/],
    ];
    for (const [args, msg] of cases) oneLine(await cli(...args), msg);
  });

  it('stg directories: a dangling link and a `self -> .` loop are refused with one line', async () => {
    const g = path.resolve(__dirname, '../networks/stg/50/rand0000.stg');
    const d1 = fs.mkdtempSync(path.join(tmp, 'stg-dangling-'));
    fs.copyFileSync(g, path.join(d1, 'rand0000.stg'));
    fs.symlinkSync(path.join(d1, 'gone.stg'), path.join(d1, 'x.stg'));
    oneLine(await cli('stg', d1, '--procs', '2', '--solvers', 'hlfet'), /x\.stg: is a dangling symbolic link\n$/);
    const d2 = fs.mkdtempSync(path.join(tmp, 'stg-self-'));
    fs.copyFileSync(g, path.join(d2, 'rand0000.stg'));
    fs.symlinkSync('.', path.join(d2, 'self'));
    oneLine(await cli('stg', d2, '--procs', '2', '--solvers', 'hlfet'), /self: reaches .* a second time \(a symbolic link loop\?\)/);
  });

  it("a worker's input error reaches the user as that one line (sweep of ≥ 2 points)", async () => {
    const bad = path.join(tmp, 'bad-net.json');
    fs.writeFileSync(bad, JSON.stringify({ name: 'bad', input: [1, 1, 4], timesteps: 2, layers: [{ type: 'lstm', out: 4 }] }));
    const spec = path.join(tmp, 'bad-spec.json');
    fs.writeFileSync(spec, JSON.stringify({ networks: [bad], procs: [2, 3], methods: ['sequential', 'pipedream'] }));
    oneLine(await cli('sweep', spec, '--workers', '2'), /^spikepipe: [^\n]*bad-net\.json: \/[^\n]*\n$/);
    // the pool itself: an InputError thrown in a worker thread comes back as an InputError
    const jobs = [1, 2].map((k) => ({ key: `k${k}`, input: { file: `f${k}.json` } }));
    const run = runPool(jobs, { module: path.join(__dirname, 'helpers', 'input-error-worker'), workers: 2, onResult: () => undefined });
    await expect(run).rejects.toBeInstanceOf(InputError);
    await expect(runPool(jobs, { module: path.join(__dirname, 'helpers', 'input-error-worker'), workers: 2, onResult: () => undefined })).rejects.toThrow(/^f[12]\.json: \/layers\/0: bad layer$/);
  });

  it("a schedule file's build recipe is schema-checked (one line with the JSON path)", async () => {
    const sched = path.join(tmp, 'recipe.json');
    expect((await cli('schedule', 'tiny-fc', '--procs', '2', '--method', 'gpipe', '--out', sched)).code).toBe(0);
    const o = JSON.parse(fs.readFileSync(sched, 'utf8'));
    const bad = path.join(tmp, 'recipe-bad.json');
    fs.writeFileSync(bad, JSON.stringify({ ...o, build: { ...o.build, batch: 0 } }));
    oneLine(await cli('validate', 'tiny-fc', bad), /recipe-bad\.json: \/build\/batch: must be >= 1, got 0\n$/);
    fs.writeFileSync(bad, JSON.stringify({ ...o, build: 1 }));
    oneLine(await cli('export-schedule', bad, '--format', 'torch-csv'), /recipe-bad\.json: \/build: must be an object, got 1\n$/);
  });
});
