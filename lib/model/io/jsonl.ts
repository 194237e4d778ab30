/**
 * Append-only JSON Lines result files, the basis of resumable runs: every finished result is
 * one line written with a single append (and flushed), so a kill loses at most the line being
 * written. Reading tolerates exactly that: a torn last line is dropped (and rewritten on
 * resume), a torn line anywhere else is an error naming the line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fail } from '../errors';

export function readJsonl<T = unknown>(file: string): T[] {
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const rows: T[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    try {
      rows.push(JSON.parse(line) as T);
    } catch {
      const isLast = lines.slice(i + 1).every((l) => l.trim() === '');
      if (isLast) break; // torn by a kill mid-write: that result is simply redone
      fail(`${file}: line ${i + 1}`, 'not a JSON line (the file is corrupt; delete the line or the file)');
    }
  }
  return rows;
}

/** Drop a torn last line (from a kill mid-write) so appends start on a fresh line. */
export function repairJsonl(file: string): void {
  if (!fs.existsSync(file)) return;
  const text = fs.readFileSync(file, 'utf8');
  if (text === '' || text.endsWith('\n')) return;
  const cut = text.lastIndexOf('\n');
  fs.writeFileSync(file, cut < 0 ? '' : text.slice(0, cut + 1));
}

export class JsonlWriter {
  private readonly fd: number;
  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    repairJsonl(file);
    this.fd = fs.openSync(file, 'a');
  }
  append(row: unknown): void {
    fs.writeSync(this.fd, JSON.stringify(row) + '\n');
    fs.fsyncSync(this.fd);
  }
  close(): void {
    fs.closeSync(this.fd);
  }
}

/** Write a whole file atomically (temp file + rename): never a partial output file. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}
