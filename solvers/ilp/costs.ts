/**
 * What the exact solvers need of per-processor durations (R|prec,c_ij|Cmax: unrelated
 * processors). `ListProblem.wq` holds the duration of every task on every processor; its `w`
 * and `bl` are MEAN costs (HEFT's priorities), which are not lower bounds. Here:
 *
 * * `wmin[t]`, `wmax[t]`: smallest and largest duration of t over the machine's processors;
 * * `head[t]`, `bl[t]`, `tail[t] = bl[t] − wmin[t]`: top and bottom levels on `wmin` without
 *   communication — valid bounds for every schedule (each task takes ≥ wmin on any processor,
 *   every transfer ≥ 0);
 * * processor classes: q and r are in one class iff every task takes as long on q as on r.
 *   Links are uniform (one bandwidth and latency for every ordered pair), so two processors of
 *   one class are interchangeable and symmetry breaking is valid within a class only. `rank[q]`
 *   = how many processors of q's class come before q.
 *
 * On identical processors this is `wmin = wmax = w`, `bl = p.bl`, one class, `rank[q] = q`:
 * the formulations and the search are exactly the homogeneous ones.
 */
import type { ListProblem } from '../list/core';
import { topLevels } from '../../lib/model/bounds';

export interface ExactCosts {
  wmin: Float64Array;
  wmax: Float64Array;
  head: Float64Array;
  bl: Float64Array;
  tail: Float64Array;
  /** Class of every processor (0, 1, … by first processor). */
  cls: Int32Array;
  /** Position of every processor within its class. */
  rank: Int32Array;
  /** Number of classes. */
  classes: number;
}

const cache = new WeakMap<ListProblem, ExactCosts>();

export function exactCosts(p: ListProblem): ExactCosts {
  const hit = cache.get(p);
  if (hit) return hit;
  const { n, P, wq } = p;
  let out: ExactCosts;
  if (!p.hetero) {
    const tail = new Float64Array(n);
    for (let i = 0; i < n; i++) tail[i] = p.bl[i] - p.w[i];
    out = {
      wmin: p.w,
      wmax: p.w,
      head: topLevels(p.g),
      bl: p.bl,
      tail,
      cls: new Int32Array(P),
      rank: Int32Array.from({ length: P }, (_, q) => q),
      classes: 1,
    };
  } else {
    const wmin = new Float64Array(n).fill(Infinity);
    const wmax = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      for (let q = 0; q < P; q++) {
        const d = wq[t * P + q];
        if (d < wmin[t]) wmin[t] = d;
        if (d > wmax[t]) wmax[t] = d;
      }
    }
    const head = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const v = p.order[k];
      for (let j = p.adj.inStart[v]; j < p.adj.inStart[v + 1]; j++) {
        const u = p.from[p.adj.inEdges[j]];
        if (head[u] + wmin[u] > head[v]) head[v] = head[u] + wmin[u];
      }
    }
    const bl = new Float64Array(n);
    const tail = new Float64Array(n);
    for (let k = n - 1; k >= 0; k--) {
      const v = p.order[k];
      let best = 0;
      for (let j = p.adj.outStart[v]; j < p.adj.outStart[v + 1]; j++) {
        const s = p.to[p.adj.outEdges[j]];
        if (bl[s] > best) best = bl[s];
      }
      tail[v] = best;
      bl[v] = wmin[v] + best;
    }
    const cls = new Int32Array(P).fill(-1);
    const rank = new Int32Array(P);
    let classes = 0;
    for (let q = 0; q < P; q++) {
      if (cls[q] >= 0) continue;
      const c = classes++;
      let k = 0;
      for (let r = q; r < P; r++) {
        if (cls[r] >= 0) continue;
        let same = true;
        for (let t = 0; t < n && same; t++) same = wq[t * P + q] === wq[t * P + r];
        if (same) {
          cls[r] = c;
          rank[r] = k++;
        }
      }
    }
    out = { wmin, wmax, head, bl, tail, cls, rank, classes };
  }
  cache.set(p, out);
  return out;
}
