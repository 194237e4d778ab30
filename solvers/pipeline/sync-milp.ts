/**
 * Flushed (synchronous) schedules of a chunk graph on FIXED ranks, timed exactly: each rank's
 * tasks of one iteration lie in one window of length ≤ P — the flush: with one chunk per rank the
 * loops U_c → F_c^j (delay 1) force it, since every task of the chunk follows some F_c^j and
 * precedes U_c. Inside such windows "disjoint modulo P" (the periodic validator's rule) is plain
 * disjointness, so the model is a disjunctive one in absolute time (one iteration's start times),
 * with P a variable — no modular offsets, no iteration indices, no binary search:
 *
 *   min P   s.t.  s_v − s_u ≥ c_u + comm_uv − w_e·P           every edge u → v of delay w_e
 *                 lo_r ≤ s_v,  s_v + c_v ≤ hi_r,  hi_r − lo_r ≤ P     v on rank r (the window)
 *                 s_v ≥ s_u + c_u − M·(1 − y_uv),  s_u ≥ s_v + c_v − M·y_uv   u, v on one rank
 *                 P ≥ the link bound of the assignment,  P ≥ the lower bound given
 *
 * with M = the incumbent's period (both tasks lie in one window ≤ P ≤ it). With several chunks
 * per rank the window rows restrict the schedules to rank-flushed ones (still valid, possibly not
 * optimal); solvers/periodic/period-ilp.ts with `fixedProc` is the general model, and far slower.
 *
 * `windowTiming` is the exact timing of given per-rank sequences under the same rules: a system of
 * difference constraints, feasible for P iff its constraint graph has no positive cycle
 * (Bellman–Ford longest paths), binary-searched on integer P. Unlike ASAP along the sequences
 * (actions.ts), a rank may start late on purpose to shorten its window.
 */
import type { Machine, TaskGraph } from '../../lib/model/types';
import { transferCycles } from '../../lib/model/machine';
import { linkPeriodBound } from '../../lib/model/metrics/communication';
import type { PeriodicPlacement } from '../../lib/model/schedule/placement';
import { ModelBuilder } from '../ilp/model';
import { highsBackend } from '../ilp/highs';
import { maxOf, minOf } from '../../lib/model/extrema';

/** Difference-constraint arcs s_to ≥ s_from + w + k·(−P) (k = 0, or the delay w_e, or 1 for a window). */
interface Arc {
  from: number;
  to: number;
  w: number;
  k: number;
}

function arcsOf(g: TaskGraph, m: Machine, proc: readonly number[], sequences: readonly number[][]): Arc[] {
  const arcs: Arc[] = g.edges
    .filter((e) => e.from !== e.to)
    .map((e) => ({ from: e.from, to: e.to, w: g.tasks[e.from].cycles + transferCycles(m, e.bytes, proc[e.from], proc[e.to]), k: e.delay }));
  for (const seq of sequences) {
    for (let i = 1; i < seq.length; i++) arcs.push({ from: seq[i - 1], to: seq[i], w: g.tasks[seq[i - 1]].cycles, k: 0 });
    // The window: the first starts no earlier than the last ends minus P.
    if (seq.length > 1) arcs.push({ from: seq[seq.length - 1], to: seq[0], w: g.tasks[seq[seq.length - 1]].cycles, k: 1 });
  }
  return arcs;
}

/** Earliest start times at period P (0 for the sources), or null when a positive cycle makes P infeasible. */
function longestPaths(n: number, arcs: readonly Arc[], P: number): number[] | null {
  const s = new Array<number>(n).fill(0);
  for (let pass = 0; pass <= n; pass++) {
    let changed = false;
    for (const a of arcs) {
      const t = s[a.from] + a.w - a.k * P;
      if (t > s[a.to]) {
        s[a.to] = t;
        changed = true;
      }
    }
    if (!changed) return s;
  }
  return null;
}

/**
 * Smallest integer period in [lo, hi] at which the sequences can run with each rank in a window
 * ≤ P, and the earliest start times then; null if even `hi` is infeasible. O(log(hi − lo)·V·E).
 */
export function windowTiming(g: TaskGraph, m: Machine, proc: readonly number[], sequences: readonly number[][], lo: number, hi: number): PeriodicPlacement | null {
  const n = g.tasks.length;
  const link = linkPeriodBound(g, m, proc);
  if (link > hi) return null;
  const arcs = arcsOf(g, m, proc, sequences);
  let top = longestPaths(n, arcs, hi);
  if (!top) return null;
  let a = Math.max(1, Math.min(lo, hi), link);
  let b = hi;
  while (a < b) {
    const mid = Math.floor((a + b) / 2);
    const s = longestPaths(n, arcs, mid);
    if (s) {
      b = mid;
      top = s;
    } else a = mid + 1;
  }
  return { period: b, proc: [...proc], start: b === hi ? longestPaths(n, arcs, hi)! : top };
}

/**
 * Hill climbing on the sequences (a cheap incumbent for the MILP): move one task up to `reach`
 * places earlier or later on its rank, keep the move when `windowTiming` then gives a smaller
 * period (a move that breaks a precedence or makes the ranks wait on each other leaves no feasible
 * period and is dropped), until a pass finds nothing or `maxPasses` passes ran. Deterministic.
 * O(passes · V · reach · V·E).
 */
export function improveSequences(g: TaskGraph, m: Machine, proc: readonly number[], start: PeriodicPlacement, sequences: readonly number[][], lo: number, reach = 5, maxPasses = 20): { placement: PeriodicPlacement; sequences: number[][] } {
  let best = start;
  let seqs = sequences.map((q) => [...q]);
  for (let pass = 0, improved = true; improved && pass < maxPasses; pass++) {
    improved = false;
    seqs.forEach((seq, r) => {
      for (let i = 0; i < seq.length; i++) {
        for (let d = -reach; d <= reach; d++) {
          const k = i + d;
          if (d === 0 || k < 0 || k >= seq.length || best.period <= lo) continue;
          const moved = [...seqs[r]];
          const [v] = moved.splice(i, 1);
          moved.splice(k, 0, v);
          const cand = seqs.map((q, x) => (x === r ? moved : q));
          const t = windowTiming(g, m, proc, cand, lo, best.period - 1);
          if (t) {
            best = t;
            seqs = cand;
            improved = true;
          }
        }
      }
    });
  }
  return { placement: best, sequences: seqs };
}

export interface WindowMilpResult {
  status: 'optimal' | 'feasible';
  /** Each rank's tasks in the order of the best solution found. */
  sequences: number[][];
  period: number;
  /** Proven lower bound on P over all rank-flushed schedules on this assignment. */
  bound: number;
  seconds: number;
}

/**
 * The model of the module comment, started from `incumbent` (a legal placement on `proc` with
 * each rank inside one window ≤ its period). Deterministic apart from where the time limit cuts.
 */
export async function windowMilp(g: TaskGraph, m: Machine, proc: readonly number[], incumbent: PeriodicPlacement, lowerBound: number, timeLimitSeconds: number): Promise<WindowMilpResult> {
  const P0 = incumbent.period;
  const ranks = [...new Set(proc)].sort((x, y) => x - y);
  const commMax = maxOf(g.edges.map((e) => transferCycles(m, e.bytes, proc[e.from], proc[e.to])), 0);
  // Some optimum has every rank's window start within (ranks − 1)·(P + comm) of time 0: shift a
  // rank's window earlier until an input binds; so this horizon loses nothing.
  const H = ranks.length * (P0 + commMax) + P0;
  const lo = Math.min(P0, Math.max(1, lowerBound, linkPeriodBound(g, m, proc)));
  const b = new ModelBuilder('sync_window');
  const Pv = b.addVar('P', lo, P0, 'integer');
  const s = g.tasks.map((_, v) => b.addVar(`s_${v}`, 0, H, 'integer'));
  const vals: number[] = [P0];
  const t0 = minOf(incumbent.start);
  incumbent.start.forEach((x) => vals.push(x - t0));
  for (const [k, e] of g.edges.entries()) {
    if (e.from === e.to) continue;
    const w = g.tasks[e.from].cycles + transferCycles(m, e.bytes, proc[e.from], proc[e.to]);
    b.addRow(`edge_${k}`, [[s[e.to], 1], [s[e.from], -1], [Pv, e.delay]], '>=', w);
  }
  for (const r of ranks) {
    const on = g.tasks.map((_, v) => v).filter((v) => proc[v] === r);
    const lo_ = b.addVar(`lo_${r}`, 0, H, 'continuous');
    const hi_ = b.addVar(`hi_${r}`, 0, H + P0, 'continuous');
    vals.push(minOf(on.map((v) => incumbent.start[v])) - t0, maxOf(on.map((v) => incumbent.start[v] + g.tasks[v].cycles)) - t0);
    for (const v of on) {
      b.addRow(`lo_${r}_${v}`, [[s[v], 1], [lo_, -1]], '>=', 0);
      b.addRow(`hi_${r}_${v}`, [[hi_, 1], [s[v], -1]], '>=', g.tasks[v].cycles);
    }
    b.addRow(`window_${r}`, [[Pv, 1], [hi_, -1], [lo_, 1]], '>=', 0);
    const busy = on.filter((v) => g.tasks[v].cycles > 0);
    for (let i = 0; i < busy.length; i++) {
      for (let j = i + 1; j < busy.length; j++) {
        const u = busy[i];
        const v = busy[j];
        const y = b.addVar(`y_${u}_${v}`, 0, 1, 'binary');
        vals.push(incumbent.start[u] < incumbent.start[v] ? 1 : 0);
        b.addRow(`uv_${u}_${v}`, [[s[v], 1], [s[u], -1], [y, -P0]], '>=', g.tasks[u].cycles - P0);
        b.addRow(`vu_${u}_${v}`, [[s[u], 1], [s[v], -1], [y, P0]], '>=', g.tasks[v].cycles);
      }
    }
  }
  b.setObjective('min', [[Pv, 1]]);
  const model = b.build();
  const r = await highsBackend.solve(model, { timeLimitSeconds, start: Float64Array.from(vals), absGap: 0.5 });
  const have = (r.status === 'optimal' || r.status === 'feasible') && r.values !== null;
  const at = have ? r.values! : null;
  const startOf = (v: number) => (at ? at[s[v]] : incumbent.start[v]);
  const sequences = ranks.map((p) =>
    g.tasks
      .map((_, v) => v)
      .filter((v) => proc[v] === p)
      .sort((x, y) => startOf(x) - startOf(y) || x - y),
  );
  const period = have ? Math.round(r.objective!) : P0;
  const bound = Math.min(period, Math.max(lo, Number.isFinite(r.bound) ? Math.ceil(r.bound - 1e-6) : lo));
  return { status: r.status === 'optimal' ? 'optimal' : 'feasible', sequences, period, bound, seconds: r.seconds };
}
