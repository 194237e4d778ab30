/**
 * The documented maxima of every size and count a user can give (README, Limits and input
 * checks), the one place that states them, and the checks that keep the cost model in safe
 * integers. Sizes past these maxima would exhaust memory or time long before they produced an
 * answer (a processor count of 1e9 allocates per-processor arrays; a staleness of 1e8 stashes
 * 1e8 weight copies); counts past 2^53 cannot be represented exactly in a double, so a cycle or
 * byte count that is not a safe integer is refused with "exceeds 2^53 cycles" (or bytes), never
 * rounded or carried on as Infinity.
 */
import { fail } from './errors';

export const LIMITS = Object.freeze({
  /** Processors of a machine (`--procs`, a hardware spec's `processors` and group counts). */
  processors: 1024,
  /** Rows and columns of a systolic array. */
  arraySide: 65536,
  /** Vector-unit lanes. */
  vectorLanes: 65536,
  /** Samples per minibatch (spec `batch`, `--batch`). */
  batch: 65536,
  /** Timesteps T. */
  timesteps: 4096,
  /** Channels, features, spatial sides, kernels, strides, paddings and classes. */
  layerSize: 16777216,
  /** Layers in a network spec. */
  layers: 1024,
  /** Per-layer staleness d_l (delays, staleness caps, schedule files). */
  staleness: 1024,
  /** Tasks of a training graph (timestep granularity: about 3·L·T). */
  tasks: 1048576,
  /** Simulated or traced iterations (`--iterations`). */
  iterations: 10000,
  /**
   * Wall-clock limits, seconds (about 23 days): with the 5 % grace the MILP backend's watchdog
   * adds, the timer stays below the 2^31 − 1 ms a Node timer holds.
   */
  timeLimitSeconds: 2000000,
  /** Per-element and per-weight cycle costs of the vector unit. */
  cyclesPerElement: 1048576,
});

/** `where: must be an integer from min to max, got x` unless x is one. */
export function checkCount(x: number, max: number, where: string, min = 1): number {
  if (!Number.isSafeInteger(x) || x < min || x > max) fail(where, `must be an integer from ${min} to ${max}, got ${x}`);
  return x;
}

/** Parse a command-line count: digits only, from min to max. */
export function countFromText(text: string, max: number, where: string, min = 1): number {
  const t = text.trim();
  if (!/^\d+$/.test(t)) fail(where, `must be an integer from ${min} to ${max}, got "${text}"`);
  if (t.length > 16 || Number(t) > max || Number(t) < min) fail(where, `must be an integer from ${min} to ${max}, got ${t}`);
  return Number(t);
}

const show = (x: number): string => (Number.isFinite(x) ? x.toExponential(3) : String(x));

/** `x` if it is a safe integer count of `unit`, else `where: what: … exceeds 2^53 <unit>`. */
export function safeCount(x: number, where: string, what: string, unit: 'cycles' | 'bytes' = 'cycles'): number {
  if (!Number.isSafeInteger(x) || x < 0) {
    fail(where, `${what}: ${show(x)} ${unit} exceeds 2^53 ${unit} (counts must be exact integers)`);
  }
  return x;
}
