/**
 * Run a sweep: expand the grid, keep this shard's points, skip those already in the JSONL
 * file (resume), run the rest on worker threads, append each finished point at once. The
 * returned rows are every point of the shard, sorted by key, whatever order they finished in.
 */
import * as path from 'node:path';
import { JsonlWriter, readJsonl } from '../../model/io/jsonl';
import { fail } from '../../model/errors';
import { runPool } from './pool';
import type { Cell } from '../pipeline/cells';
import { expandSweep, shardPoints, type SweepPoint, type SweepSpec } from './spec';

/** One finished point: the point itself plus what its method measured. */
export interface SweepRow {
  key: string;
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
}

export const POINT_MODULE = path.join(__dirname, 'point');

export async function runSweep(spec: SweepSpec, opts: SweepOptions): Promise<SweepRow[]> {
  const all = expandSweep(spec);
  const mine = opts.shard ? shardPoints(all, opts.shard) : all;
  const wanted = new Set(mine.map((p) => p.key));
  const done = new Map<string, SweepRow>();
  if (opts.jsonl) {
    for (const row of readJsonl<SweepRow>(opts.jsonl)) {
      if (!row || typeof row.key !== 'string') fail(opts.jsonl, 'not a sweep results file (rows without "key")');
      if (wanted.has(row.key)) done.set(row.key, row);
    }
  }
  const todo = mine.filter((p) => !done.has(p.key));
  const writer = opts.jsonl ? new JsonlWriter(opts.jsonl) : null;
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
          const row: SweepRow = { key, point, result };
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
 * key. A key found twice with different results is kept once (the first file wins) and named
 * in `conflicts`: time-limited exact solvers can legitimately differ between runs.
 */
export function mergeSweepRows(files: string[]): { rows: SweepRow[]; conflicts: string[] } {
  const byKey = new Map<string, { row: SweepRow; file: string }>();
  const conflicts: string[] = [];
  for (const file of files) {
    for (const row of readJsonl<SweepRow>(file)) {
      if (!row || typeof row.key !== 'string' || !row.result) fail(file, 'not a sweep results file (rows without "key" and "result")');
      const prev = byKey.get(row.key);
      if (prev && JSON.stringify(stripTimes(prev.row.result)) !== JSON.stringify(stripTimes(row.result))) {
        conflicts.push(`${row.key}: ${file} differs from ${prev.file} (kept ${prev.file})`);
      }
      if (!prev) byKey.set(row.key, { row, file });
    }
  }
  const rows = [...byKey.values()].map((v) => v.row).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { rows, conflicts };
}

/**
 * Put merged rows in the order of `spec`'s grid — the order `spikepipe sweep` of that spec
 * writes its tables in — so the shards of a sweep merge to byte-identical tables. Rows of keys
 * outside the grid are left out and named in `extra`; grid points without a row in `missing`.
 */
export function orderBySpec(rows: SweepRow[], spec: SweepSpec, where?: string): { rows: SweepRow[]; missing: string[]; extra: string[] } {
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const keys = expandSweep(spec, where).map((p) => p.key);
  const inGrid = new Set(keys);
  return {
    rows: keys.filter((k) => byKey.has(k)).map((k) => byKey.get(k)!),
    missing: keys.filter((k) => !byKey.has(k)),
    extra: rows.filter((r) => !inGrid.has(r.key)).map((r) => r.key),
  };
}

/** Wall times differ between runs; everything else must not. */
function stripTimes(r: Cell): Omit<Cell, 'solverSeconds'> {
  const { solverSeconds: _s, ...rest } = r;
  return rest;
}
