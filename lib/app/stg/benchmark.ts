/**
 * The STG benchmark behind `spikepipe stg`: every (graph, p, solver) case gives one row —
 * makespan, the solver's proven lower bound, the published optimum or open bounds
 * (`Case*_OPT.csv`), gap, status, time — and a summary per solver plus `best` (the best row of
 * the solvers run, per case).
 *
 * Resume: with a JSONL file, every finished row is appended (and flushed) at once, with the
 * SHA-256 of the graph file's bytes and its wall time; a rerun reads the file (every row
 * shape-checked; a torn or garbage last line cut with a warning) and skips the rows already
 * there whose (graph name, file digest, p, solver) and options fingerprint (time limit,
 * restarts, seed) match, so a killed run continues where it stopped and a changed file under
 * the same name is solved again. The result is always computed from all rows, old and new.
 *
 * Published optima count only for the graph they were published for: same name and same
 * content digest (lib/model/io/optima.ts). Every schedule is validated again here,
 * independently of the solver's own check; a row whose makespan lies below a published
 * optimum or lower bound is counted (`belowPublished`) — that would be a bug in a solver, the
 * validator or the table.
 *
 * Deterministic: rows are sorted by (graph, p, solver order); wall times are kept apart
 * (`timings`), out of the rows and the summary.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskGraph } from '../../model/types';
import { getSolver } from '../../../solvers/registry';
import type { ExactOptions } from '../../../solvers/ilp/exact';
import { zeroCommMachine, checkProcs } from '../../model/machine';
import { lowerBounds } from '../../model/bounds';
import { validate } from '../../model/schedule/validate';
import { parseStg, stgDigest } from '../../model/io/stg';
import { fsReason, readInputBytes, statInput } from '../../model/io/files';
import { checkStgRow } from '../io/rows';
import { graphKeyOfFile, loadOptimaDir, optimumKey, type PublishedOptimum } from '../../model/io/optima';
import { resumeJsonl, type JsonlWriter } from '../../model/io/jsonl';
import { fail } from '../../model/errors';
import { LIMITS } from '../../model/limits';
import type { StgRow, StgSummary } from '../../../reports/rows';
import { maxOf } from '../../model/extrema';

export type { StgRow, StgSummary };

/** A row as the JSONL file keeps it: plus the graph file's digest and the wall time. */
export interface StgRecord extends StgRow {
  /** SHA-256 of the graph file's bytes (hex). */
  sha256: string;
  seconds: number;
}

export interface StgTiming {
  graph: string;
  procs: number;
  solver: string;
  seconds: number;
}

export interface StgResult {
  rows: StgRow[];
  summary: StgSummary[];
  /** Wall times, one per row (in the rows' order): apart, so rows and summary are deterministic. */
  timings: StgTiming[];
}

export interface StgOptions {
  /** .stg files and directories (searched recursively for *.stg). */
  inputs: string[];
  procs: number[];
  solvers: string[];
  /** Time limit of the exact solvers, seconds (default 10). */
  timeLimitSeconds?: number;
  /** Randomized restarts of the list solvers (default 0). */
  restarts?: number;
  seed?: number;
  /** Directory of Case*_OPT.csv tables; null = none. */
  optimaDir?: string | null;
  /** JSONL file for append-and-resume. */
  jsonl?: string;
  /** Called after every finished row (done counts rows incl. resumed ones). */
  onRow?: (row: StgRow, done: number, total: number) => void;
  /** Warnings (a torn JSONL tail cut, a published optimum withheld from a changed graph). */
  onWarning?: (message: string) => void;
  /** Receives the LP text of exact solvers' MIP models, per case. */
  onModel?: (graph: string, procs: number, solver: string, lp: string, kind: string) => void;
}

/**
 * Expand files and directories into a sorted list of .stg files. Directories are walked
 * following symbolic links; a dangling link, or a directory reached twice (a link loop such
 * as `self -> .`), is refused with one line, as is every file-system error.
 */
export function expandStgInputs(inputs: string[]): string[] {
  if (inputs.length === 0) fail('stg', 'give at least one .stg file or directory');
  const out: string[] = [];
  const seenDirs = new Set<string>();
  const enter = (dir: string) => {
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch (err) {
      fail(dir, fsReason(err));
    }
    if (seenDirs.has(real)) fail(dir, `reaches ${real} a second time (a symbolic link loop?); remove the link`);
    seenDirs.add(real);
  };
  const walk = (dir: string) => {
    enter(dir);
    let names: string[];
    try {
      names = fs.readdirSync(dir).sort();
    } catch (err) {
      fail(dir, fsReason(err));
    }
    for (const name of names) {
      const p = path.join(dir, name);
      let st: fs.Stats;
      try {
        st = fs.statSync(p);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        fail(p, code === 'ENOENT' ? 'is a dangling symbolic link' : fsReason(err));
      }
      if (st.isDirectory()) walk(p);
      else if (/\.stg$/i.test(name)) out.push(p);
    }
  };
  for (const inp of inputs) {
    const st = statInput(inp);
    if (st.isDirectory()) {
      const before = out.length;
      walk(inp);
      if (out.length === before) fail(inp, 'no .stg files in this directory');
    } else out.push(inp);
  }
  return [...new Set(out)].sort((a, b) => (graphKeyOfFile(a) < graphKeyOfFile(b) ? -1 : graphKeyOfFile(a) > graphKeyOfFile(b) ? 1 : a < b ? -1 : 1));
}

function fingerprint(solver: string, o: StgOptions): string {
  const exact = getSolver(solver).kind === 'exact';
  return exact ? `tl=${o.timeLimitSeconds ?? 10};s=${o.seed ?? 1}` : `r=${o.restarts ?? 0};s=${o.seed ?? 1}`;
}

const rowKey = (graph: string, sha256: string, procs: number, solver: string) => `${graph}|${sha256}|${procs}|${solver}`;

export async function runStgBenchmark(o: StgOptions): Promise<StgResult> {
  if (o.procs.length === 0) fail('--procs', 'give at least one processor count');
  for (const p of o.procs) checkProcs(p);
  if (o.solvers.length === 0) fail('--solvers', 'give at least one solver');
  const solvers = o.solvers.map((s) => getSolver(s));
  const tl = o.timeLimitSeconds;
  if (tl !== undefined && !(tl > 0 && tl <= LIMITS.timeLimitSeconds)) fail('--time-limit', `must be a number of seconds > 0 and at most ${LIMITS.timeLimitSeconds}, got ${tl}`);
  const files = expandStgInputs(o.inputs);
  const optima = o.optimaDir ? loadOptimaDir(o.optimaDir) : new Map<string, PublishedOptimum>();
  const procs = [...new Set(o.procs)].sort((a, b) => a - b);

  // Parse every graph first: a bad file fails before hours of solving.
  const graphs: { key: string; g: TaskGraph; sha256: string; digest: string }[] = files.map((f) => {
    const bytes = readInputBytes(f, 'an STG file');
    const g = parseStg(bytes.toString('utf8'), f);
    return { key: graphKeyOfFile(f), g, sha256: createHash('sha256').update(bytes).digest('hex'), digest: stgDigest(g) };
  });
  const seenKeys = new Set<string>();
  for (const { key } of graphs) {
    if (seenKeys.has(key)) fail(key, 'two input files share this <dir>/<file> name; rows would collide');
    seenKeys.add(key);
  }

  const total = graphs.length * procs.length * solvers.length;
  let done = 0;
  // Resume: rows already in the JSONL file for the same file content and options.
  const have = new Map<string, StgRecord>();
  let writer: JsonlWriter | null = null;
  if (o.jsonl) {
    const resumed = resumeJsonl<StgRecord>(o.jsonl, checkStgRow, (m) => o.onWarning?.(m));
    writer = resumed.writer;
    for (const r of resumed.rows) if (r.options === fingerprint(r.solver, o)) have.set(rowKey(r.graph, r.sha256, r.procs, r.solver), r);
  }
  const rows: StgRow[] = [];
  const timings: StgTiming[] = [];
  try {
    for (const { key, g, sha256, digest } of graphs) {
      let withheld = false;
      for (const p of procs) {
        const m = zeroCommMachine(p);
        let pub = optima.get(optimumKey(key, p)) ?? null;
        if (pub && pub.sha256 !== digest) {
          if (!withheld) o.onWarning?.(`${key}: ${pub.sha256 === undefined ? 'the published graph\'s content is not known (no graphs.csv entry)' : 'differs from the published graph of that name'}; no published optimum is used for it`);
          withheld = true;
          pub = null;
        }
        const trivial = lowerBounds(g, m, 'makespan').bound;
        for (const s of solvers) {
          const k = rowKey(key, sha256, p, s.name);
          let row = have.get(k);
          if (!row) {
            const opts: ExactOptions = { seed: o.seed ?? 1 };
            if (s.kind === 'exact') {
              if (tl !== undefined) opts.timeLimitSeconds = tl;
              if (o.onModel) opts.onModel = (lp, kind) => o.onModel!(key, p, s.name, lp, kind);
            } else opts.restarts = o.restarts ?? 0;
            const res = await s.solve(g, m, opts);
            const valid = res.schedule === null || validate(g, m, res.schedule).valid;
            row = withPublished(
              {
                graph: key,
                procs: p,
                solver: s.name,
                makespan: res.value,
                lowerBound: Math.max(res.bound, trivial),
                publishedOpt: null,
                publishedLb: null,
                publishedUb: null,
                gap: null,
                status: valid ? res.status : 'invalid',
                valid,
                belowPublished: false,
                options: fingerprint(s.name, o),
                sha256,
                seconds: res.seconds,
              },
              pub,
            );
            writer?.append(row);
          } else row = withPublished(row, pub); // the published values of today, not of the run that wrote it
          const { sha256: _h, seconds, ...plain } = row;
          rows.push(plain);
          timings.push({ graph: key, procs: p, solver: s.name, seconds });
          done++;
          o.onRow?.(row, done, total);
        }
      }
    }
  } finally {
    writer?.close();
  }
  // Rows of the JSONL file outside this run's cases are kept out of the result.
  return { rows, summary: summarize(rows, o.solvers), timings };
}

/** A row with the published values of its case (none: `pub` null), its gap and the below-published check. */
function withPublished<R extends StgRow>(row: R, pub: PublishedOptimum | null): R {
  const { makespan, lowerBound } = row;
  const ref = pub?.opt ?? Math.max(lowerBound, pub?.lb ?? 0);
  return {
    ...row,
    publishedOpt: pub?.opt ?? null,
    publishedLb: pub ? pub.lb : null,
    publishedUb: pub ? pub.ub : null,
    gap: makespan === null ? null : ref > 0 ? (makespan - ref) / ref : makespan === ref ? 0 : null,
    belowPublished: makespan !== null && pub !== null && makespan < pub.lb,
  };
}

/** Summary per solver (in `order`) plus `best`. */
export function summarize(rows: StgRow[], order: string[]): StgSummary[] {
  const by = new Map<string, StgRow[]>();
  for (const r of rows) {
    if (!by.has(r.solver)) by.set(r.solver, []);
    by.get(r.solver)!.push(r);
  }
  const out = order.filter((s) => by.has(s)).map((s) => summaryOf(s, by.get(s)!));
  // best per case
  const cases = new Map<string, StgRow[]>();
  for (const r of rows) {
    const k = `${r.graph}|${r.procs}`;
    if (!cases.has(k)) cases.set(k, []);
    cases.get(k)!.push(r);
  }
  const best: StgRow[] = [];
  for (const rs of cases.values()) best.push(bestRow(rs));
  out.push(summaryOf('best', best));
  return out;
}

/** The best of several solvers' rows of one case. */
export function bestRow(rs: StgRow[]): StgRow {
  const valid = rs.filter((r) => r.valid && r.makespan !== null);
  const lowerBound = maxOf(rs.map((r) => r.lowerBound));
  const first = rs[0];
  const pick = valid.length > 0 ? valid.reduce((a, b) => (b.makespan! < a.makespan! ? b : a)) : null;
  const makespan = pick ? pick.makespan : null;
  const ref = first.publishedOpt ?? Math.max(lowerBound, first.publishedLb ?? 0);
  const proven = rs.some((r) => r.status === 'optimal' && r.makespan === makespan) || (makespan !== null && makespan <= lowerBound);
  return {
    ...first,
    solver: 'best',
    makespan,
    lowerBound: proven && makespan !== null ? makespan : lowerBound,
    gap: makespan === null ? null : ref > 0 ? (makespan - ref) / ref : makespan === ref ? 0 : null,
    status: rs.some((r) => !r.valid) ? 'invalid' : proven ? 'optimal' : makespan === null ? 'timeout' : 'feasible',
    valid: rs.every((r) => r.valid),
    belowPublished: rs.some((r) => r.belowPublished),
    options: '',
  };
}

function summaryOf(solver: string, rows: StgRow[]): StgSummary {
  const withOpt = rows.filter((r) => r.publishedOpt !== null);
  const open = rows.filter((r) => r.publishedOpt === null && r.publishedUb !== null);
  const gaps = withOpt.filter((r) => r.gap !== null).map((r) => r.gap!);
  return {
    solver,
    cases: withOpt.length,
    reachedOptimum: withOpt.filter((r) => r.makespan === r.publishedOpt).length,
    provenOptimal: rows.filter((r) => r.status === 'optimal').length,
    invalid: rows.filter((r) => !r.valid).length,
    meanGap: gaps.length > 0 ? round6(gaps.reduce((a, b) => a + b, 0) / gaps.length) : null,
    open: open.length,
    improvedUpperBound: open.filter((r) => r.makespan !== null && r.makespan < r.publishedUb!).length,
    openProven: open.filter((r) => r.status === 'optimal').length,
    belowPublished: rows.filter((r) => r.belowPublished).length,
  };
}

/** Round to 6 decimals so the summary's bytes do not depend on summation noise. */
function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
