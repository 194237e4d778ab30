/**
 * Lists given on the command line (`--solvers heft,heft`, `--procs 2,2`, `compare a a`) are
 * deduplicated, keeping each item's first occurrence in order, with one note line on stderr per
 * flag; nothing runs or is reported twice. (Lists in spec files — sweep grids — are refused
 * instead: a file is a definition, and its points must be unique to resume and merge.)
 */
import type { CliIO } from './io';

/** `items` without repeats (first occurrences, in order); a note on `io.err` if any were dropped. */
export function dedupeList<T>(items: readonly T[], flag: string, io: CliIO, key: (x: T) => string = (x) => String(x)): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  const twice: string[] = [];
  for (const x of items) {
    const k = key(x);
    if (seen.has(k)) {
      if (!twice.includes(k)) twice.push(k);
      continue;
    }
    seen.add(k);
    out.push(x);
  }
  if (twice.length > 0) io.err(`spikepipe: note: ${flag}: ${twice.join(', ')} listed more than once; each runs once\n`);
  return out;
}
