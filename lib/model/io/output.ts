/**
 * The one writer of every output file (tables, schedules, traces, LP models, SVG, JSONL).
 *
 * Rules: a target must be a regular file or a new path. Refused with one line (an InputError):
 * an empty path; an existing target that is not a regular file (directory, device, FIFO,
 * socket, dangling symbolic link); a path under something that is not a directory; a path in
 * /proc or /sys. A symbolic link to a regular file writes that file. Whole files are written
 * to a temp file beside the target (`<target>.tmp-<pid>-<n>`) and renamed over it, so a
 * reader never sees half a file; the temp file is removed on every failure. A set of files
 * (`writeOutputSet`) is checked whole first, then every temp file is written, then all are
 * renamed: a failure while writing leaves none of the set changed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fail } from '../errors';
import { fsReason, kindOf } from './files';

/** Where output goes to standard output instead of a file (for the commands that offer it). */
export const STDOUT = '-';

const SYSTEM = ['/proc', '/sys'];

function inSystem(real: string): boolean {
  return SYSTEM.some((d) => real === d || real.startsWith(d + '/'));
}

function lstatOrNull(p: string, shown: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    fail(shown, fsReason(err));
  }
}

/**
 * Check that `file` may be written and return the path to write (a symbolic link resolved).
 * Nothing is created. `where` is the flag in messages about an empty path.
 */
export function checkOutputPath(file: string, where = 'output'): string {
  if (file === '') fail(where, 'an empty output path');
  const abs = path.resolve(file);
  if (inSystem(abs)) fail(file, 'is in /proc or /sys, not a place for output files');
  const st = lstatOrNull(abs, file);
  if (st) {
    let target = abs;
    if (st.isSymbolicLink()) {
      let real: fs.Stats;
      try {
        target = fs.realpathSync(abs);
        real = fs.statSync(target);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        fail(file, code === 'ENOENT' ? 'is a dangling symbolic link' : fsReason(err));
      }
      if (!real.isFile()) fail(file, `is a symbolic link to ${kindOf(real)}, not a regular file; refusing to replace it`);
    } else if (!st.isFile()) fail(file, `is ${kindOf(st)}, not a regular file; refusing to replace it`);
    if (inSystem(target)) fail(file, 'is in /proc or /sys, not a place for output files');
    return target;
  }
  // A new path: the nearest existing ancestor must be a directory (after links).
  let dir = path.dirname(abs);
  for (;;) {
    const d = lstatOrNull(dir, file);
    if (d) {
      let real: string;
      let rst: fs.Stats;
      try {
        real = fs.realpathSync(dir);
        rst = fs.statSync(real);
      } catch (err) {
        fail(file, `${dir}: ${fsReason(err)}`);
      }
      if (!rst.isDirectory()) fail(file, `${dir} is ${kindOf(rst)}, not a directory`);
      if (inSystem(real)) fail(file, 'is in /proc or /sys, not a place for output files');
      return path.join(real, path.relative(dir, abs));
    }
    const up = path.dirname(dir);
    if (up === dir) return abs;
    dir = up;
  }
}

/** Check an output directory before a long run: an existing directory or a new path (nothing created). */
export function checkOutputDir(dir: string, where = '--out'): void {
  if (dir === '') fail(where, 'an empty output directory');
  const abs = path.resolve(dir);
  if (inSystem(abs)) fail(dir, 'is in /proc or /sys, not a place for output files');
  const st = lstatOrNull(abs, dir);
  if (!st) {
    checkOutputPath(path.join(abs, 'x'), where);
    return;
  }
  let real: string;
  let rst: fs.Stats;
  try {
    real = fs.realpathSync(abs);
    rst = fs.statSync(real);
  } catch (err) {
    fail(dir, fsReason(err));
  }
  if (!rst.isDirectory()) fail(dir, `is ${kindOf(rst)}, not a directory (${where})`);
  if (inSystem(real)) fail(dir, 'is in /proc or /sys, not a place for output files');
}

let counter = 0;
const tempOf = (target: string) => `${target}.tmp-${process.pid}-${++counter}`;

function mkdirFor(target: string, shown: string): void {
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
  } catch (err) {
    fail(shown, `cannot create its directory (${fsReason(err)})`);
  }
}

function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // nothing more to do: the temp file is named after the target and the process
  }
}

/** Write one whole file atomically under the rules above. */
export function writeOutput(file: string, data: string | Uint8Array, where = 'output'): void {
  writeOutputSet([{ file, data }], where);
}

export interface OutputFile {
  file: string;
  data: string | Uint8Array;
}

/** Write several files as one: every target checked, every temp file written, then all renamed. */
export function writeOutputSet(files: OutputFile[], where = 'output'): void {
  const targets = files.map((f) => ({ ...f, target: checkOutputPath(f.file, where), temp: '' }));
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.target)) fail(t.file, 'is written twice by one command');
    seen.add(t.target);
  }
  const pending: string[] = [];
  let current = '';
  try {
    for (const t of targets) {
      current = t.file;
      mkdirFor(t.target, t.file);
      t.temp = tempOf(t.target);
      pending.push(t.temp);
      fs.writeFileSync(t.temp, t.data, { flag: 'wx' });
    }
    for (const t of targets) {
      current = t.file;
      fs.renameSync(t.temp, t.target);
      pending.splice(pending.indexOf(t.temp), 1);
    }
  } catch (err) {
    for (const tmp of pending) removeQuietly(tmp);
    if (err instanceof Error && err.name === 'InputError') throw err;
    fail(current, `cannot write (${fsReason(err)})`);
  }
}

/** Open a file for appending (JSONL results) under the same rules; returns the descriptor. */
export function openAppend(file: string, where = 'output'): number {
  const target = checkOutputPath(file, where);
  mkdirFor(target, file);
  try {
    return fs.openSync(target, 'a+');
  } catch (err) {
    fail(file, `cannot open for appending (${fsReason(err)})`);
  }
}
