/**
 * Per-layer extra staleness d_l (index l−1) for the weight loops of a training graph:
 * the rules the CLI accepts (`none`, `2S:N`, an explicit list) and the stage helpers behind
 * LayerPipe2's rule d_l = 2·S(l). All O(L).
 */
import { fail } from '../errors';
import { LIMITS } from '../limits';

/** Plain SGD: no extra staleness. */
export function stalenessNone(L: number): number[] {
  checkCount(L, 'layers');
  return new Array<number>(L).fill(0);
}

/**
 * LayerPipe2's rule: d_l = 2·S(l), S(l) = the number of pipeline stages after layer l's
 * stage. `stageOfLayer[l−1]` is layer l's stage; stages are numbered in pipeline order
 * (higher = nearer the output) and need not be contiguous: S(l) counts the distinct stage
 * numbers greater than layer l's.
 */
export function staleness2S(stageOfLayer: readonly number[]): number[] {
  stageOfLayer.forEach((s, i) => {
    if (!Number.isInteger(s) || s < 0) fail(`stage of layer ${i + 1}`, `must be a non-negative integer, got ${s}`);
  });
  const distinct = [...new Set(stageOfLayer)].sort((a, b) => a - b);
  // stages after s = number of distinct stage ids greater than s
  const after = new Map<number, number>(distinct.map((s, k) => [s, distinct.length - 1 - k]));
  return stageOfLayer.map((s) => 2 * after.get(s)!);
}

/**
 * L layers cut into N contiguous stages balanced by layer count (not by cycles: this is
 * the cost-blind default behind `2S:N`; PipeDream's DP partition lives with the baselines).
 * With q = floor(L/N) and r = L mod N, the first r stages get q + 1 layers and the rest q,
 * so sizes differ by at most one and the larger stages come first. N > L is clamped to L
 * (one layer per stage: there is nothing to put in the rest). Returns stageOfLayer
 * (0-based stage ids, index l−1).
 */
export function evenStages(L: number, N: number): number[] {
  checkCount(L, 'layers');
  checkCount(N, 'stages', 1);
  const n = Math.min(N, L);
  const q = Math.floor(L / n);
  const r = L % n;
  const big = r * (q + 1); // layers held by the r larger stages
  return Array.from({ length: L }, (_, i) => (i < big ? Math.floor(i / (q + 1)) : r + Math.floor((i - big) / q)));
}

/**
 * Parse a CLI delay rule for L layers: `none`; `2S:N` (LayerPipe2's rule on N even stages);
 * or a comma list of exactly L non-negative integers (`4,2,0`). Anything else is an
 * InputError naming `where` (the option, e.g. `--delays`).
 */
export function parseDelays(text: string, L: number, where: string): number[] {
  const t = text.trim();
  if (t === 'none') return stalenessNone(L);
  const m = /^2S(?::(.*))?$/i.exec(t);
  if (m) {
    if (m[1] === undefined) fail(where, `2S needs a stage count: 2S:N (e.g. 2S:${L})`);
    if (!/^\d+$/.test(m[1].trim()) || Number(m[1]) < 1 || Number(m[1]) > LIMITS.processors) fail(where, `stage count of 2S:N must be a positive integer, got "${m[1]}"`);
    return staleness2S(evenStages(L, Number(m[1])));
  }
  const parts = t.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) {
    fail(where, `expected none, 2S:N or a comma list of ${L} non-negative integers, got "${text}"`);
  }
  if (parts.length !== L) fail(where, `expected ${L} delays (one per weight layer), got ${parts.length}`);
  for (const p of parts) if (p.length > 16 || Number(p) > LIMITS.staleness) fail(where, `a delay must be at most ${LIMITS.staleness}, got ${p}`);
  return parts.map(Number);
}

function checkCount(x: number, what: string, min = 0): void {
  if (!Number.isInteger(x) || x < min) fail(what, `must be an integer ≥ ${min}, got ${x}`);
}
