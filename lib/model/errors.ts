/**
 * Errors caused by what the user gave us (a file, a flag, a spec). The CLI prints these as
 * one line `spikepipe: <where>: <what>` and exits 2; anything else is a bug and keeps its
 * stack trace.
 */
export class InputError extends Error {
  /** File name, JSON path (`/layers/2/kernel`) or line (`line 7`), joined as one location. */
  readonly where: string;
  constructor(where: string, message: string) {
    super(where ? `${where}: ${message}` : message);
    this.name = 'InputError';
    this.where = where;
  }
}

/** Prefix the location of an error raised deeper down with the file it came from. */
export function inFile(file: string, err: unknown): never {
  if (err instanceof InputError) {
    if (err.where.startsWith(file)) throw err;
    throw new InputError(err.where ? `${file}: ${err.where}` : file, err.message.slice(err.where ? err.where.length + 2 : 0));
  }
  throw err;
}

export function fail(where: string, message: string): never {
  throw new InputError(where, message);
}
