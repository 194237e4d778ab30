import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runStgBenchmark, summarize, expandStgInputs, type StgRow } from '../lib/app/stg/benchmark';
import { runCli } from '../lib/app/cli/main';
import { capture } from './helpers/cli';

const STG = path.resolve(__dirname, '../networks/stg');
const OPT = path.join(STG, 'optimal');
const file = (k: number) => path.join(STG, '50', `rand${String(k).padStart(4, '0')}.stg`);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stg-bench-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));



describe('runStgBenchmark', () => {
  it('rows per (graph, p, solver), sorted, checked against the published optima', async () => {
    const r = await runStgBenchmark({
      inputs: [file(9), file(0), file(1)],
      procs: [4, 2],
      solvers: ['hlfet', 'etf', 'ilp'],
      timeLimitSeconds: 20,
      optimaDir: OPT,
    });
    expect(r.rows.length).toBe(3 * 2 * 3);
    expect(r.rows.map((x) => `${x.graph} ${x.procs} ${x.solver}`).slice(0, 4)).toEqual([
      '50/rand0000.stg 2 hlfet',
      '50/rand0000.stg 2 etf',
      '50/rand0000.stg 2 ilp',
      '50/rand0000.stg 4 hlfet',
    ]);
    for (const row of r.rows) {
      expect(row.valid).toBe(true);
      expect(row.belowPublished).toBe(false);
      if (row.publishedOpt !== null) expect(row.makespan!).toBeGreaterThanOrEqual(row.publishedOpt);
      else expect(row.makespan!).toBeGreaterThanOrEqual(row.publishedLb!);
      expect(row.makespan!).toBeGreaterThanOrEqual(row.lowerBound);
    }
    const ilp = r.rows.filter((x) => x.solver === 'ilp');
    // rand0000: 131 / 66; rand0001: 149 / 94; rand0009: 263 / open 132…134, closed at 134.
    expect(ilp.map((x) => [x.graph, x.procs, x.makespan, x.status])).toEqual([
      ['50/rand0000.stg', 2, 131, 'optimal'],
      ['50/rand0000.stg', 4, 66, 'optimal'],
      ['50/rand0001.stg', 2, 149, 'optimal'],
      ['50/rand0001.stg', 4, 94, 'optimal'],
      ['50/rand0009.stg', 2, 263, 'optimal'],
      ['50/rand0009.stg', 4, 134, 'optimal'],
    ]);
    const open = ilp.find((x) => x.graph === '50/rand0009.stg' && x.procs === 4)!;
    expect([open.publishedOpt, open.publishedLb, open.publishedUb]).toEqual([null, 132, 134]);
    expect(open.gap).toBe(0); // to the best lower bound known (its own proof)
    const sIlp = r.summary.find((s) => s.solver === 'ilp')!;
    expect(sIlp).toEqual({
      solver: 'ilp',
      cases: 5,
      reachedOptimum: 5,
      provenOptimal: 6,
      invalid: 0,
      meanGap: 0,
      open: 1,
      improvedUpperBound: 0,
      openProven: 1,
      belowPublished: 0,
    });
    const best = r.summary.find((s) => s.solver === 'best')!;
    for (const s of r.summary) expect(best.reachedOptimum).toBeGreaterThanOrEqual(s.reachedOptimum);
    expect(r.summary.map((s) => s.solver)).toEqual(['hlfet', 'etf', 'ilp', 'best']);
  });

  it('summarize: best takes the smallest makespan per case and the strongest bound', () => {
    const base: StgRow = {
      graph: 'g',
      procs: 2,
      solver: 'a',
      makespan: 10,
      lowerBound: 8,
      publishedOpt: 9,
      publishedLb: 9,
      publishedUb: 9,
      gap: 1 / 9,
      status: 'feasible',
      valid: true,
      belowPublished: false,
      options: '',
    };
    const rows: StgRow[] = [base, { ...base, solver: 'b', makespan: 9, gap: 0, lowerBound: 9, status: 'optimal' }];
    const s = summarize(rows, ['a', 'b']);
    expect(s.map((x) => [x.solver, x.reachedOptimum, x.provenOptimal, x.meanGap])).toEqual([
      ['a', 0, 0, 0.111111],
      ['b', 1, 1, 0],
      ['best', 1, 1, 0],
    ]);
  });

  it('resumes from a JSONL file without duplicating rows', async () => {
    const jsonl = path.join(tmp, 'resume.jsonl');
    const first = await runStgBenchmark({ inputs: [file(3)], procs: [2], solvers: ['hlfet', 'heft'], optimaDir: OPT, jsonl });
    expect(fs.readFileSync(jsonl, 'utf8').trim().split('\n').length).toBe(2);
    // A "killed" run: a torn last line must be dropped and redone.
    fs.appendFileSync(jsonl, '{"graph":"50/rand0003.stg","procs":4,"sol');
    let fresh = 0;
    const second = await runStgBenchmark({
      inputs: [file(3)],
      procs: [2, 4],
      solvers: ['hlfet', 'heft'],
      optimaDir: OPT,
      jsonl,
      onRow: (row) => {
        if (row.procs === 4) fresh++;
      },
    });
    const lines = fs.readFileSync(jsonl, 'utf8').trim().split('\n');
    expect(lines.length).toBe(4);
    expect(new Set(lines.map((l) => JSON.parse(l)).map((r: StgRow) => `${r.graph}|${r.procs}|${r.solver}`)).size).toBe(4);
    expect(second.rows.length).toBe(4);
    expect(fresh).toBe(2);
    // the resumed rows are the first run's rows, timings included (they were not recomputed)
    expect(second.rows.filter((r) => r.procs === 2)).toEqual(first.rows);
    expect(second.timings.filter((t) => t.procs === 2)).toEqual(first.timings);
    // a third run adds nothing
    await runStgBenchmark({ inputs: [file(3)], procs: [2, 4], solvers: ['hlfet', 'heft'], optimaDir: OPT, jsonl });
    expect(fs.readFileSync(jsonl, 'utf8').trim().split('\n').length).toBe(4);
    // other options (more restarts) do not reuse the rows
    const other = await runStgBenchmark({ inputs: [file(3)], procs: [2], solvers: ['hlfet'], optimaDir: OPT, jsonl, restarts: 3 });
    expect(other.rows[0].options).toBe('r=3;s=1');
    expect(fs.readFileSync(jsonl, 'utf8').trim().split('\n').length).toBe(5);
  });

  it('expands directories recursively and sorts by table key', () => {
    const files = expandStgInputs([path.join(STG, 'app'), file(2)]);
    expect(files.map((f) => path.relative(STG, f))).toEqual(['50/rand0002.stg', 'app/fpppp.stg', 'app/robot.stg', 'app/sparse.stg']);
  });
});

describe('spikepipe stg', () => {
  it('prints deterministic JSON (wall times in a separate timings list)', async () => {
    const args = ['stg', file(4), file(5), '--procs', '2,4', '--solvers', 'hlfet,heft,peft', '--optima', OPT, '--json'];
    const a = capture();
    const b = capture();
    expect(await runCli(args, a)).toBe(0);
    expect(await runCli(args, b)).toBe(0);
    const ja = JSON.parse(a.stdout);
    const jb = JSON.parse(b.stdout);
    // wall times live apart from the rows: the rows are the same bytes
    expect(JSON.stringify(ja.rows)).toBe(JSON.stringify(jb.rows));
    expect(ja.timings.length).toBe(ja.rows.length);
    expect(JSON.stringify(ja.summary)).toBe(JSON.stringify(jb.summary));
    expect(ja.rows.length).toBe(12);
    expect(ja.summary.map((s: { solver: string }) => s.solver)).toEqual(['hlfet', 'heft', 'peft', 'best']);
    expect(a.stderr).toMatch(/stg: 12\/12\nstg: 12 rows, [\d.]+ s of solving \(per row: --timings FILE\)\n$/);
  });

  it('prints Markdown and CSV tables', async () => {
    const md = capture();
    expect(await runCli(['stg', file(0), '--procs', '2', '--solvers', 'etf', '--optima', OPT], md)).toBe(0);
    expect(md.stdout).toContain('| 50/rand0000.stg | 2 | etf | 131 | 131 | 131 | 0.00 % | optimal |');
    expect(md.stdout).toContain('| etf | 1 | 1 (100.0 %) | 1 | 0 | 0.00 % | 0 | 0 | 0 |');
    const csv = capture();
    expect(await runCli(['stg', file(0), '--procs', '2', '--solvers', 'etf', '--optima', OPT, '--format', 'csv'], csv)).toBe(0);
    expect(csv.stdout.split('\n')[0]).toBe('graph,procs,solver,makespan,lowerBound,published,gap,status');
    expect(csv.stdout).toContain('50/rand0000.stg,2,etf,131,131,131,0.00 %,optimal\n');
  });

  it('writes the MIP model with --export-lp', async () => {
    const lp = path.join(tmp, 'model.lp');
    const io = capture();
    expect(await runCli(['stg', file(1), '--procs', '4', '--solvers', 'ilp', '--time-limit', '20', '--optima', OPT, '--export-lp', lp], io)).toBe(0);
    const text = fs.readFileSync(lp, 'utf8');
    expect(text).toMatch(/^\\ makespan-time-indexed-rand0001-p4/);
    expect(text).toContain('Subject To');
    expect(text.trimEnd().endsWith('End')).toBe(true);
  });

  it('bad input: one line, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['stg', file(0), '--solvers', 'heft,foo'], /^spikepipe: --solvers: unknown solver "foo" \(known: hlfet, etf, heft, cpop, peft, ilp, bnb, ilp-ti, ilp-disj, ilp-jslp\)\n$/],
      [['stg', file(0), '--procs', '0'], /^spikepipe: --procs: processor count must be a positive integer, got 0\n$/],
      [['stg', file(0), '--time-limit', '0'], /^spikepipe: --time-limit: must be a number of seconds > 0, got "0"\n$/],
      [['stg', file(0), '--time-limit', '-2'], /^spikepipe: --time-limit: must be a number of seconds > 0, got "-2"\n$/],
      [['stg', path.join(tmp, 'missing.stg')], /^spikepipe: .*missing\.stg: no such file or directory\n$/],
      [['stg', file(0), '--optima', path.join(tmp, 'nope')], /^spikepipe: .*nope: no such directory \(--optima\)\n$/],
    ];
    for (const [args, msg] of cases) {
      const io = capture();
      expect(await runCli(args, io), args.join(' ')).toBe(2);
      expect(io.stderr).toMatch(msg);
      expect(io.stdout).toBe('');
    }
    // an optimum table that does not parse
    const dir = fs.mkdtempSync(path.join(tmp, 'opt-'));
    fs.writeFileSync(path.join(dir, 'Case50_2_OPT.csv'), '50/rand0000.stg,2,131\n50/rand0001.stg,2\n');
    const io = capture();
    expect(await runCli(['stg', file(0), '--optima', dir], io)).toBe(2);
    expect(io.stderr).toBe(`spikepipe: ${path.join(dir, 'Case50_2_OPT.csv')}: line 2: expected "graph,procs,opt" or "graph,procs,lb,ub", got 2 fields\n`);
    // a graph with a cycle (an STG forward reference)
    const bad = path.join(tmp, 'cyc.stg');
    fs.writeFileSync(bad, ['2', '0 0 0', '1 3 1 2', '2 4 1 1', '3 0 1 2'].join('\n'));
    const io2 = capture();
    expect(await runCli(['stg', bad], io2)).toBe(2);
    expect(io2.stderr).toBe(`spikepipe: ${bad}: line 3: task 1 lists predecessor 2, a forward reference (ids must be topologically ordered)\n`);
  });
});
