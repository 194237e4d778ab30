/**
 * LayerPipe's configuration search in polynomial time (layerpipe.ts enumerates every
 * configuration while there are few). A configuration cuts the L layers into k contiguous
 * stages (stage s on processor s) and at each stage boundary b (the first layer of a stage)
 * may move Ba2_b back to the previous stage. In a chain every edge of the layer graph joins a
 * layer to itself or to its neighbour, so an edge crosses processors only at a boundary, and the link
 * s → s+1 (and s+1 → s) carries the tensors of boundary s alone: a boundary's link cycles and
 * crossing bytes depend only on (b, moved). A stage's load depends only on its layer range and
 * whether its first Ba2 moved out and the next stage's first Ba2 moved in. So
 *     period(config) = max(stage loads, boundary link cycles),  bytes(config) = Σ boundary bytes,
 * and a dynamic program over (stages so far, next boundary, moved) finds, per stage count k,
 * the smallest period P*_k exactly (min-max), then the fewest crossing bytes among the
 * configurations of k stages with period ≤ a threshold (min-sum under the threshold).
 * O(K·L²) per pass, K = min(N, L), plus 2L link evaluations of O(E log E). In a residual
 * network a skip connection crossing several boundaries is priced on the link of each (it
 * really travels on one link s → s+k), and crossing bytes count it at each, so there the DP is
 * a heuristic: its shortlist is still placed and timed exactly (layerpipe.ts).
 */
import type { Machine, TaskGraph } from '../../lib/model/types';
import { linkPeriodBound } from '../../lib/model/metrics/communication';
import { crossingBytes } from '../periodic/assignment-cost';
import { layerpipeAssignment, type LayerPipeConfig } from './layerpipe';

/** Per-layer loads and per-boundary link cycles and bytes of a layer graph. */
export interface BoundaryCosts {
  /** Cycles of layer l's tasks except Ba2 (the Loss with layer L). */
  rest: number[];
  /** Cycles of Ba2_l (0 for l = 1). */
  ba2: number[];
  /** link[b][mv]: link cycles of a boundary before layer b (0-based, b ≥ 1), Ba2_b moved back or not. */
  link: [number, number][];
  /** bytes[b][mv]: crossing bytes of that boundary. */
  bytes: [number, number][];
}

/** The costs of every layer and boundary of `g` (link cycles 0 without a machine). */
export function boundaryCosts(g: TaskGraph, m?: Machine): BoundaryCosts {
  const L = g.layers;
  const rest = new Array<number>(L).fill(0);
  const ba2 = new Array<number>(L).fill(0);
  for (const t of g.tasks) {
    const l = t.kind === 'Loss' || t.layer < 1 ? L : t.layer;
    if (t.kind === 'Ba2') ba2[l - 1] += t.cycles;
    else rest[l - 1] += t.cycles;
  }
  const link: [number, number][] = [[0, 0]];
  const bytes: [number, number][] = [[0, 0]];
  for (let b = 1; b < L; b++) {
    const pair = [false, true].map((mv) => {
      // Two stages split at b: the boundary's tensors alone cross.
      const config: LayerPipeConfig = { stageOfLayer: rest.map((_, l) => (l < b ? 0 : 1)), moveBa2: rest.map((_, l) => mv && l === b) };
      const proc = layerpipeAssignment(g, config);
      return [m ? linkPeriodBound(g, m, proc) : 0, crossingBytes(g, proc)];
    });
    link.push([pair[0][0], pair[1][0]]);
    bytes.push([pair[0][1], pair[1][1]]);
  }
  return { rest, ba2, link, bytes };
}

export interface DpConfig {
  config: LayerPipeConfig;
  stages: number;
  /** max(largest load, busiest link): the period with free loops. */
  period: number;
  maxLoad: number;
  bytes: number;
}

/**
 * Per stage count k = 1..min(procs, L): the smallest period of any configuration of exactly k
 * stages. `withLinks: false` leaves the links out (the best load alone). Infinity where none.
 */
export function bestPeriodPerStageCount(c: BoundaryCosts, procs: number, withLinks = true): number[] {
  return runDp(c, procs, withLinks ? Infinity : -1).best;
}

/**
 * The configuration of exactly `k` stages with the fewest crossing bytes among those whose
 * period (loads and links) is ≤ `threshold`, or null if none.
 */
export function fewestBytesConfig(c: BoundaryCosts, k: number, threshold: number): DpConfig | null {
  const r = runDp(c, k, threshold);
  return r.reconstruct(k);
}

/**
 * threshold = Infinity: min-max DP (value = period, ties by bytes); threshold = −1: the same
 * without links; otherwise: min-bytes DP over configurations whose every term is ≤ threshold.
 */
function runDp(c: BoundaryCosts, K0: number, threshold: number) {
  const { rest, ba2, link, bytes } = c;
  const L = rest.length;
  const K = Math.min(K0, L);
  const minMax = threshold === Infinity || threshold === -1;
  const useLinks = threshold !== -1;
  const pre = new Array<number>(L + 1).fill(0);
  for (let l = 0; l < L; l++) pre[l + 1] = pre[l] + rest[l] + ba2[l];
  // Load of stage [a, b) with Ba2_a moved out (mIn) and Ba2_b moved in (mOut).
  const load = (a: number, b: number, mIn: number, mOut: number) => pre[b] - pre[a] - (mIn ? ba2[a] : 0) + (mOut && b < L ? ba2[b] : 0);
  const canMove = (b: number) => b > 0 && b < L && ba2[b] > 0;
  // val[k][b][mv]: best value (period or bytes) of the first k stages covering layers [0, b),
  // mv = Ba2_b moved into stage k; per[..]: its period (min-max: the value), byt[..]: its bytes.
  const size = (K + 1) * (L + 1) * 2;
  const idx = (k: number, b: number, mv: number) => (k * (L + 1) + b) * 2 + mv;
  const val = new Float64Array(size).fill(Infinity);
  const tie = new Float64Array(size).fill(Infinity);
  const from = new Int32Array(size).fill(-1);
  for (let k = 1; k <= K; k++) {
    for (let b = k; b <= L; b++) {
      for (let mv = 0; mv <= (canMove(b) ? 1 : 0); mv++) {
        const here = idx(k, b, mv);
        for (let a = k - 1; a < b; a++) {
          for (let mIn = 0; mIn <= (canMove(a) ? 1 : 0); mIn++) {
            if (k === 1 && (a !== 0 || mIn)) continue;
            const prev = k === 1 ? -1 : idx(k - 1, a, mIn);
            if (prev >= 0 && val[prev] === Infinity) continue;
            const ld = load(a, b, mIn, mv);
            const lk = k === 1 || !useLinks ? 0 : link[a][mIn];
            const by = k === 1 ? 0 : bytes[a][mIn];
            let v: number;
            let t: number;
            if (minMax) {
              v = Math.max(prev >= 0 ? val[prev] : 0, ld, lk);
              t = (prev >= 0 ? tie[prev] : 0) + by;
            } else {
              if (ld > threshold || lk > threshold) continue;
              v = (prev >= 0 ? val[prev] : 0) + by;
              t = Math.max(prev >= 0 ? tie[prev] : 0, ld, lk);
            }
            if (v < val[here] || (v === val[here] && t < tie[here])) {
              val[here] = v;
              tie[here] = t;
              from[here] = prev === -1 ? -2 : prev;
            }
          }
        }
      }
    }
  }
  const best: number[] = [];
  for (let k = 1; k <= K; k++) best.push(val[idx(k, L, 0)]);
  const reconstruct = (k: number): DpConfig | null => {
    if (k > K || val[idx(k, L, 0)] === Infinity) return null;
    const stageOfLayer = new Array<number>(L).fill(0);
    const moveBa2 = new Array<boolean>(L).fill(false);
    let cur = idx(k, L, 0);
    let end = L;
    for (let s = k - 1; s >= 0; s--) {
      const prev = from[cur];
      const a = prev === -2 ? 0 : Math.floor(prev / 2) % (L + 1);
      const mIn = prev === -2 ? 0 : prev % 2;
      for (let l = a; l < end; l++) stageOfLayer[l] = s;
      if (mIn) moveBa2[a] = true;
      end = a;
      cur = prev;
    }
    const config = { stageOfLayer, moveBa2 };
    let maxLoad = 0;
    let linkMax = 0;
    let total = 0;
    let a = 0;
    for (let s = 0; s < k; s++) {
      let b = a;
      while (b < L && stageOfLayer[b] === s) b++;
      maxLoad = Math.max(maxLoad, load(a, b, moveBa2[a] ? 1 : 0, b < L && moveBa2[b] ? 1 : 0));
      if (s > 0) {
        linkMax = Math.max(linkMax, link[a][moveBa2[a] ? 1 : 0]);
        total += bytes[a][moveBa2[a] ? 1 : 0];
      }
      a = b;
    }
    return { config, stages: k, period: Math.max(maxLoad, useLinks ? linkMax : 0), maxLoad, bytes: total };
  };
  return { best, reconstruct };
}

/**
 * The shortlist of the polynomial search: per stage count k, the fewest-bytes configuration at
 * its best period P*_k, and the fewest-bytes configuration of any k within `tolerance` of the
 * overall best period. Sorted by (period, bytes), duplicates removed.
 */
export function dpShortlist(c: BoundaryCosts, procs: number, tolerance: number): DpConfig[] {
  const best = bestPeriodPerStageCount(c, procs);
  const P = best.reduce((x, y) => Math.min(x, y), Infinity);
  const out: DpConfig[] = [];
  best.forEach((Pk, i) => {
    if (Pk === Infinity) return;
    const at = fewestBytesConfig(c, i + 1, Pk);
    if (at) out.push(at);
    if (Pk <= Math.floor(P * (1 + tolerance))) {
      const near = fewestBytesConfig(c, i + 1, Math.floor(P * (1 + tolerance)));
      if (near) out.push(near);
    }
  });
  const seen = new Set<string>();
  return out
    .sort((x, y) => x.period - y.period || x.bytes - y.bytes)
    .filter((x) => {
      const key = `${x.config.stageOfLayer.join(',')}|${x.config.moveBa2.join(',')}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
