/**
 * Depth-first branch and bound for P|prec|Cmax (and, less sharply, P|prec,c_ij|Cmax and
 * R|prec,c_ij|Cmax), in the
 * spirit of Kasahara & Narita's DF/IHS: depth-first, children ordered by a list-scheduling
 * priority so the first dive is a good list schedule, pruning by lower bounds against the
 * incumbent.
 *
 * Search space. A node is a partial schedule built by appending one ready task at a time to
 * a processor, at its earliest start there: s = max(DRT(t, q), finish_q). Every semi-active
 * schedule (no task can start earlier without changing some processor's order) arises this
 * way when tasks are appended in order of (start, topological position), and some optimal
 * schedule is semi-active (shift every task left). So the search enforces that order — a
 * child is allowed only if (s, pos_t) > (s, pos) of the previous append — which makes every
 * schedule appear once. Exact.
 *
 * Dominance (each keeps at least one optimal schedule):
 * * identical processors: without communication, a processor matters only through its
 *   finish time, and all processors already free at the start s = DRT_t of a task are alike
 *   for the rest of the search (every later task starts at ≥ s): one child for all of them
 *   (the processor free earliest) and one per distinct later finish time. Swapping the
 *   futures of two such processors maps schedules onto schedules with the same starts, so an
 *   optimal schedule of least Σ starts survives. With communication only empty processors
 *   are interchangeable;
 * * active schedules (no communication only): a child that leaves idle on q a gap before s
 *   into which another ready task u would fit completely, [max(finish_q, DRT_u), +p_u) ⊂
 *   [finish_q, s) with a start < s, is skipped. In every completion of that child u starts at
 *   ≥ s (time order), so moving u into the gap is a feasible move that lowers Σ starts without
 *   delaying anything; an optimal schedule of least Σ starts has no such move, so it is
 *   reached through children that all pass this test. (With communication moving u could
 *   delay its successors, so the rule is off.)
 *
 * Bounds at a node (all valid without communication, hence with it): heads est_v of the
 * unscheduled tasks (≥ the previous start, ≥ the earliest processor finish, ≥ predecessors'
 * finishes / heads + costs); LB = max(current makespan, max_v est_v + bl_v, and two
 * "energetic" load bounds by water-filling: the work of tasks with est ≥ θ must fit on the
 * processors after max(finish_q, θ), and the work of tasks with tail ≥ σ (time after them on
 * the critical path) must fit before C − σ). A node is pruned when LB ≥ incumbent.
 *
 * Per-processor durations (R|prec,c_ij|Cmax; costs.ts): a child places t on q for t's
 * duration on q; the processor rules above apply within a class of processors on which every
 * task takes as long (the active-schedule rule tests u's duration on the gap's processor: u
 * moved there still ends before s); the bounds use every task's smallest duration (heads,
 * bottom levels, energetic work), which no schedule beats; children are tried in order of
 * finish, then start (a HEFT-like first dive). On identical processors all of this is the
 * search above, node for node.
 *
 * Cost per node O(n·P + e) (P small). The search checks the deadline every 256 nodes.
 */
import type { ListProblem } from '../list/core';
import type { MakespanPlacement } from '../../lib/model/schedule/placement';
import { exactCosts } from './costs';

export interface BnbOptions {
  /** Incumbent to beat (the best list schedule). */
  incumbent: MakespanPlacement;
  /** Proven lower bound; the search stops as soon as the incumbent meets it. */
  lowerBound: number;
  /** performance.now() value at which to give up. */
  deadline: number;
  /** Child order: earliest start first (ETF-like, default) or highest bottom level first. */
  childOrder?: 'start' | 'level';
}

export interface BnbResult {
  best: MakespanPlacement;
  /** True when the search space was exhausted (best is optimal). */
  proven: boolean;
  /** Proven lower bound: best.makespan when proven, else the root bound. */
  bound: number;
  nodes: number;
}

export function branchAndBound(p: ListProblem, o: BnbOptions): BnbResult {
  const { n, P, adj, wq } = p;
  // Bounds read the smallest durations (w) and the levels on them; placing t on q takes wq.
  const { wmin: w, bl, tail, cls, classes } = exactCosts(p);
  const het = p.hetero;
  const comm = p.hasComm && P > 1;
  const order = p.order;
  const pos = p.pos;

  let UB = o.incumbent.makespan;
  let best: MakespanPlacement = o.incumbent;
  const lbGlobal = o.lowerBound;

  const sched = new Uint8Array(n);
  const proc = new Int32Array(n).fill(-1);
  const start = new Float64Array(n);
  const finish = new Float64Array(n);
  const missing = new Int32Array(n);
  for (let v = 0; v < n; v++) missing[v] = adj.inStart[v + 1] - adj.inStart[v];
  const procFinish = new Float64Array(P);
  const procCount = new Int32Array(P);

  // scratch
  const est = new Float64Array(n);
  const ready = new Int32Array(n);
  const drt = new Float64Array(n * (comm ? P : 1));
  const avail = new Float64Array(P);
  const qFree = new Int32Array(classes);

  /** Min C with Σ_q max(0, C − a_q) ≥ work (a sorted ascending, integer result). */
  const waterfill = (a: Float64Array, work: number): number => {
    if (work <= 0) return 0;
    let sum = 0;
    for (let k = 0; k < P; k++) {
      sum += a[k];
      const c = (work + sum) / (k + 1);
      if (k === P - 1 || c <= a[k + 1]) return Math.ceil(c - 1e-9);
    }
    return Infinity;
  };

  const headTmp = new Float64Array(P);
  // Unscheduled tasks by head: keys est·2^16 + index, sorted as numbers (no comparator calls).
  const estKeys = new Float64Array(n);
  // Tails never change: one order for the whole search.
  const tailOrder = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => tail[b] - tail[a] || a - b);
  const bound = (curMax: number, lastStart: number): number => {
    let minFin = Infinity;
    for (let q = 0; q < P; q++) if (procFinish[q] < minFin) minFin = procFinish[q];
    const floor = lastStart > minFin ? lastStart : minFin;
    let lb = curMax;
    let m = 0;
    for (let k = 0; k < n; k++) {
      const v = order[k];
      if (sched[v]) continue;
      let e = floor;
      for (let j = adj.inStart[v]; j < adj.inStart[v + 1]; j++) {
        const u = p.from[adj.inEdges[j]];
        const a = sched[u] ? finish[u] : est[u] + w[u];
        if (a > e) e = a;
      }
      est[v] = e;
      if (e + bl[v] > lb) lb = e + bl[v];
      estKeys[m++] = e * 65536 + v;
    }
    if (lb >= UB || m === 0) return lb;
    // energetic bound on heads: the tasks with est ≥ θ run after max(avail_q, θ)
    for (let q = 0; q < P; q++) avail[q] = procFinish[q] > lastStart ? procFinish[q] : lastStart;
    avail.sort();
    const keys = estKeys.subarray(0, m).sort();
    let work = 0;
    for (let k = m - 1; k >= 0; k--) {
      const v = keys[k] % 65536;
      work += w[v];
      const th = est[v];
      if (k > 0 && est[keys[k - 1] % 65536] === th) continue;
      for (let q = 0; q < P; q++) headTmp[q] = avail[q] > th ? avail[q] : th; // still sorted
      const c = waterfill(headTmp, work);
      if (c > lb) lb = c;
    }
    if (lb >= UB) return lb;
    // energetic bound on tails: the tasks with tail ≥ σ end by C − σ
    work = 0;
    let last = -1;
    for (let k = 0; k < n; k++) {
      const v = tailOrder[k];
      if (sched[v]) continue;
      if (last >= 0 && tail[v] !== tail[last]) {
        const c = tail[last] + waterfill(avail, work);
        if (c > lb) lb = c;
      }
      work += w[v];
      last = v;
    }
    if (last >= 0) {
      const c = tail[last] + waterfill(avail, work);
      if (c > lb) lb = c;
    }
    return lb;
  };

  const rootLb = Math.max(lbGlobal, bound(0, 0));
  let nodes = 0;
  let timedOut = false;
  if (rootLb >= UB) return { best, proven: true, bound: UB, nodes };

  const childOrder = o.childOrder ?? 'start';
  // Children buffers per depth (task, proc, start), sized lazily.
  const childT: Int32Array[] = [];
  const childQ: Int32Array[] = [];
  const childS: Float64Array[] = [];
  const childIdx: number[][] = [];

  const dataReady = (t: number, q: number): number => {
    let a = 0;
    for (let j = adj.inStart[t]; j < adj.inStart[t + 1]; j++) {
      const e = adj.inEdges[j];
      const u = p.from[e];
      const v = finish[u] + (comm && proc[u] !== q ? p.comm[e] : 0);
      if (v > a) a = v;
    }
    return a;
  };

  const dfs = (depth: number, curMax: number, lastStart: number, lastPos: number): void => {
    if (timedOut) return;
    if (depth === n) {
      if (curMax < UB) {
        UB = curMax;
        best = { proc: proc.slice(), start: start.slice(), makespan: curMax };
      }
      return;
    }
    if ((++nodes & 255) === 0 && performance.now() > o.deadline) {
      timedOut = true;
      return;
    }
    // ready tasks and their data-ready times
    let nr = 0;
    for (let k = 0; k < n; k++) {
      const v = order[k];
      if (!sched[v] && missing[v] === 0) ready[nr++] = v;
    }
    for (let r = 0; r < nr; r++) {
      const t = ready[r];
      if (comm) for (let q = 0; q < P; q++) drt[t * P + q] = dataReady(t, q);
      else drt[t] = dataReady(t, 0);
    }
    if (!childT[depth] || childT[depth].length < nr * P) {
      const cap = Math.max(nr * P, 2 * (childT[depth]?.length ?? 0));
      childT[depth] = new Int32Array(cap);
      childQ[depth] = new Int32Array(cap);
      childS[depth] = new Float64Array(cap);
      childIdx[depth] = [];
    }
    const cT = childT[depth];
    const cQ = childQ[depth];
    const cS = childS[depth];
    let nc = 0;
    const push = (t: number, q: number, s: number) => {
      cT[nc] = t;
      cQ[nc] = q;
      cS[nc] = s;
      nc++;
    };
    const allowed = (t: number, q: number, s: number) =>
      !(s < lastStart || (s === lastStart && pos[t] < lastPos)) && (het ? s + wq[t * P + q] + tail[t] : s + bl[t]) < UB;
    if (comm) {
      // With communication a processor's identity matters; only empty processors of one
      // class (same durations) are alike.
      for (let q = 0; q < P; q++) {
        let dup = false;
        for (let r = 0; r < q && !dup; r++) dup = procCount[r] === 0 && procCount[q] === 0 && cls[r] === cls[q];
        if (dup) continue;
        for (let r = 0; r < nr; r++) {
          const t = ready[r];
          const d = drt[t * P + q];
          const s = d > procFinish[q] ? d : procFinish[q];
          if (allowed(t, q, s)) push(t, q, s);
        }
      }
    } else {
      // Without communication a processor is its class (durations) and its finish time, and
      // every processor of a class free by t's start s = DRT is alike for the future (later
      // tasks start at ≥ s): one child for those per class (the one free earliest, whose gap
      // the active rule tests), one per class and distinct later finish time.
      for (let r = 0; r < nr; r++) {
        const t = ready[r];
        const d = drt[t];
        qFree.fill(-1);
        for (let q = 0; q < P; q++) {
          const fq = procFinish[q];
          if (fq <= d) {
            const c = cls[q];
            if (qFree[c] < 0 || fq < procFinish[qFree[c]]) qFree[c] = q;
            continue;
          }
          let dup = false;
          for (let q2 = 0; q2 < q && !dup; q2++) dup = procFinish[q2] === fq && cls[q2] === cls[q];
          if (!dup && allowed(t, q, fq)) push(t, q, fq);
        }
        for (let c = 0; c < classes; c++) {
          const qf = qFree[c];
          if (qf < 0 || !allowed(t, qf, d)) continue;
          const fq = procFinish[qf];
          let fits = false;
          if (d > fq) {
            // active-schedule rule: another ready task fits entirely into [fq, d) on qf
            for (let r2 = 0; r2 < nr && !fits; r2++) {
              const u = ready[r2];
              if (u === t) continue;
              const a = drt[u] > fq ? drt[u] : fq;
              if (a < d && a + wq[u * P + qf] <= d) fits = true;
            }
          }
          if (!fits) push(t, qf, d);
        }
      }
    }
    if (nc === 0) return;
    const idx = childIdx[depth];
    idx.length = 0;
    for (let k = 0; k < nc; k++) idx.push(k);
    // (On unrelated processors "start" orders by finish, then start: the first dive is HEFT-like.)
    const fin = (k: number) => (het ? cS[k] + wq[cT[k] * P + cQ[k]] : cS[k]);
    if (childOrder === 'start') idx.sort((a, b) => fin(a) - fin(b) || cS[a] - cS[b] || bl[cT[b]] - bl[cT[a]] || pos[cT[a]] - pos[cT[b]] || cQ[a] - cQ[b]);
    else idx.sort((a, b) => bl[cT[b]] - bl[cT[a]] || cS[a] - cS[b] || pos[cT[a]] - pos[cT[b]] || cQ[a] - cQ[b]);

    for (const k of idx) {
      if (timedOut || UB <= lbGlobal) return;
      const t = cT[k];
      const q = cQ[k];
      const s = cS[k];
      const f = s + wq[t * P + q];
      if ((het ? f + tail[t] : s + bl[t]) >= UB) continue; // UB may have dropped since the children were listed
      // apply
      const oldFinish = procFinish[q];
      sched[t] = 1;
      proc[t] = q;
      start[t] = s;
      finish[t] = f;
      procFinish[q] = f;
      procCount[q]++;
      for (let j = adj.outStart[t]; j < adj.outStart[t + 1]; j++) missing[p.to[adj.outEdges[j]]]--;
      const cm = f > curMax ? f : curMax;
      if (bound(cm, s) < UB) dfs(depth + 1, cm, s, pos[t]);
      // undo
      for (let j = adj.outStart[t]; j < adj.outStart[t + 1]; j++) missing[p.to[adj.outEdges[j]]]++;
      procCount[q]--;
      procFinish[q] = oldFinish;
      sched[t] = 0;
      proc[t] = -1;
    }
  };

  dfs(0, 0, -Infinity, -1);
  const proven = !timedOut;
  return { best, proven, bound: proven ? best.makespan : Math.min(rootLb, best.makespan), nodes };
}
