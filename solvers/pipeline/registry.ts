/**
 * Pipelined-training methods by name (the CLI's --method and compare's --methods). Baselines
 * live in this folder; LayerPipe and SpikePipe come from the periodic-scheduling files.
 */
import { fail } from '../../lib/model/errors';
import type { PipelineMethod } from './method';
import { sequential } from './sequential';
import { gpipe } from './gpipe';
import { pipedream } from './pipedream';
import { pipedreamReplicated } from './pipedream-replicated';
import { layerpipe } from './layerpipe';
import { spikepipe } from './spikepipe';
import { spikepipeIlp } from './spikepipe-ilp';

/** Every method, in the order tables list them. */
export const METHODS: readonly PipelineMethod[] = [sequential, gpipe, pipedream, pipedreamReplicated, layerpipe, spikepipe, spikepipeIlp];

export const METHOD_NAMES: readonly string[] = METHODS.map((m) => m.name);

/** The method called `name`, or an InputError listing the known ones. */
export function getMethod(name: string, where = '--method'): PipelineMethod {
  const m = METHODS.find((x) => x.name === name);
  if (!m) fail(where, `unknown method ${JSON.stringify(name)} (known: ${METHOD_NAMES.join(', ')})`);
  return m;
}

/** Parse a comma-separated method list (order kept, duplicates dropped). */
export function parseMethods(list: string, where = '--methods'): PipelineMethod[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) fail(where, 'no method given');
  return [...new Set(names)].map((n) => getMethod(n, where));
}
