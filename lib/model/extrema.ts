/**
 * Largest and smallest element of an array by a loop. `Math.max(...xs)` passes every element
 * as an argument and overflows the call stack (RangeError) somewhere above ~100,000 elements,
 * so arrays whose length the input decides (tasks, configurations, rows) go through these.
 */

/** max(start, xs[0], xs[1], …): `start` (default −∞) for an empty array; NaN as Math.max. O(n). */
export function maxOf(xs: ArrayLike<number>, start = -Infinity): number {
  let r = start;
  for (let i = 0; i < xs.length; i++) r = Math.max(r, xs[i]);
  return r;
}

/** min(start, xs[0], xs[1], …): `start` (default +∞) for an empty array; NaN as Math.min. O(n). */
export function minOf(xs: ArrayLike<number>, start = Infinity): number {
  let r = start;
  for (let i = 0; i < xs.length; i++) r = Math.min(r, xs[i]);
  return r;
}
