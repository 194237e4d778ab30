/**
 * Run a sweep: expand the grid, keep this shard's points, skip those already in the JSONL
 * file (resume: same key and same content digest, lib/app/sweep/digest.ts), run the rest on
 * worker threads, append each finished point at once. The returned rows are every point of
 * the shard, in grid order, whatever order they finished in. Every row read is shape-checked;
 * a torn or garbage last line is cut with a warning.
 */
import * as path from 'node:path';
import { scanJsonl, resumeJsonl, type JsonlWriter } from '../../model/io/jsonl';
import { fail } from '../../model/errors';
import { checkSweepRow } from '../io/rows';
import { pointDigests } from './digest';
import { runPool } from './pool';
import type { Cell } from '../pipeline/cells';
import { expandSweep, shardPoints, type SweepPoint, type SweepSpec } from './spec';

/** One finished point: the point itself plus what its method measured. */
export interface SweepRow {
  key: string;
  /** Content digest of the point's inputs (absent in rows of older runs: never reused). */
  inputs?: string;
  point: SweepPoint;
  result: Cell;
}

export interface SweepOptions {
  workers: number;
  /** Results file; finished points are appended here and skipped on a rerun. */
  jsonl?: string;
  shard?: { index: number; count: number };
  /** Called after each finished point (done, total) — progress bars hook in here. */
  onProgress?: (done: number, total: number, key: string) => void;
  /** Warnings (a torn JSONL tail cut). */
  onWarning?: (message: string) => void;
}

export const POINT_MODULE = path.join(__dirname, 'point');

export async function runSweep(spec: SweepSpec, opts: SweepOptions): Promise<SweepRow[]> {
  const all = expandSweep(spec);
  const mine = opts.shard ? shardPoints(all, opts.shard) : all;
  const digests = pointDigests(mine);
  const done = new Map<string, SweepRow>();
  let writer: JsonlWriter | null = null;
  if (opts.jsonl) {
    const resumed = resumeJsonl<SweepRow>(opts.jsonl, checkSweepRow, (m) => opts.onWarning?.(m));
    writer = resumed.writer;
    for (const row of resumed.rows) if (row.inputs !== undefined && digests.get(row.key) === row.inputs) done.set(row.key, row);
  }
  const todo = mine.filter((p) => !done.has(p.key));
  let finished = done.size;
  opts.onProgress?.(finished, mine.length, '');
  try {
    await runPool<SweepPoint, Cell>(
      todo.map((p) => ({ key: p.key, input: p })),
      {
        module: POINT_MODULE,
        workers: opts.workers,
        onResult: (key, result) => {
          const point = todo.find((p) => p.key === key)!;
          const row: SweepRow = { key, inputs: digests.get(key), point, result };
          writer?.append(row);
          done.set(key, row);
          opts.onProgress?.(++finished, mine.length, key);
        },
      },
    );
  } finally {
    writer?.close();
  }
  return mine.map((p) => done.get(p.key)!).filter(Boolean);
}

/**
 * Join the JSONL files of several shards (or runs) into one list, one row per key, sorted by
 * key. Every file must exist and hold sweep rows (else one line naming it, exit 2); a torn
 * last line is left out (`torn`). A key found in several files is kept once (the first file
 * wins) and named in `duplicates`, or in `conflicts` when the results differ (time-limited
 * exact solvers can legitimately differ between runs); a key given twice in one file (a
 * rerun after an edited input) keeps its last row.
 */
export function mergeSweepRows(files: string[]): { rows: SweepRow[]; conflicts: string[]; duplicates: string[]; torn: string[] } {
  const seenFiles = new Set<string>();
  for (const f of files) {
    if (seenFiles.has(path.resolve(f))) fail(f, 'is given twice');
    seenFiles.add(path.resolve(f));
  }
  const byKey = new Map<string, { row: SweepRow; file: string }>();
  const conflicts: string[] = [];
  const duplicates: string[] = [];
  const torn: string[] = [];
  for (const file of files) {
    const scan = scanSweepFile(file);
    if (scan.torn) torn.push(`${file}: line ${scan.torn.line}`);
    const mine = new Map<string, SweepRow>();
    for (const row of scan.rows) mine.set(row.key, row);
    for (const row of mine.values()) {
      const prev = byKey.get(row.key);
      if (!prev) byKey.set(row.key, { row, file });
      else if (JSON.stringify(stripTimes(prev.row.result)) !== JSON.stringify(stripTimes(row.result)) || prev.row.inputs !== row.inputs) {
        conflicts.push(`${row.key}: ${file} differs from ${prev.file} (kept ${prev.file})`);
      } else duplicates.push(`${row.key}: in ${prev.file} and ${file}`);
    }
  }
  const rows = [...byKey.values()].map((v) => v.row).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { rows, conflicts, duplicates, torn };
}

function scanSweepFile(file: string) {
  return scanJsonl<SweepRow>(file, checkSweepRow);
}

/**
 * Put merged rows in the order of `spec`'s grid — the order `spikepipe sweep` of that spec
 * writes its tables in — so the shards of a sweep merge to byte-identical tables. Rows of keys
 * outside the grid are left out and named in `extra`; a row whose inputs digest is not that of
 * the spec's point today (an edited network or spec) is left out and named in `stale`; grid
 * points without a usable row are in `missing`.
 */
export function orderBySpec(rows: SweepRow[], spec: SweepSpec, where?: string): { rows: SweepRow[]; missing: string[]; extra: string[]; stale: string[] } {
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const points = expandSweep(spec, where);
  const digests = pointDigests(points);
  const keys = points.map((p) => p.key);
  const inGrid = new Set(keys);
  const stale = keys.filter((k) => byKey.has(k) && byKey.get(k)!.inputs !== digests.get(k));
  const usable = (k: string) => byKey.has(k) && byKey.get(k)!.inputs === digests.get(k);
  return {
    rows: keys.filter(usable).map((k) => byKey.get(k)!),
    missing: keys.filter((k) => !usable(k)),
    extra: rows.filter((r) => !inGrid.has(r.key)).map((r) => r.key),
    stale,
  };
}

/** Wall times differ between runs; everything else must not. */
function stripTimes(r: Cell): Omit<Cell, 'solverSeconds'> {
  const { solverSeconds: _s, ...rest } = r;
  return rest;
}
