/**
 * Published optimal schedule lengths of the STG set (`Case{size}_{p}_OPT.csv`, the format of
 * the Kasahara lab tables as transcribed in thelonesailor/MSP): one line per (graph, p),
 * either `graph,procs,opt` (proven optimum) or `graph,procs,lb,ub` (open: best lower bound
 * and best known schedule length). `graph` is `<size dir>/<file>`, e.g. `50/rand0000.stg`.
 *
 * The graphs the tables are for are named by content, too: `graphs.csv` beside them lists
 * `graph,sha256` (stgDigest, lib/model/io/stg.ts). A published value belongs to a graph only
 * when the name and the digest both match — a changed file under a published name gets none.
 *
 * A file that does not parse is an InputError naming the file and line. O(size).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fail } from '../errors';
import { readInputText, fsReason } from './files';

export interface PublishedOptimum {
  graph: string;
  procs: number;
  /** Proven optimum, or undefined for an open case. */
  opt?: number;
  /** Lower bound (= opt when solved). */
  lb: number;
  /** Best known upper bound (= opt when solved). */
  ub: number;
  /** Content digest of the published graph (from graphs.csv); absent: unknown, so never matched. */
  sha256?: string;
}

/** Parse one table; `expectedProcs` (from the file name) must match every line's procs column. */
export function parseOptima(text: string, file: string, expectedProcs?: number): PublishedOptimum[] {
  const out: PublishedOptimum[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (t === '') continue;
    const where = `${file}: line ${i + 1}`;
    const f = t.split(',').map((s) => s.trim());
    if (f.length !== 3 && f.length !== 4) fail(where, `expected "graph,procs,opt" or "graph,procs,lb,ub", got ${f.length} fields`);
    const int = (s: string, what: string) => {
      if (!/^\d+$/.test(s)) fail(where, `bad number ${JSON.stringify(s)} for ${what}`);
      return Number(s);
    };
    if (f[0] === '') fail(where, 'empty graph name');
    const procs = int(f[1], 'procs');
    if (procs <= 0) fail(where, `procs must be positive, got ${procs}`);
    if (expectedProcs !== undefined && procs !== expectedProcs) fail(where, `procs ${procs} differs from the file name's ${expectedProcs}`);
    if (f.length === 3) {
      const opt = int(f[2], 'opt');
      out.push({ graph: f[0], procs, opt, lb: opt, ub: opt });
    } else {
      const lb = int(f[2], 'lb');
      const ub = int(f[3], 'ub');
      if (lb > ub) fail(where, `lower bound ${lb} exceeds upper bound ${ub}`);
      out.push({ graph: f[0], procs, lb, ub });
    }
  }
  return out;
}

/** Key of a (graph, p) case: `50/rand0000.stg|4`. */
export function optimumKey(graph: string, procs: number): string {
  return `${graph}|${procs}`;
}

/** The table key of a graph file: its parent directory name and file name (`50/rand0000.stg`). */
export function graphKeyOfFile(file: string): string {
  const abs = path.resolve(file);
  return `${path.basename(path.dirname(abs))}/${path.basename(abs)}`;
}

const CASE_FILE = /^Case\d+_(\d+)_OPT\.csv$/;

/**
 * Every `Case*_{p}_OPT.csv` in `dir`, keyed by optimumKey. A line whose procs column
 * disagrees with the file name, or a (graph, p) given twice with different values, is an error.
 */
export function loadOptimaDir(dir: string): Map<string, PublishedOptimum> {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    fail(dir, code === 'ENOENT' ? 'no such directory' : fsReason(err));
  }
  const map = new Map<string, PublishedOptimum>();
  for (const name of names.filter((n) => CASE_FILE.test(n)).sort()) {
    const file = path.join(dir, name);
    const p = Number(CASE_FILE.exec(name)![1]);
    const rows = parseOptima(readInputText(file, 'an optimum table'), file, p);
    for (const r of rows) {
      const key = optimumKey(r.graph, r.procs);
      const old = map.get(key);
      if (old && (old.lb !== r.lb || old.ub !== r.ub)) fail(file, `${r.graph} p=${r.procs} is given twice with different values`);
      map.set(key, r);
    }
  }
  if (names.includes(DIGESTS)) {
    const digests = parseDigests(readInputText(path.join(dir, DIGESTS), 'a digest table'), path.join(dir, DIGESTS));
    for (const r of map.values()) {
      const d = digests.get(r.graph);
      if (d !== undefined) r.sha256 = d;
    }
  }
  return map;
}

const DIGESTS = 'graphs.csv';

/** `graph,sha256` lines (after a header) → map. */
export function parseDigests(text: string, file: string): Map<string, string> {
  const out = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const t = raw.trim();
    if (t === '' || (i === 0 && t === 'graph,sha256')) return;
    const f = t.split(',');
    if (f.length !== 2 || !/^[0-9a-f]{64}$/.test(f[1])) fail(`${file}: line ${i + 1}`, 'expected "graph,sha256" (64 hex digits)');
    out.set(f[0], f[1]);
  });
  return out;
}

/** Bounds the STG folder records for its application graphs (`app/bounds.csv`). */
export interface AppBound {
  trivialLb: number;
  bestKnown: number;
}

/**
 * `app/bounds.csv` of the STG folder (`graph,…,procs,trivial_lb,best_found_by_list_sched,…`),
 * keyed `<graph>|<procs>`; an empty map when the file is absent.
 */
export function loadAppBounds(file: string): Map<string, AppBound> {
  const out = new Map<string, AppBound>();
  if (!fs.existsSync(file)) return out;
  const lines = readInputText(file, 'a bounds table').trim().split('\n');
  const head = lines[0].split(',');
  const col = (name: string) => head.indexOf(name);
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    out.set(`${f[col('graph')]}|${f[col('procs')]}`, { trivialLb: Number(f[col('trivial_lb')]), bestKnown: Number(f[col('best_found_by_list_sched')]) });
  }
  return out;
}
