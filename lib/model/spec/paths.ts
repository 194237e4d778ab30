/**
 * Where the package lives, so shipped files (networks/, networks/hardware/) are found from
 * the TypeScript sources, from the compiled dist/ tree and from an installed copy alike.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/** The nearest directory at or above this module that holds a package.json. */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error(`spikepipe: no package.json above ${__dirname}`);
    dir = up;
  }
}

/** Absolute path of a file shipped with the package (`networks/mnist-fc.json`). */
export function shippedFile(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
