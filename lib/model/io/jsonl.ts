/**
 * Append-only JSON Lines result files, the basis of resumable runs: every finished result is
 * one line written with a single append (and flushed), so a kill loses at most the line being
 * written.
 *
 * Reading checks every row: a line that is not JSON, or a row that fails the caller's shape
 * check, is an InputError naming the file and line — except a last line that is not JSON (torn
 * by a kill mid-write, or garbage), which is left out. On resume (`resumeJsonl`) that last
 * line is cut from the file with a warning before anything is appended, so new rows never
 * follow garbage.
 */
import * as fs from 'node:fs';
import { fail } from '../errors';
import { readInputBytes, fsReason } from './files';
import { openAppend } from './output';

/** A row's shape check: null when good, else what is wrong (with its JSON path). */
export type RowCheck = (row: unknown) => string | null;

/** JSONL result files may be much larger than other inputs. */
export const MAX_JSONL_BYTES = 1024 * 1024 * 1024;

export interface JsonlScan<T> {
  rows: T[];
  /** The torn or garbage last line: its 1-based number and its byte offset (to cut there). */
  torn: { line: number; offset: number } | null;
}

/** Read every row of a JSONL file (which must exist); see the header for what is refused. */
export function scanJsonl<T = unknown>(file: string, check?: RowCheck): JsonlScan<T> {
  const bytes = readInputBytes(file, 'a JSON Lines file', MAX_JSONL_BYTES);
  const rows: T[] = [];
  const lines: { start: number; text: string }[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end < 0) end = bytes.length;
    lines.push({ start, text: bytes.subarray(start, end).toString('utf8') });
    start = end + 1;
  }
  let last = lines.length - 1;
  while (last >= 0 && lines[last].text.trim() === '') last--;
  for (let i = 0; i <= last; i++) {
    const line = lines[i].text.trim();
    if (line === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      if (i === last) return { rows, torn: { line: i + 1, offset: lines[i].start } };
      fail(`${file}: line ${i + 1}`, 'not a JSON line (the file is corrupt; delete the line or the file)');
    }
    const bad = check?.(row);
    if (bad) fail(`${file}: line ${i + 1}`, bad);
    rows.push(row as T);
  }
  return { rows, torn: null };
}

/** The rows of a JSONL file that must exist (a torn last line is left out). */
export function readJsonl<T = unknown>(file: string, check?: RowCheck): T[] {
  return scanJsonl<T>(file, check).rows;
}

/**
 * Open a results file for resume: its rows (none when the file is new), with a torn or
 * garbage last line cut from the file (reported through `warn`), and a writer appending to it.
 */
export function resumeJsonl<T>(file: string, check: RowCheck | undefined, warn: (message: string) => void): { rows: T[]; writer: JsonlWriter } {
  let exists = true;
  try {
    fs.lstatSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') fail(file, fsReason(err));
    exists = false;
  }
  const writer = new JsonlWriter(file); // checks the target before anything is read or cut
  if (!exists) return { rows: [], writer };
  try {
    const scan = scanJsonl<T>(file, check);
    if (scan.torn) {
      warn(`${file}: line ${scan.torn.line}: cut a torn or garbage last line (not JSON); its result is computed again`);
      fs.ftruncateSync(writer.fd, scan.torn.offset);
    } else {
      const size = fs.fstatSync(writer.fd).size;
      if (size > 0) {
        const last = Buffer.alloc(1);
        fs.readSync(writer.fd, last, 0, 1, size - 1);
        if (last[0] !== 10) fs.writeSync(writer.fd, '\n'); // a complete row whose newline was lost
      }
    }
    return { rows: scan.rows, writer };
  } catch (err) {
    writer.close();
    if (err instanceof Error && err.name === 'InputError') throw err;
    fail(file, fsReason(err));
  }
}

export class JsonlWriter {
  readonly fd: number;
  constructor(readonly file: string) {
    this.fd = openAppend(file, '--jsonl');
  }
  append(row: unknown): void {
    try {
      fs.writeSync(this.fd, JSON.stringify(row) + '\n');
      fs.fsyncSync(this.fd);
    } catch (err) {
      fail(this.file, `cannot append (${fsReason(err)})`);
    }
  }
  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}
