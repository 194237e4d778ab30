/**
 * ETF — Earliest Task First (Hwang, Chow, Anger & Lee, SIAM J. Comput. 18(2), 1989).
 * Dynamic: at every step, over all ready tasks t and processors q, take the pair with the
 * earliest start max(avail_q, DRT(t, q)) (append, no insertion, as published); ties go to the
 * higher static level (bottom level without communication), then as in core.ts. With
 * per-processor durations the start is still the criterion; among the processors where the
 * chosen task starts at s* it goes to the one it finishes first on.
 *
 * Done naively this is O(n²·P). Here it is O((n + e) log n + n·P), from three facts:
 * 1. per processor, min_t max(a_q, DRT(t, q)) = max(a_q, min_t DRT(t, q));
 * 2. DRT(t, q) equals one value `first_t` (latest cross-processor arrival) on every processor
 *    except those holding a predecessor of t, where it can only be smaller — at most
 *    min(indeg, P) "exceptions" per task;
 * 3. the chosen start s* never decreases (processors only get busier, and a task becomes
 *    ready only once a predecessor finishes at ≥ s*).
 * So ready tasks wait in a min-heap by `first` (exceptions in one min-heap per processor),
 * and move, once their value is ≤ s*, to max-heaps by priority (one global, one per processor
 * for exceptions) from which the step's task is taken: a task from the global heap can start
 * at s* on any processor with a_q ≤ s*, one from processor q's heap on q if a_q ≤ s*.
 */
import type { Machine, Schedule, TaskGraph } from '../../lib/model/types';
import type { MakespanPlacement } from '../../lib/model/schedule/placement';
import { DataReady, listProblem, listSolver, readyOrder, toSchedule, withRestarts, type ListOptions, type ListProblem } from './core';
import { IntHeap } from './heap';

export function etf(g: TaskGraph, m: Machine, opts: ListOptions = {}): Schedule {
  const p = listProblem(g, m);
  const pl = withRestarts(p, p.bl, opts, (prio) => etfPlacement(p, prio));
  return toSchedule(g, m, pl, 'etf');
}

export const etfSolver = listSolver('etf', 'ETF: earliest start over all ready (task, processor) pairs, ties by bottom level', etf);

/** One ETF run with the given tie-break priorities. */
export function etfPlacement(p: ListProblem, prio: Float64Array): MakespanPlacement {
  const { n, P, adj, wq } = p;
  const proc = new Int32Array(n);
  const start = new Float64Array(n);
  const finish = new Float64Array(n);
  const done = new Uint8Array(n);
  const missing = new Int32Array(n);
  for (let v = 0; v < n; v++) missing[v] = adj.inStart[v + 1] - adj.inStart[v];
  const avail = new Float64Array(P);

  const first = new Float64Array(n);
  const excStart = new Int32Array(n);
  const excCount = new Int32Array(n);
  // Exception entries (task, processor, DRT), pooled.
  let cap = 64;
  let entTask = new Int32Array(cap);
  let entProc = new Int32Array(cap);
  let entVal = new Float64Array(cap);
  let nEnt = 0;
  const addEntry = (t: number, q: number, v: number) => {
    if (nEnt === cap) {
      cap *= 2;
      const a = new Int32Array(cap);
      a.set(entTask);
      entTask = a;
      const b = new Int32Array(cap);
      b.set(entProc);
      entProc = b;
      const c = new Float64Array(cap);
      c.set(entVal);
      entVal = c;
    }
    entTask[nEnt] = t;
    entProc[nEnt] = q;
    entVal[nEnt] = v;
    return nEnt++;
  };

  const better = readyOrder(prio, p.pos);
  const H = new IntHeap((a, b) => first[a] < first[b] || (first[a] === first[b] && p.pos[a] < p.pos[b]), 64);
  const R = new IntHeap(better, 64);
  const E: IntHeap[] = [];
  const Rq: IntHeap[] = [];
  for (let q = 0; q < P; q++) {
    E.push(new IntHeap((a, b) => entVal[a] < entVal[b] || (entVal[a] === entVal[b] && p.pos[entTask[a]] < p.pos[entTask[b]])));
    Rq.push(new IntHeap((a, b) => better(entTask[a], entTask[b])));
  }

  const dr = new DataReady(p);
  const onReady = (t: number) => {
    dr.scan(t, proc, finish);
    first[t] = dr.first;
    excStart[t] = nEnt;
    for (let k = 0; k < dr.touchedCount(); k++) {
      const q = dr.touchedProc(k);
      const v = dr.drtOn(q);
      if (v < dr.first) E[q].push(addEntry(t, q, v));
    }
    excCount[t] = nEnt - excStart[t];
    dr.reset();
    H.push(t);
  };
  for (let v = 0; v < n; v++) if (missing[v] === 0) onReady(v);

  const cleanTasks = (h: IntHeap) => {
    while (h.size > 0 && done[h.peek()]) h.pop();
  };
  const cleanEntries = (h: IntHeap) => {
    while (h.size > 0 && done[entTask[h.peek()]]) h.pop();
  };
  const drtScratch = new Float64Array(P);
  let sPrev = 0;
  let makespan = 0;
  for (let step = 0; step < n; step++) {
    // s* = min over q of max(avail_q, min DRT on q); released heaps hold values ≤ sPrev.
    cleanTasks(H);
    cleanTasks(R);
    const hMin = H.size > 0 ? first[H.peek()] : Infinity;
    const rMin = R.size > 0 ? sPrev : Infinity;
    let sStar = Infinity;
    for (let q = 0; q < P; q++) {
      cleanEntries(E[q]);
      cleanEntries(Rq[q]);
      let mq = hMin < rMin ? hMin : rMin;
      if (E[q].size > 0 && entVal[E[q].peek()] < mq) mq = entVal[E[q].peek()];
      if (Rq[q].size > 0 && sPrev < mq) mq = sPrev;
      const sq = avail[q] > mq ? avail[q] : mq;
      if (sq < sStar) sStar = sq;
    }
    // Release everything that can start by s*.
    while (H.size > 0 && first[H.peek()] <= sStar) {
      const t = H.pop();
      if (!done[t]) R.push(t);
    }
    for (let q = 0; q < P; q++) {
      const e = E[q];
      while (e.size > 0 && entVal[e.peek()] <= sStar) {
        const x = e.pop();
        if (!done[entTask[x]]) Rq[q].push(x);
      }
    }
    // The best task among those that start at s* somewhere.
    cleanTasks(R);
    let t = R.size > 0 ? R.peek() : -1;
    for (let q = 0; q < P; q++) {
      if (avail[q] > sStar) continue;
      cleanEntries(Rq[q]);
      if (Rq[q].size === 0) continue;
      const c = entTask[Rq[q].peek()];
      if (t < 0 || better(c, t)) t = c;
    }
    if (t < 0) throw new Error('internal error: ETF found no task to start');
    // Its processor: among those free by s* where its data is ready by s*, the one it runs
    // fastest on (earliest finish), then the smallest index.
    drtScratch.fill(first[t]);
    for (let k = excStart[t]; k < excStart[t] + excCount[t]; k++) drtScratch[entProc[k]] = entVal[k];
    let q = -1;
    for (let r = 0; r < P; r++) {
      if (avail[r] <= sStar && drtScratch[r] <= sStar && (q < 0 || wq[t * P + r] < wq[t * P + q])) {
        q = r;
        if (!p.hetero) break;
      }
    }
    if (q < 0) throw new Error('internal error: ETF found no processor');
    done[t] = 1;
    proc[t] = q;
    start[t] = sStar;
    finish[t] = sStar + wq[t * P + q];
    avail[q] = finish[t];
    if (finish[t] > makespan) makespan = finish[t];
    sPrev = sStar;
    for (let j = adj.outStart[t]; j < adj.outStart[t + 1]; j++) {
      const v = p.to[adj.outEdges[j]];
      if (--missing[v] === 0) onReady(v);
    }
  }
  return { proc, start, makespan };
}
