/**
 * Earliest start on a circle of length P avoiding busy arcs: the one slot finder of the periodic
 * schedulers — the modulo reservation table (modulo-table.ts), PipeDream's 1F1B backward
 * placement and the replicated pipeline's B and U placement (solvers/pipeline).
 *
 * A task of length len started at t occupies [t, t + len) modulo P. It fits when that arc meets
 * no busy arc; a task of length 0 fits anywhere, one longer than P nowhere. Arcs are handled as
 * half-open pieces [a, b) inside [0, P): one piece, or two when the arc wraps past P.
 *
 * Why candidates suffice: the earliest fitting t ≥ est is est itself or the end of a busy piece
 * (t − 1 does not fit, so a piece ends at t), and the fitting starts repeat with period P; so
 * the candidates in [est, est + P) hold the answer when there is one. k = busy pieces: a test
 * O(k), the earliest start O(k²).
 */

/** A busy piece [a, b) of the circle, 0 ≤ a < b ≤ P. */
export interface Piece {
  a: number;
  b: number;
}

/** A busy arc as [start, length]: [start, start + length) modulo P (any start). */
export type Arc = readonly [start: number, length: number];

/** The pieces of the arc [t, t + len) modulo P: none when len ≤ 0, two when it wraps past P. */
export function arcPieces(t: number, len: number, P: number): [number, number][] {
  const a = ((t % P) + P) % P;
  if (len <= 0) return [];
  if (a + len <= P) return [[a, a + len]];
  return [
    [a, P],
    [0, a + len - P],
  ];
}

/** Whether [t, t + len) modulo P meets none of the busy pieces (and len ≤ P). O(k). */
export function fitsAt(busy: readonly Piece[], t: number, len: number, P: number): boolean {
  if (len > P) return false;
  for (const [a, b] of arcPieces(t, len, P)) for (const r of busy) if (r.a < b && a < r.b) return false;
  return true;
}

/**
 * Every start in [est, est + P) worth trying, in increasing order: est itself and each piece
 * end (the starts that leave no gap on the left); only those where [t, t + len) fits. O(k²).
 */
export function freeStarts(busy: readonly Piece[], est: number, len: number, P: number): number[] {
  if (len > P) return [];
  const out: number[] = [];
  for (const t of candidates(busy, est, P)) if ((out.length === 0 || out[out.length - 1] !== t) && fitsAt(busy, t, len, P)) out.push(t);
  return out;
}

/** The smallest t ≥ est at which [t, t + len) fits, or null when no gap is long enough. O(k²). */
export function earliestFreeStart(busy: readonly Piece[], est: number, len: number, P: number): number | null {
  if (len > P) return null;
  if (len <= 0 || fitsAt(busy, est, len, P)) return est;
  for (const t of candidates(busy, est, P)) if (fitsAt(busy, t, len, P)) return t;
  return null;
}

/** `earliestFreeStart` with the busy arcs given as [start, length]. */
export function earliestStartAvoiding(est: number, len: number, arcs: readonly Arc[], P: number): number | null {
  const busy: Piece[] = [];
  for (const [t, l] of arcs) for (const [a, b] of arcPieces(t, l, P)) busy.push({ a, b });
  return earliestFreeStart(busy, est, len, P);
}

/** est and, per piece, the first time ≥ est congruent to its end; sorted (duplicates kept). */
function candidates(busy: readonly Piece[], est: number, P: number): number[] {
  const base = ((est % P) + P) % P;
  const cands = [est];
  for (const r of busy) cands.push(est + ((((r.b % P) - base) % P) + P) % P);
  return cands.sort((x, y) => x - y);
}
