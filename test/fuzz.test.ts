// Fuzzing the command line with mutated inputs: the shipped network and hardware specs, STG
// files, a schedule file written by `schedule --out` and a JSONL file written by `stg --jsonl`,
// each mutated (values swapped for hostile ones, keys dropped or repeated, bytes inserted,
// files cut short) and run through the CLI in-process. Every case must end in a correct result
// (exit 0; a schedule it wrote validates and simulates; `validate` may also say 1, invalid) or
// in exit 2 with exactly one line on stderr — never another exit code, a stack trace or a run
// past the per-case time cap (in-process, so the cap is checked when a command returns; a true
// hang stalls the run instead). Seeded and deterministic: FUZZ_SEED (default 14) and FUZZ_RUNS
// (cases per input class, default 40) scale it; `npm run fuzz` runs 2,500 per class (about
// 11,250 cases). FUZZ_TRACE=file logs each command before it runs (to find a crash that kills
// the process); FUZZ_VERBOSE=1 prints the exit codes seen, 2 also every one-line error.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cli } from './helpers/cli';

const ROOT = resolve(__dirname, '..');
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = Number(process.env.FUZZ_SEED ?? 14);
/** Wall-clock cap of one command (in-process: checked when it returns). */
const CASE_MS = Number(process.env.FUZZ_CASE_MS ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), 'spikepipe-fuzz-'));

const HOSTILE: unknown[] = [
  0, -1, 1, 2, 3, 0.5, -0.5, 1e300, -1e300, 1e-300, 9007199254740993, 2 ** 31, 2 ** 53, 65537, 1025, 4097, 16777217, 1e15,
  '', 'x', '</svg><script>', 'a\nb', "=cmd|' /C calc'!A0", '\\textbf{x}', 'ws', 'best', 'fc', 'conv', 'input', 'add', 'none',
  null, true, false, [], {}, [0], [1, 2, 3], { a: 1 },
];

type Path = (string | number)[];

function paths(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function parentOf(root: unknown, p: Path): Record<string | number, unknown> | null {
  let v = root as Record<string | number, unknown>;
  for (const k of p.slice(0, -1)) v = v[k] as Record<string | number, unknown>;
  return v && typeof v === 'object' ? v : null;
}

/** One mutation: which operation, where (`pick`, `offset` taken modulo the size) and with what. */
interface Mutation {
  op: number;
  pick: number;
  offset: number;
  value: unknown;
  byte: number;
}

const mutation = fc.record({
  op: fc.nat({ max: 9 }),
  pick: fc.nat(),
  offset: fc.nat(),
  value: fc.constantFrom(...HOSTILE),
  byte: fc.integer({ min: 0, max: 255 }),
});
const mutations = fc.array(mutation, { minLength: 1, maxLength: 2 });

/** Byte-level mutations shared by every format: cut, insert a byte, overwrite one, repeat a line. */
function mutateBytes(b: Buffer, m: Mutation): Buffer {
  b = Buffer.from(b);
  const at = b.length === 0 ? 0 : m.offset % b.length;
  switch (m.op % 4) {
    case 0:
      return b.subarray(0, at);
    case 1:
      return Buffer.concat([b.subarray(0, at), Buffer.from([m.byte]), b.subarray(at)]);
    case 2: {
      const c = Buffer.from(b);
      if (c.length > 0) c[at] = m.byte;
      return c;
    }
    default: {
      const lines = b.toString('latin1').split('\n');
      const k = m.pick % lines.length;
      lines.splice(k, 0, lines[k]);
      return Buffer.from(lines.join('\n'), 'latin1');
    }
  }
}

/** JSON mutations: set a value, drop a key or element, add an unknown key, repeat a key; or bytes. */
function mutateJson(text: string, ms: Mutation[]): Buffer {
  let doc: unknown = JSON.parse(text);
  let raw: Buffer | null = null;
  for (const m of ms) {
    if (raw !== null || m.op >= 7) {
      raw = mutateBytes(raw ?? Buffer.from(JSON.stringify(doc, null, 2)), m);
      continue;
    }
    const all = paths(doc);
    const p = all[m.pick % all.length];
    if (p.length === 0) {
      if (m.op === 0) doc = m.value;
      continue;
    }
    const parent = parentOf(doc, p)!;
    const key = p[p.length - 1];
    const cur = parent[key];
    if (m.op <= 2 && typeof cur === 'number' && m.op > 0) parent[key] = [cur + 1, cur - 1, cur * 2, Math.floor(cur / 2), cur * 1000, -cur][m.byte % 6];
    else if (m.op <= 2) parent[key] = structuredClone(m.value);
    else if (m.op === 3) {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else if (m.op === 4 || m.op === 5) {
      const target = parent[key];
      if (target && typeof target === 'object' && !Array.isArray(target)) (target as Record<string, unknown>)[`zz${m.byte}`] = m.value;
      else if (Array.isArray(target)) target.push(structuredClone(target[m.byte % Math.max(1, target.length)] ?? m.value));
    } else {
      const s = JSON.stringify(doc, null, 2);
      const keys = [...s.matchAll(/\n(\s*)("[^"\n]*": [^\n{[]*?),?\n/g)];
      if (keys.length === 0) continue;
      const k = keys[m.offset % keys.length];
      const line = k[1] + k[2].replace(/,$/, '');
      raw = Buffer.from(s.slice(0, k.index! + 1) + `${line},\n` + s.slice(k.index! + 1));
    }
  }
  return raw ?? Buffer.from(JSON.stringify(doc, null, 2) + '\n');
}

const HOSTILE_NUMBERS = ['0', '-1', '9007199254740993', '9007199254740992', '1e9', '99999999999', '3.5', 'x', '', '1000000000'];

/** STG and JSONL: swap a number token for a hostile one, or a byte mutation. */
function mutateText(text: string, ms: Mutation[]): Buffer {
  let b: Buffer = Buffer.from(text);
  for (const m of ms) {
    if (m.op < 5) {
      const s = b.toString('latin1');
      const nums = [...s.matchAll(/\d+/g)];
      if (nums.length === 0) continue;
      const t = nums[m.pick % nums.length];
      b = Buffer.from(s.slice(0, t.index!) + HOSTILE_NUMBERS[m.byte % HOSTILE_NUMBERS.length] + s.slice(t.index! + t[0].length), 'latin1');
    } else b = mutateBytes(b, m);
  }
  return b;
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
  crash?: string;
}

async function run(args: string[]): Promise<Outcome> {
  const t0 = performance.now();
  try {
    const r = await cli(...args);
    return { ...r, ms: performance.now() - t0 };
  } catch (err) {
    return { code: -1, stdout: '', stderr: '', ms: performance.now() - t0, crash: err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 3).join(' | ') : String(err) };
  }
}

/** Why an outcome breaks the contract, or null. `ok` lists the exit codes that are results. */
function problem(o: Outcome, ok: number[] = [0]): string | null {
  if (o.crash) return `crash: ${o.crash}`;
  if (o.ms > CASE_MS) return `took ${(o.ms / 1000).toFixed(1)} s (cap ${CASE_MS / 1000} s)`;
  if (o.code === 2) {
    const lines = o.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('spikepipe: note:'));
    if (lines.length !== 1) return `exit 2 with ${lines.length} stderr lines: ${JSON.stringify(o.stderr.slice(0, 300))}`;
    if (/\bat .*:\d+:\d+/.test(o.stderr) || /internal error|TypeError|RangeError/.test(o.stderr)) return `exit 2 with a trace or internal error: ${o.stderr.trim()}`;
    return null;
  }
  if (!ok.includes(o.code)) return `exit ${o.code}: ${JSON.stringify((o.stderr + o.stdout).slice(0, 300))}`;
  return null;
}

/**
 * Run `cases` mutated copies of `seed`, each through `commands(file)` (each command a list of
 * arguments and the exit codes that count as results; a callback may check more and return a
 * problem). Returns every failure, so one run reports them all.
 */
async function fuzz(
  name: string,
  seed: string,
  ext: string,
  mutate: (text: string, ms: Mutation[]) => Buffer,
  commands: (file: string, k: number) => { args: string[]; ok?: number[]; then?: (o: Outcome) => Promise<string | null> }[],
  cases = RUNS,
): Promise<string[]> {
  const failures: string[] = [];
  const samples = fc.sample(mutations, { seed: SEED + name.length * 7919, numRuns: cases });
  for (const [k, ms] of samples.entries()) {
    const file = join(dir, `${name}-${k}${ext}`);
    writeFileSync(file, mutate(seed, ms));
    for (const c of commands(file, k)) {
      if (process.env.FUZZ_TRACE) appendFileSync(process.env.FUZZ_TRACE, `${name} case ${k} ${JSON.stringify(ms)}: ${c.args.join(' ')}\n`);
      const o = await run(c.args);
      const tally = `${c.args[0]}:${o.code}`;
      TALLY.set(tally, (TALLY.get(tally) ?? 0) + 1);
      if (process.env.FUZZ_VERBOSE === '2' && o.code === 2) console.log(o.stderr.trim().replace(dir, '<tmp>'));
      const p = problem(o, c.ok) ?? (o.code === 0 && c.then ? await c.then(o) : null);
      if (p) failures.push(`${c.args.join(' ')} [case ${k}, mutations ${JSON.stringify(ms)}]: ${p}`);
    }
    rmSync(file, { force: true });
  }
  return failures;
}

const TALLY = new Map<string, number>();
afterAll(() => {
  if (process.env.FUZZ_VERBOSE) console.log([...TALLY].sort().map(([k, n]) => `${k} ×${n}`).join(', '));
  rmSync(dir, { recursive: true, force: true });
});

const read = (...p: string[]) => readFileSync(join(ROOT, ...p), 'utf8');
const TIMEOUT = Math.max(120_000, RUNS * 4_000);

/** A written schedule must validate and simulate on the graph it was made from. */
const validates = (graph: string, out: string) => async (): Promise<string | null> => {
  const v = await run(['validate', graph, out, '--simulate']);
  return v.code === 0 ? null : `its schedule does not validate: exit ${v.code}: ${(v.stdout + v.stderr).slice(0, 300)}`;
};

describe('fuzz: mutated inputs give a result or one line and exit 2', () => {
  it('network specs (cost, graph, bounds, schedule + validate)', async () => {
    const seeds = ['tiny-fc', 'tiny-res', 'mnist-fc'];
    const failures: string[] = [];
    for (const [i, id] of seeds.entries()) {
      const n = Math.ceil(RUNS / seeds.length);
      failures.push(
        ...(await fuzz(`net-${id}`, read('networks', `${id}.json`), '.json', mutateJson, (f, k) => {
          const out = `${f}.schedule.json`;
          const method = ['pipedream', 'gpipe', 'spikepipe', '1f1b'][(k + i) % 4];
          return [
            { args: ['cost', f] },
            { args: ['bounds', f, '--procs', '2'] },
            { args: ['schedule', f, '--procs', '2', '--method', method, '--out', out], then: validates(f, out) },
          ];
        }, n)),
      );
    }
    expect(failures).toEqual([]);
  }, TIMEOUT);

  it('hardware specs (cost, schedule + validate)', async () => {
    const failures: string[] = [];
    const seeds = readdirSync(join(ROOT, 'networks', 'hardware')).filter((f) => f.endsWith('.json'));
    for (const h of seeds) {
      failures.push(
        ...(await fuzz(`hw-${h}`, read('networks', 'hardware', h), '.json', mutateJson, (f, k) => {
          const out = `${f}.schedule.json`;
          const procs = h.startsWith('mixed') ? '4' : '2';
          return [
            { args: ['cost', 'tiny-fc', '--hw', f] },
            { args: ['schedule', 'tiny-fc', '--procs', procs, '--method', k % 2 ? 'pipedream' : 'spikepipe', '--hw', f, '--out', out], then: async () => {
              const v = await run(['validate', 'tiny-fc', out, '--hw', f, '--simulate']);
              return v.code === 0 ? null : `its schedule does not validate: exit ${v.code}: ${(v.stdout + v.stderr).slice(0, 300)}`;
            } },
          ];
        }, Math.ceil(RUNS / seeds.length))),
      );
    }
    expect(failures).toEqual([]);
  }, TIMEOUT);

  it('STG files (bounds, schedule + validate, stg)', async () => {
    const seed = read('networks', 'stg', '50', 'rand0000.stg');
    const failures = await fuzz('stg', seed, '.stg', mutateText, (f, k) => {
      const out = `${f}.schedule.json`;
      const method = ['heft', 'cpop', 'peft', 'etf', 'hlfet'][k % 5];
      return [
        { args: ['bounds', f, '--procs', '3'] },
        { args: ['schedule', f, '--procs', '3', '--method', method, '--out', out], then: validates(f, out) },
        { args: ['stg', f, '--procs', '2', '--solvers', 'heft', '--restarts', '0', '--json'] },
      ];
    });
    expect(failures).toEqual([]);
  }, TIMEOUT);

  it('schedule files (validate, bounds --schedule)', async () => {
    const base = join(dir, 'base-schedule.json');
    const made = await cli('schedule', 'tiny-fc', '--procs', '2', '--method', 'spikepipe', '--out', base);
    expect(made.code).toBe(0);
    const failures = await fuzz('schedule', readFileSync(base, 'utf8'), '.json', mutateJson, (f) => [
      { args: ['validate', 'tiny-fc', f, '--simulate'], ok: [0, 1] },
      { args: ['bounds', 'tiny-fc', '--procs', '2', '--schedule', f] },
    ]);
    expect(failures).toEqual([]);
  }, TIMEOUT);

  it('JSONL files (stg --jsonl resume)', async () => {
    const stg = join(dir, 'one.stg');
    writeFileSync(stg, read('networks', 'stg', '50', 'rand0001.stg'));
    const base = join(dir, 'base.jsonl');
    const args = (jsonl: string) => ['stg', stg, '--procs', '2,3', '--solvers', 'heft,cpop', '--restarts', '0', '--json', '--jsonl', jsonl];
    expect((await cli(...args(base))).code).toBe(0);
    const failures = await fuzz('jsonl', readFileSync(base, 'utf8'), '.jsonl', mutateText, (f) => [{ args: args(f) }], Math.ceil(RUNS / 2));
    expect(failures).toEqual([]);
  }, TIMEOUT);
});
