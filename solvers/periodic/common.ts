/**
 * Shared pieces of the periodic (pipelined) schedulers: the placement type, processor loads,
 * the bytes that cross processors and the bytes on each link (kept up to date under moves), a
 * modulo reservation table, back-to-back packing, staleness read off a placement, and the
 * Schedule record.
 *
 * Model (the validator's, lib/model/schedule/validate.ts): iteration k of task v runs at
 * k·P + start_v on proc_v; an edge u→v of delay w needs start_v + w·P ≥ start_u + c_u + comm;
 * on a processor the busy arcs [start mod P, start mod P + c) on a circle of length P are
 * disjoint; every link p→q carries at most P cycles of bytes per iteration (ceil(bytes /
 * bandwidth) ≤ P, lib/model/metrics/communication.ts). With `freeLoops` the weight-loop edges (those with `loopLayer`) do not constrain the
 * placement: their delay 1 + d_l is chosen afterwards as the smallest that satisfies them
 * (`minimalStaleness`), which is the 'minimal' delay rule.
 */
import type { Cycles, Edge, Machine, Schedule, TaskGraph } from '../../lib/model/types';
import { transferCycles } from '../../lib/model/machine';
import { adjacency } from '../../lib/model/graph/taskgraph';
import { forEachGroupLink, groupCrossing, linkCycles, linkPeriodBound, tensorGroups, type TensorGroups } from '../../lib/model/metrics/communication';

/** Where and when every task runs: `proc[v]`, `start[v]` (iteration 0, may exceed the period). */
export interface Placement {
  period: Cycles;
  proc: number[];
  start: number[];
}

export const isLoopEdge = (e: Edge): boolean => e.loopLayer !== undefined;

/** Indices of the edges that constrain a placement (all but the weight loops when they are free). */
export function constrainingEdges(g: TaskGraph, freeLoops: boolean): number[] {
  const out: number[] = [];
  g.edges.forEach((e, k) => {
    if (!(freeLoops && isLoopEdge(e))) out.push(k);
  });
  return out;
}

/** Cycles of work on each processor. O(n). */
export function processorLoads(g: TaskGraph, proc: ArrayLike<number>, procs: number): number[] {
  const load = new Array<number>(procs).fill(0);
  for (let v = 0; v < g.tasks.length; v++) load[proc[v]] += g.tasks[v].cycles;
  return load;
}

export function maxLoad(g: TaskGraph, proc: ArrayLike<number>, procs: number): number {
  return Math.max(0, ...processorLoads(g, proc, procs));
}

/**
 * Tensors sent between processors are counted by lib/model/metrics/communication.ts — the one place
 * that defines what a link carries (a group = one (producer, data kind) pair; its bytes once per
 * destination processor other than the producer's). Re-exported here for the solvers.
 */
export { tensorGroups, groupCrossing, forEachGroupLink, linkPeriodBound, linkCycles, type TensorGroups } from '../../lib/model/metrics/communication';

/** Bytes crossing processors in one iteration (as lib/model/metrics counts them). O(E). */
export function crossingBytes(g: TaskGraph, proc: ArrayLike<number>): number {
  const G = tensorGroups(g);
  let total = 0;
  for (let id = 0; id < G.src.length; id++) total += groupCrossing(G, id, proc);
  return total;
}

/**
 * The period an assignment needs at least: max(largest processor load, link bound). With free
 * loops it is also the period it reaches (assignment.ts). O(E log E).
 */
export function assignmentPeriod(g: TaskGraph, m: Machine, proc: ArrayLike<number>): number {
  return Math.max(maxLoad(g, proc, m.procs), linkPeriodBound(g, m, proc));
}

/**
 * Bytes per iteration on every link (N × N, row = sender) of an assignment, kept up to date
 * under moves, for the local searches and the modulo scheduler. `trial` evaluates a move of
 * some tasks without committing it: the change of the crossing bytes and of every link it
 * touches. Unplaced tasks (proc < 0) are allowed (partial assignments: each link's bytes only
 * grow as tasks are placed). O(Σ group sizes of the moved tasks) per trial.
 */
export class LinkLoads {
  readonly N: number;
  readonly bytes: Float64Array;
  private readonly G: TensorGroups;
  private readonly delta: Float64Array;
  private readonly changed: number[] = [];
  private readonly mark: Int32Array;
  private tick = 0;

  constructor(
    private readonly g: TaskGraph,
    private readonly m: Machine,
    proc: ArrayLike<number>,
  ) {
    this.N = m.procs;
    this.G = tensorGroups(g);
    this.bytes = new Float64Array(this.N * this.N);
    this.delta = new Float64Array(this.N * this.N);
    this.mark = new Int32Array(this.G.src.length);
    for (let id = 0; id < this.G.src.length; id++) forEachGroupLink(this.G, id, proc, (p, q, b) => (this.bytes[p * this.N + q] += b));
  }

  /** Cycles of link k = p·N + q. */
  cycles(k: number): number {
    return linkCycles(this.m, this.bytes[k]);
  }

  /** The busiest link's cycles (the link bound). O(N²). */
  maxCycles(): number {
    let worst = 0;
    for (let k = 0; k < this.bytes.length; k++) if (this.bytes[k] > 0) worst = Math.max(worst, linkCycles(this.m, this.bytes[k]));
    return worst;
  }

  private groupsOf(moved: readonly number[]): number[] {
    const tick = ++this.tick;
    const ids: number[] = [];
    for (const v of moved) {
      for (const id of this.G.ofTask[v]) {
        if (this.mark[id] !== tick) {
          this.mark[id] = tick;
          ids.push(id);
        }
      }
    }
    return ids;
  }

  /**
   * Effect of moving `moved[i]` to `to[i]` (proc is restored before returning): the change of
   * the crossing bytes and the links whose bytes change with their new byte counts.
   */
  trial(proc: number[], moved: readonly number[], to: readonly number[]): { bytesDelta: number; links: { k: number; bytes: number }[] } {
    const ids = this.groupsOf(moved);
    const N = this.N;
    const d = this.delta;
    const ch = this.changed;
    const touch = (k: number, b: number) => {
      if (d[k] === 0 && !ch.includes(k)) ch.push(k);
      d[k] += b;
    };
    for (const id of ids) forEachGroupLink(this.G, id, proc, (p, q, b) => touch(p * N + q, -b));
    const old = moved.map((v) => proc[v]);
    moved.forEach((v, i) => (proc[v] = to[i]));
    for (const id of ids) forEachGroupLink(this.G, id, proc, (p, q, b) => touch(p * N + q, b));
    moved.forEach((v, i) => (proc[v] = old[i]));
    let bytesDelta = 0;
    const links: { k: number; bytes: number }[] = [];
    for (const k of ch) {
      if (d[k] !== 0) {
        bytesDelta += d[k];
        links.push({ k, bytes: this.bytes[k] + d[k] });
      }
      d[k] = 0;
    }
    ch.length = 0;
    return { bytesDelta, links };
  }

  /** Move `moved[i]` to `to[i]` in `proc` and update the link bytes. */
  apply(proc: number[], moved: readonly number[], to: readonly number[]): void {
    const ids = this.groupsOf(moved);
    const N = this.N;
    for (const id of ids) forEachGroupLink(this.G, id, proc, (p, q, b) => (this.bytes[p * N + q] -= b));
    moved.forEach((v, i) => (proc[v] = to[i]));
    for (const id of ids) forEachGroupLink(this.G, id, proc, (p, q, b) => (this.bytes[p * N + q] += b));
  }
}

/** Cycles edge `e` costs between the processors of its ends. */
export function edgeComm(m: Machine, e: Edge, proc: ArrayLike<number>): Cycles {
  return transferCycles(m, e.bytes, proc[e.from], proc[e.to]);
}

/**
 * The smallest extra staleness d_l that makes every loop edge of layer l legal for this
 * placement: (1 + d_l)·P ≥ start_U + c_U + comm − start_v. O(E).
 */
export function minimalStaleness(g: TaskGraph, m: Machine, pl: Placement): number[] {
  const d = new Array<number>(g.layers).fill(0);
  for (const e of g.edges) {
    if (!isLoopEdge(e)) continue;
    const need = pl.start[e.from] + g.tasks[e.from].cycles + edgeComm(m, e, pl.proc) - pl.start[e.to];
    const w = Math.max(1, Math.ceil(need / pl.period));
    d[e.loopLayer! - 1] = Math.max(d[e.loopLayer! - 1], w - 1);
  }
  return d;
}

/** The periodic Schedule record of a placement. */
export function toSchedule(g: TaskGraph, pl: Placement, procs: number, method: string, staleness?: number[]): Schedule {
  const s: Schedule = {
    kind: 'periodic',
    procs,
    period: pl.period,
    tasks: g.tasks.map((t, v) => ({ id: t.id, processor: pl.proc[v], start: pl.start[v] })),
    method,
    graph: g.name,
  };
  if (staleness) s.staleness = staleness;
  return s;
}

/** Lexicographic quality of a result: period, then crossing bytes, then Σ d_l. */
export interface Quality {
  period: number;
  bytes: number;
  staleness: number;
}

export function compareQuality(a: Quality, b: Quality): number {
  return a.period - b.period || a.bytes - b.bytes || a.staleness - b.staleness;
}

export function qualityOf(g: TaskGraph, pl: Placement, staleness: number[]): Quality {
  return { period: pl.period, bytes: crossingBytes(g, pl.proc), staleness: staleness.reduce((a, b) => a + b, 0) };
}

/**
 * Modulo reservation table: per processor, the busy arcs of a circle of length P. Arcs are
 * kept as half-open [a, b) pieces inside [0, P) (a wrapping arc is two pieces). k = arcs on a
 * processor: `fits` O(k), `earliest` O(k²), `reserve`/`release` O(k).
 */
export class ModuloTable {
  readonly P: number;
  private readonly arcs: { a: number; b: number; task: number }[][];

  constructor(procs: number, P: number) {
    this.P = P;
    this.arcs = Array.from({ length: procs }, () => []);
  }

  private pieces(t: number, len: number): [number, number][] {
    const P = this.P;
    const a = ((t % P) + P) % P;
    if (len <= 0) return [];
    if (a + len <= P) return [[a, a + len]];
    return [
      [a, P],
      [0, a + len - P],
    ];
  }

  /** Tasks whose arcs intersect [t, t + len) modulo P on processor p. */
  conflicts(p: number, t: number, len: number): number[] {
    const out: number[] = [];
    for (const [a, b] of this.pieces(t, len)) {
      for (const r of this.arcs[p]) if (r.a < b && a < r.b && !out.includes(r.task)) out.push(r.task);
    }
    return out;
  }

  fits(p: number, t: number, len: number): boolean {
    if (len > this.P) return false;
    for (const [a, b] of this.pieces(t, len)) for (const r of this.arcs[p]) if (r.a < b && a < r.b) return false;
    return true;
  }

  /** Smallest t in [est, est + P) with [t, t + len) free on p, or -1. */
  earliest(p: number, est: number, len: number): number {
    if (len > this.P) return -1;
    if (len <= 0 || this.fits(p, est, len)) return est;
    for (const t of this.starts(p, est, len)) return t;
    return -1;
  }

  /**
   * Every start in [est, est + P) worth trying, in increasing order: est itself and each arc
   * end (the starts that leave no gap on the left); only those where [t, t + len) is free.
   */
  starts(p: number, est: number, len: number): number[] {
    if (len > this.P) return [];
    const P = this.P;
    const base = ((est % P) + P) % P;
    const cands = [est];
    for (const r of this.arcs[p]) cands.push(est + (((r.b % P) - base) % P + P) % P);
    cands.sort((x, y) => x - y);
    const out: number[] = [];
    for (const t of cands) if ((out.length === 0 || out[out.length - 1] !== t) && this.fits(p, t, len)) out.push(t);
    return out;
  }

  /** Lengths of the free arcs of processor p (a free arc across P and 0 counts once). O(k log k). */
  freeArcs(p: number): number[] {
    const P = this.P;
    const busy = this.arcs[p].map((r) => [r.a, r.b] as [number, number]).sort((x, y) => x[0] - y[0]);
    if (busy.length === 0) return [P];
    const merged: [number, number][] = [];
    for (const [a, b] of busy) {
      const last = merged[merged.length - 1];
      if (last && a <= last[1]) last[1] = Math.max(last[1], b);
      else merged.push([a, b]);
    }
    const free: number[] = [];
    for (let i = 1; i < merged.length; i++) free.push(merged[i][0] - merged[i - 1][1]);
    const wrap = P - merged[merged.length - 1][1] + merged[0][0];
    if (wrap > 0) free.push(wrap);
    return free.filter((f) => f > 0);
  }

  /** Whether tasks of these sizes still fit into p's free arcs (first-fit decreasing). */
  roomFor(p: number, sizes: readonly number[]): boolean {
    const free = this.freeArcs(p).sort((a, b) => b - a);
    for (const c of [...sizes].sort((a, b) => b - a)) {
      if (c <= 0) continue;
      const i = free.findIndex((f) => f >= c);
      if (i < 0) return false;
      free[i] -= c;
    }
    return true;
  }

  reserve(p: number, t: number, len: number, task: number): void {
    for (const [a, b] of this.pieces(t, len)) this.arcs[p].push({ a, b, task });
  }

  release(p: number, task: number): void {
    this.arcs[p] = this.arcs[p].filter((r) => r.task !== task);
  }

  busy(p: number): number {
    let s = 0;
    for (const r of this.arcs[p]) s += r.b - r.a;
    return s;
  }
}

/**
 * Offsets in [0, P) that pack each processor's tasks back to back in `order` (a priority list of
 * all tasks). Legal modulo P whenever every processor's load is ≤ P. O(n).
 */
export function packBackToBack(g: TaskGraph, proc: ArrayLike<number>, procs: number, order: readonly number[]): number[] {
  const next = new Array<number>(procs).fill(0);
  const off = new Array<number>(g.tasks.length).fill(0);
  for (const v of order) {
    off[v] = next[proc[v]];
    next[proc[v]] += g.tasks[v].cycles;
  }
  return off;
}

/**
 * Top levels of the constraining subgraph (longest path from a source, task cycles only), used
 * to order tasks "along the data flow". Returns null if that subgraph has a cycle. O(V + E).
 */
export function dataflowOrder(g: TaskGraph, freeLoops: boolean): number[] | null {
  const n = g.tasks.length;
  const adj = adjacency(g);
  const keep = (e: Edge) => (freeLoops ? !isLoopEdge(e) : e.delay === 0);
  const indeg = new Int32Array(n);
  for (const e of g.edges) if (keep(e)) indeg[e.to]++;
  const top = new Float64Array(n);
  const ready: number[] = [];
  for (let v = 0; v < n; v++) if (indeg[v] === 0) ready.push(v);
  const topo: number[] = [];
  while (ready.length > 0) {
    const v = ready.shift()!;
    topo.push(v);
    for (let k = adj.outStart[v]; k < adj.outStart[v + 1]; k++) {
      const e = g.edges[adj.outEdges[k]];
      if (!keep(e)) continue;
      top[e.to] = Math.max(top[e.to], top[v] + g.tasks[v].cycles);
      if (--indeg[e.to] === 0) ready.push(e.to);
    }
  }
  if (topo.length !== n) return null;
  const rank = new Int32Array(n);
  topo.forEach((v, i) => (rank[v] = i));
  return topo.slice().sort((a, b) => top[a] - top[b] || rank[a] - rank[b]);
}

/** Sum over tasks; ceil(W / N); longest task; and the (N+1)-task pigeonhole bound c_N + c_{N+1}. */
export function packingBounds(g: TaskGraph, procs: number): { work: number; longest: number; pigeonhole: number } {
  const c = g.tasks.map((t) => t.cycles).sort((a, b) => b - a);
  const W = c.reduce((a, b) => a + b, 0);
  const pigeonhole = c.length > procs ? c[procs - 1] + c[procs] : 0;
  return { work: Math.ceil(W / procs), longest: c[0] ?? 0, pigeonhole };
}

/** Deterministic 32-bit PRNG: the solvers' one seeded generator. */
export { mulberry32 as prng } from '../list/random';

/**
 * Index of the candidate to keep: the smallest period P* wins, except that candidates within
 * `tolerance`·P* of it (and never above `cap`, e.g. a baseline's period it must not exceed)
 * compete on crossing bytes, then Σ d_l, then period. tolerance 0 is the plain lexicographic
 * (period, bytes, Σ d_l) order. O(k).
 */
export function pickCandidate(qs: readonly Quality[], tolerance = 0, cap = Infinity): number {
  if (qs.length === 0) return -1;
  const Pmin = Math.min(...qs.map((q) => q.period));
  const window = Math.max(Pmin, Math.min(Math.floor(Pmin * (1 + tolerance)), cap));
  let best = -1;
  qs.forEach((q, i) => {
    if (q.period > window) return;
    if (best < 0) {
      best = i;
      return;
    }
    const b = qs[best];
    const d = q.bytes - b.bytes || q.staleness - b.staleness || q.period - b.period;
    if (d < 0) best = i;
  });
  return best;
}
