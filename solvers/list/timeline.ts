/**
 * Processor timelines for list schedulers: where on processor q can a task of `dur` cycles,
 * whose inputs are ready at `ready`, start earliest?
 *
 * Two policies:
 * * append (`insertion = false`, HLFET and ETF as published): a task starts after the last
 *   task already on q: max(ready, finish_q). O(1).
 * * insertion (HEFT, CPOP, PEFT): a task may go into any idle gap before the last task, if it
 *   fits. The idle time of each processor is a set of disjoint gaps [a, b), the last one
 *   [finish_q, ∞). They are kept in a treap keyed by gap start, each node carrying the largest
 *   gap length in its subtree, so that "the first gap after `ready` that is ≥ dur long" is one
 *   O(log g) descent instead of a scan over all gaps (a scan degrades to O(n²) on 100,000
 *   tasks). Reserving an interval shrinks a gap in place (order is preserved, so its key can
 *   change without re-inserting) and splits it at most once: O(log g).
 *
 * Zero-duration tasks occupy no time (the validator treats them as markers that never
 * overlap): with insertion they start right at their data-ready time; they reserve nothing.
 *
 * All times are integers held in doubles. One pooled treap serves every processor.
 */
export class Timelines {
  readonly procs: number;
  readonly insertion: boolean;
  private readonly fin: Float64Array;
  // Gap treap pool (insertion policy only).
  private key = new Float64Array(0);
  private end = new Float64Array(0);
  private maxLen = new Float64Array(0);
  private left = new Int32Array(0);
  private right = new Int32Array(0);
  private pri = new Uint32Array(0);
  private size = 0;
  private readonly root: Int32Array;
  private rng = 0x9e3779b9;
  // split() results (avoids allocating a pair per call).
  private sl = -1;
  private sr = -1;

  constructor(procs: number, insertion: boolean, capacityHint = 16) {
    this.procs = procs;
    this.insertion = insertion;
    this.fin = new Float64Array(procs);
    this.root = new Int32Array(procs).fill(-1);
    if (insertion) {
      this.grow(Math.max(procs + capacityHint, 16));
      for (let q = 0; q < procs; q++) this.root[q] = this.newNode(0, Infinity);
    }
  }

  /** End of the last busy interval on q (0 if idle so far). */
  finish(q: number): number {
    return this.fin[q];
  }

  /** Earliest start ≥ ready on processor q for a task of `dur` cycles. */
  earliestStart(q: number, ready: number, dur: number): number {
    if (!this.insertion) return ready > this.fin[q] ? ready : this.fin[q];
    if (ready >= this.fin[q] || dur <= 0) return ready; // the last gap is unbounded; markers fit anywhere
    const g = this.pred(this.root[q], ready);
    if (g >= 0 && this.end[g] - ready >= dur) return ready;
    const h = this.firstAfter(this.root[q], ready, dur);
    // The last gap [finish, ∞) always qualifies, so h ≥ 0.
    return this.key[h];
  }

  /** Mark [start, start + dur) busy on q. The interval must lie inside idle time. */
  reserve(q: number, start: number, dur: number): void {
    const stop = start + dur;
    if (stop > this.fin[q]) this.fin[q] = stop;
    if (dur <= 0 || !this.insertion) return;
    const g = this.pred(this.root[q], start);
    if (g < 0 || this.end[g] < stop) throw new Error(`timeline: [${start}, ${stop}) on processor ${q} is not inside a gap`);
    const oldEnd = this.end[g];
    if (start === this.key[g]) {
      // Shrink from the left (may leave a zero-length gap, harmless: keys stay distinct).
      this.key[g] = stop;
      this.refresh(this.root[q], stop);
    } else {
      this.end[g] = start;
      this.refresh(this.root[q], this.key[g]);
      if (stop < oldEnd) this.root[q] = this.insert(this.root[q], this.newNode(stop, oldEnd));
    }
  }

  // --- treap internals ----------------------------------------------------------------------

  private grow(cap: number): void {
    const k = new Float64Array(cap);
    k.set(this.key);
    this.key = k;
    const e = new Float64Array(cap);
    e.set(this.end);
    this.end = e;
    const m = new Float64Array(cap);
    m.set(this.maxLen);
    this.maxLen = m;
    const l = new Int32Array(cap);
    l.set(this.left);
    this.left = l;
    const r = new Int32Array(cap);
    r.set(this.right);
    this.right = r;
    const p = new Uint32Array(cap);
    p.set(this.pri);
    this.pri = p;
  }

  private newNode(a: number, b: number): number {
    if (this.size === this.key.length) this.grow(this.key.length * 2);
    const x = this.size++;
    this.key[x] = a;
    this.end[x] = b;
    this.maxLen[x] = b - a;
    this.left[x] = -1;
    this.right[x] = -1;
    // xorshift32: deterministic priorities, so runs are reproducible.
    let s = this.rng;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.rng = s >>> 0;
    this.pri[x] = this.rng;
    return x;
  }

  private upd(x: number): void {
    let m = this.end[x] - this.key[x];
    const l = this.left[x];
    const r = this.right[x];
    if (l >= 0 && this.maxLen[l] > m) m = this.maxLen[l];
    if (r >= 0 && this.maxLen[r] > m) m = this.maxLen[r];
    this.maxLen[x] = m;
  }

  /** Recompute maxLen on the path from t to the node with key k. */
  private refresh(t: number, k: number): void {
    if (t < 0) return;
    if (k < this.key[t]) this.refresh(this.left[t], k);
    else if (k > this.key[t]) this.refresh(this.right[t], k);
    this.upd(t);
  }

  /** Node with the largest key ≤ x, or -1. */
  private pred(t: number, x: number): number {
    let res = -1;
    while (t >= 0) {
      if (this.key[t] <= x) {
        res = t;
        t = this.right[t];
      } else t = this.left[t];
    }
    return res;
  }

  /** First node in key order with key > x and length ≥ d, or -1. */
  private firstAfter(t: number, x: number, d: number): number {
    if (t < 0 || this.maxLen[t] < d) return -1;
    if (this.key[t] > x) {
      const r = this.firstAfter(this.left[t], x, d);
      if (r >= 0) return r;
      if (this.end[t] - this.key[t] >= d) return t;
      return this.leftmostFit(this.right[t], d);
    }
    return this.firstAfter(this.right[t], x, d);
  }

  /** Leftmost node of the subtree with length ≥ d, or -1. */
  private leftmostFit(t: number, d: number): number {
    while (t >= 0 && this.maxLen[t] >= d) {
      const l = this.left[t];
      if (l >= 0 && this.maxLen[l] >= d) t = l;
      else if (this.end[t] - this.key[t] >= d) return t;
      else t = this.right[t];
    }
    return -1;
  }

  /** Split t into keys < k (sl) and keys ≥ k (sr). */
  private split(t: number, k: number): void {
    if (t < 0) {
      this.sl = this.sr = -1;
      return;
    }
    if (this.key[t] < k) {
      this.split(this.right[t], k);
      this.right[t] = this.sl;
      this.upd(t);
      this.sl = t;
    } else {
      this.split(this.left[t], k);
      this.left[t] = this.sr;
      this.upd(t);
      this.sr = t;
    }
  }

  private merge(a: number, b: number): number {
    if (a < 0) return b;
    if (b < 0) return a;
    if (this.pri[a] > this.pri[b]) {
      this.right[a] = this.merge(this.right[a], b);
      this.upd(a);
      return a;
    }
    this.left[b] = this.merge(a, this.left[b]);
    this.upd(b);
    return b;
  }

  private insert(t: number, x: number): number {
    this.split(t, this.key[x]);
    const l = this.sl;
    const r = this.sr;
    return this.merge(this.merge(l, x), r);
  }
}
