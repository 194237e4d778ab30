/**
 * Iterative modulo list scheduling (Rau 1994, "Iterative modulo scheduling"), extended to N
 * identical processors with communication.
 *
 * For a candidate period P: tasks are taken in order of height — the longest path to a sink
 * with edge weights c_u + comm − w·P, i.e. heights adjusted for the iteration distance each
 * edge spans — highest first. Each is placed at its earliest start (after its placed
 * predecessors' data arrive) at which its arc [t, t + c) is free modulo P in the processor's
 * reservation table, on the processor chosen by `procChoice` ('earliest': the earliest such
 * start, then fewest added crossing bytes; 'bytes': fewest added crossing bytes, then the
 * earliest start); slots that would break a placed successor's edge are avoided where possible.
 * If no processor has room in the window [est, est + P), the task is forced in and the tasks it
 * collides with are evicted (and so are successors whose edges it breaks); they are placed
 * again later. A budget of `budgetFactor`·n placements bounds the work; running out means
 * failure at this P. Link throughput is a resource too: a processor is only a candidate if every
 * link keeps at most P cycles of bytes per iteration (see `moduloPlaceAt`), so the period the
 * search returns is never below the link bound of the assignment it builds.
 *
 * The period search starts at the lower bound max(ceil(W/N), longest task, ceil(T∞)) (T∞ only
 * with fixed delays), grows it by max(1, 2 %) steps until a placement succeeds, then
 * binary-searches the last gap. With free loops the weight loops are ignored while placing and
 * d_l is read off afterwards (minimalStaleness).
 *
 * Cost per try: O(budget · (N · k² + deg)) with k tasks on a processor; O(n² N) in practice.
 */
import type { Machine, TaskGraph } from '../../lib/model/types';
import { transferCycles } from '../../lib/model/machine';
import { adjacency, isLoopEdge, totalWork } from '../../lib/model/graph/taskgraph';
import { iterationBound } from '../../lib/model/bounds';
import { groupCrossing, linkCycles, linkPeriodBound, tensorGroups } from '../../lib/model/metrics/communication';
import { constrainingEdges, type PeriodicPlacement } from '../../lib/model/schedule/placement';
import { LinkLoads } from './link-loads';
import { ModuloTable } from './modulo-table';
import { lexLess } from './quality';
import { longestPath, type DiffConstraint } from './retiming';
import { maxOf, minOf } from '../../lib/model/extrema';

export type ProcChoice = 'earliest' | 'bytes';

export interface ModuloOptions {
  /** Weight loops do not constrain the placement (delay rule 'minimal'). */
  freeLoops: boolean;
  /** Fixed processor of every task (place offsets only); otherwise the scheduler assigns. */
  proc?: readonly number[];
  procChoice?: ProcChoice;
  /** Placement budget per task (default 6). */
  budgetFactor?: number;
  /**
   * A communication budget: the crossing bytes may not exceed it. A processor that would take
   * the bytes of the tasks placed so far above it is not a candidate (bytes only grow as tasks
   * are placed); a placement that still ends above it (through a forced placement) fails.
   */
  maxBytes?: number;
}

/** Heights: longest path to a sink, weights c_u + comm·(N−1)/N − w·P. Null if P is below a loop bound. */
function heights(g: TaskGraph, m: Machine, P: number, freeLoops: boolean): number[] | null {
  const share = m.procs > 1 ? (m.procs - 1) / m.procs : 0;
  const edges = constrainingEdges(g, freeLoops);
  for (const withComm of [true, false]) {
    // h(u) − h(v) ≥ c_u + comm − wP : a constraint v → u.
    const cons: DiffConstraint[] = edges.map((k) => {
      const e = g.edges[k];
      const comm = withComm && e.bytes > 0 ? Math.ceil((e.bytes / m.bandwidth + m.latency) * share) : 0;
      return { from: e.to, to: e.from, k: g.tasks[e.from].cycles + comm - e.delay * P };
    });
    const r = longestPath(g.tasks.length, cons, g.tasks.map((t) => t.cycles));
    if (r.ok) return r.x;
  }
  return null;
}

/**
 * One try at period P. Returns the placement or null. Links (lib/model/metrics/communication.ts) are
 * tracked like the reservation table: a processor whose choice would make some link carry more
 * than P cycles of bytes per iteration (counting the tasks placed so far, whose link bytes only
 * grow as more are placed) is not a candidate; a fixed assignment whose link bound exceeds P
 * fails at once; and a placement that ends with an overloaded link (possible only through a
 * forced placement) is a failure at this P.
 */
export function moduloPlaceAt(g: TaskGraph, m: Machine, P: number, opts: ModuloOptions): PeriodicPlacement | null {
  const n = g.tasks.length;
  const N = m.procs;
  for (const t of g.tasks) if (t.cycles > P) return null;
  if (opts.proc && linkPeriodBound(g, m, opts.proc) > P) return null;
  const h = heights(g, m, P, opts.freeLoops);
  if (!h) return null;
  const order = g.tasks.map((_, v) => v).sort((a, b) => h[b] - h[a] || a - b);
  const adj = adjacency(g);
  const G = tensorGroups(g);
  const keep = (k: number) => !(opts.freeLoops && isLoopEdge(g.edges[k]));
  const proc = new Array<number>(n).fill(-1);
  const start = new Array<number>(n).fill(0);
  const prev = new Array<number>(n).fill(-1);
  const load = new Array<number>(N).fill(0);
  const mrt = new ModuloTable(N, P);
  const links = opts.proc ? null : new LinkLoads(g, m, proc);
  /** Whether putting (unplaced) v on p keeps every link within P. */
  const linksFit = (v: number, p: number): boolean => {
    if (!links) return true;
    for (const x of links.trial(proc, [v], [p]).links) if (linkCycles(m, x.bytes) > P) return false;
    return true;
  };
  let unplaced = n;
  let budget = (opts.budgetFactor ?? 6) * n;
  const choice = opts.procChoice ?? 'earliest';

  const partialCost = (id: number): number => groupCrossing(G, id, proc);
  /** Crossing bytes added by putting (unplaced) v on p. */
  const addedBytes = (v: number, p: number): number => {
    let before = 0;
    for (const id of G.ofTask[v]) before += partialCost(id);
    proc[v] = p;
    let after = 0;
    for (const id of G.ofTask[v]) after += partialCost(id);
    proc[v] = -1;
    return after - before;
  };
  const maxBytes = opts.maxBytes ?? Infinity;
  /** Crossing bytes of the tasks placed so far (tracked only under a budget). */
  let bytesNow = 0;
  const unplace = (v: number) => {
    const p = proc[v];
    mrt.release(p, v);
    load[p] -= g.tasks[v].cycles;
    if (links) links.apply(proc, [v], [-1]);
    else proc[v] = -1;
    if (maxBytes < Infinity) bytesNow -= addedBytes(v, p);
    unplaced++;
  };

  while (unplaced > 0) {
    if (budget-- <= 0) return null;
    let v = -1;
    for (const x of order) {
      if (proc[x] < 0) {
        v = x;
        break;
      }
    }
    const c = g.tasks[v].cycles;
    const cands = opts.proc ? [opts.proc[v]] : Array.from({ length: N }, (_, p) => p);
    let best: { p: number; t: number; key: number[] } | null = null;
    let forcedP = -1;
    let forcedEst = Infinity;
    let forcedFits = false;
    for (const p of cands) {
      const fitsLinks = linksFit(v, p);
      let est = 0;
      for (let k = adj.inStart[v]; k < adj.inStart[v + 1]; k++) {
        const ek = adj.inEdges[k];
        if (!keep(ek)) continue;
        const e = g.edges[ek];
        if (e.from === v || proc[e.from] < 0) continue;
        est = Math.max(est, start[e.from] + g.tasks[e.from].cycles + transferCycles(m, e.bytes, proc[e.from], p) - e.delay * P);
      }
      let lst = Infinity;
      for (let k = adj.outStart[v]; k < adj.outStart[v + 1]; k++) {
        const ek = adj.outEdges[k];
        if (!keep(ek)) continue;
        const e = g.edges[ek];
        if (e.to === v || proc[e.to] < 0) continue;
        lst = Math.min(lst, start[e.to] + e.delay * P - c - transferCycles(m, e.bytes, p, proc[e.to]));
      }
      // Forced placement: prefer processors whose links still fit, then the earliest start.
      if ((fitsLinks && !forcedFits) || (fitsLinks === forcedFits && est < forcedEst)) {
        forcedEst = est;
        forcedP = p;
        forcedFits = fitsLinks;
      }
      if (!fitsLinks) continue;
      let t = -1;
      if (opts.proc) {
        // Fixed processors: take the earliest start that leaves room for the processor's other
        // unplaced tasks (first-fit decreasing into its free arcs), else the earliest start.
        const starts = mrt.starts(p, est, c);
        const rest: number[] = [];
        for (let x = 0; x < n; x++) if (x !== v && proc[x] < 0 && opts.proc[x] === p) rest.push(g.tasks[x].cycles);
        for (const s of starts) {
          mrt.reserve(p, s, c, v);
          const ok = mrt.roomFor(p, rest);
          mrt.release(p, v);
          if (ok) {
            t = s;
            break;
          }
        }
        if (t < 0 && starts.length > 0) t = starts[0];
      } else t = mrt.earliest(p, est, c);
      if (t < 0) continue;
      const bytes = cands.length > 1 || maxBytes < Infinity ? addedBytes(v, p) : 0;
      if (bytesNow + bytes > maxBytes) continue;
      const breaks = t > lst ? 1 : 0;
      const key = choice === 'earliest' ? [breaks, t, bytes, load[p], p] : [breaks, bytes, t, load[p], p];
      if (!best || lexLess(key, best.key)) best = { p, t, key };
    }
    let p: number;
    let t: number;
    if (best) {
      p = best.p;
      t = best.t;
    } else {
      p = forcedP;
      t = prev[v] >= forcedEst ? prev[v] + 1 : forcedEst;
      for (const x of mrt.conflicts(p, t, c)) unplace(x);
    }
    if (maxBytes < Infinity) bytesNow += addedBytes(v, p);
    if (links) links.apply(proc, [v], [p]);
    else proc[v] = p;
    start[v] = t;
    prev[v] = t;
    mrt.reserve(p, t, c, v);
    load[p] += c;
    unplaced--;
    // Evict placed successors (and predecessors) whose edges v now breaks.
    for (let k = adj.outStart[v]; k < adj.outStart[v + 1]; k++) {
      const ek = adj.outEdges[k];
      if (!keep(ek)) continue;
      const e = g.edges[ek];
      const x = e.to;
      if (x === v || proc[x] < 0) continue;
      if (start[x] + e.delay * P < t + c + transferCycles(m, e.bytes, p, proc[x])) unplace(x);
    }
    for (let k = adj.inStart[v]; k < adj.inStart[v + 1]; k++) {
      const ek = adj.inEdges[k];
      if (!keep(ek)) continue;
      const e = g.edges[ek];
      const u = e.from;
      if (u === v || proc[u] < 0) continue;
      if (t + e.delay * P < start[u] + g.tasks[u].cycles + transferCycles(m, e.bytes, proc[u], p)) unplace(u);
    }
  }
  if (links && links.maxCycles() > P) return null;
  if (bytesNow > maxBytes) return null;
  // Normalise: the earliest start in [0, P) (shift by whole periods keeps every constraint).
  const lo = minOf(start);
  const shift = Math.floor(lo / P) * P;
  return { period: P, proc, start: start.map((s) => s - shift) };
}

export interface ModuloSearch {
  placement: PeriodicPlacement | null;
  /** Every period tried and whether it succeeded, in order. */
  tried: { period: number; ok: boolean }[];
  lowerBound: number;
}

/** Lower bound the search starts from: max(ceil(W/N), longest task, ceil(T∞) with fixed delays). */
function moduloLowerBound(g: TaskGraph, procs: number, freeLoops: boolean): number {
  let lb = maxOf(g.tasks.map((t) => t.cycles), Math.max(Math.ceil(totalWork(g) / procs), 1));
  if (!freeLoops) {
    const ib = iterationBound(g);
    if (ib.delays > 0) lb = Math.max(lb, Math.ceil(ib.cycles / ib.delays - 1e-9));
  }
  return lb;
}

/**
 * Smallest period the modulo scheduler reaches between `lowerBound` and `maxPeriod`
 * (default: the total work plus the largest loop's communication, where one processor always
 * succeeds). Steps up by max(1, 2 %) from the lower bound, then binary-searches the last step.
 */
export function moduloSchedule(
  g: TaskGraph,
  m: Machine,
  opts: ModuloOptions & { lowerBound?: number; maxPeriod?: number },
): ModuloSearch {
  const lb = Math.max(opts.lowerBound ?? 0, moduloLowerBound(g, m.procs, opts.freeLoops));
  const commMax = maxOf(g.edges.map((e) => (e.bytes > 0 ? Math.ceil(e.bytes / m.bandwidth) + m.latency : 0)), 0);
  const ub = Math.max(lb, opts.maxPeriod ?? totalWork(g) + commMax * g.tasks.length);
  const tried: { period: number; ok: boolean }[] = [];
  const attempt = (P: number) => {
    const r = moduloPlaceAt(g, m, P, opts);
    tried.push({ period: P, ok: r !== null });
    return r;
  };
  let P = lb;
  let failed = lb - 1;
  let found: PeriodicPlacement | null = null;
  while (P <= ub) {
    found = attempt(P);
    if (found) break;
    failed = P;
    P = Math.max(P + 1, Math.ceil(P * 1.02));
  }
  if (!found) return { placement: null, tried, lowerBound: lb };
  let lo = failed + 1;
  let hi = P;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const r = attempt(mid);
    if (r) {
      hi = mid;
      found = r;
    } else lo = mid + 1;
  }
  return { placement: found, tried, lowerBound: lb };
}
