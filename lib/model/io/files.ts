/**
 * Reading input files: every file-system error is an InputError naming the path and the
 * reason (never a stack trace), only regular files are read (a FIFO, a device or a directory
 * is refused before it is opened, so `/dev/zero` cannot be read forever), and a file larger
 * than MAX_INPUT_BYTES (64 MiB, far above any spec, schedule or STG file) is refused.
 */
import * as fs from 'node:fs';
import { fail } from '../errors';

/** The largest input file read, bytes. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** The reason of a file-system error, as one short phrase. */
export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'ENOTDIR':
      return 'a component of the path is not a directory';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENAMETOOLONG':
      return 'file name too long';
    case 'ELOOP':
      return 'too many levels of symbolic links (a link loop?)';
    case 'EIO':
      return 'input/output error';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EROFS':
      return 'read-only file system';
    case 'EEXIST':
      return 'already exists';
    case 'EBUSY':
      return 'resource busy';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'EFBIG':
      return 'file too large';
    case 'EXDEV':
      return 'cross-device rename';
    case 'EINVAL':
      return 'invalid argument';
    default:
      return code ? `cannot access (${code})` : err instanceof Error ? err.message.split('\n')[0] : String(err);
  }
}

/** What a non-regular file is, for messages. */
export function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'a regular file';
}

/**
 * The bytes of a regular input file. `what` names the expected content in the refusal of a
 * directory (`is a directory, not a JSON file`).
 */
export function readInputBytes(file: string, what = 'a file', maxBytes = MAX_INPUT_BYTES): Buffer {
  if (file === '') fail('""', 'an empty path');
  let fd: number;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) fail(file, `is ${kindOf(st)}, not ${what}`);
    if (st.size > maxBytes) fail(file, `is ${st.size} bytes, larger than the ${maxBytes}-byte limit of an input file`);
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if (err instanceof Error && err.name === 'InputError') throw err;
    fail(file, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : fsReason(err));
  }
  try {
    // Read until end of file (the size may have changed since stat), never past the cap.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > maxBytes) fail(file, `is larger than the ${maxBytes}-byte limit of an input file`);
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof Error && err.name === 'InputError') throw err;
    fail(file, fsReason(err));
  } finally {
    fs.closeSync(fd);
  }
}

/** The text (UTF-8) of a regular input file. */
export function readInputText(file: string, what = 'a file', maxBytes = MAX_INPUT_BYTES): string {
  return readInputBytes(file, what, maxBytes).toString('utf8');
}

/** stat that turns every error into an InputError (ENOENT included) naming the path. */
export function statInput(file: string): fs.Stats {
  if (file === '') fail('""', 'an empty path');
  try {
    return fs.statSync(file);
  } catch (err) {
    fail(file, fsReason(err));
  }
}
