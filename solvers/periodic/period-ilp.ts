/**
 * Period-feasibility MILP with a binary search on the period P (Parhi & Messerschmitt's rate-optimal scheduling, IEEE TC 1991, posed as a MILP), solved by
 * HiGHS through the solver-neutral model of solvers/ilp.
 *
 * For a fixed P (so every row is linear):
 *   x_{v,p} ∈ {0,1}            task v on processor p; Σ_p x_{v,p} = 1
 *   Σ_v c_v·x_{v,p} ≤ P          per processor (the load rows)
 * With FIXED delays, in addition (offsets may wrap past P: arcs on a circle):
 *   o_v ∈ [0, P−1] integer       offset;  q_v ≥ 0 integer  iteration index (the retiming)
 *   z_e ≥ x_{u,p} − x_{v,p}      ∀p (z_e = 1 when u and v are on different processors)
 *   P·q_v + o_v + w_e·P ≥ P·q_u + o_u + c_u + comm_e·z_e           every edge u→v
 *   a_{uv} ≥ x_{u,p} + x_{v,p} − 1 ∀p ("same processor"), y_{uv} ∈ {0,1} (u's arc first):
 *     y = 1: o_v ≥ o_u + c_u  and  o_u + P ≥ o_v + c_v
 *     y = 0: o_u ≥ o_v + c_v  and  o_v + P ≥ o_u + c_u        (big-M 2P, off when a = 0)
 *   which is exactly "the two arcs are disjoint modulo P".
 * Link rows (always; the link model of lib/model/metrics/communication.ts): for every tensor group
 * (producer s, data kind; destinations d with bytes b_d) and ordered pair p ≠ q,
 *   w_{g,p,q} ≥ b_d·(x_{s,p} + x_{d,q} − 1)   ∀ destinations d,   w ≥ 0 continuous,
 * so w_{g,p,q} ≥ the largest b_d of a destination on q when s is on p (a tensor to several
 * consumers on one processor counts once), and per link
 *   Σ_g w_{g,p,q} ≤ floor(P·bandwidth)        (⇔ ceil(bytes/bandwidth) ≤ P: bytes are integers).
 * With FREE weight loops ('minimal' delays) the offsets, indices and order bits are dropped:
 * every assignment with loads ≤ P and links ≤ P is schedulable (pack offsets, retime —
 * assignment.ts), so the load and link rows alone decide feasibility; the loop edges are then
 * dropped and d_l read off the placement. Symmetry breaking: tasks in decreasing size, the i-th
 * may only use processors 0..i (processors are identical and every pair has the same link, so
 * relabelling them by first use changes nothing). With `fixedProc` the assignment is given (x
 * fixed by its bounds, no symmetry breaking, order rows only for pairs on one processor): the
 * search is then over offsets and iteration indices alone — the synchronous pipelines' question
 * "how fast can these chunks on these ranks go" (solvers/pipeline/sync-optimal.ts).
 *
 * Feasibility is monotone in P (stretch a schedule by one idle cycle per period: every edge
 * and arc stays legal), so the binary search between the lower bound and the heuristic's
 * period is sound and its bound — the smallest P proven infeasible, plus one — is a proven
 * lower bound. After the search, with time left and free loops, one more solve at the final P
 * minimises the crossing bytes (Σ over tensor groups and processors of y_{g,q} ≥
 * b_d·(x_{d,q} − x_{src,q})), warm-started from the best known assignment.
 *
 * A communication budget adds the row Σ_{g,q} y_{g,q} ≤ maxBytes (the same y as the bytes
 * objective), so the binary search then proves the period optimal under the budget; a staleness
 * budget is the fixed-delay model with the delays at the cap.
 *
 * Size: free loops n·N binaries and N + n rows, plus the link rows: groups·N·(N−1) continuous
 * w and Σ_g (destinations)·N·(N−1) + N·(N−1) rows; fixed delays O(n²) pairs × (N + 4) rows more.
 */
import type { Machine, TaskGraph } from '../../lib/model/types';
import { commCycles } from '../../lib/model/machine';
import { ModelBuilder, type MilpModel, type MilpResult } from '../ilp/model';
import { highsBackend } from '../ilp/highs';
import { linkPeriodBound, tensorGroups } from '../../lib/model/metrics/communication';
import { constrainingEdges, minimalStaleness, type PeriodicPlacement } from '../../lib/model/schedule/placement';
import { processorLoads } from './assignment-cost';
import { compareQuality, qualityOf } from './quality';
import { placeAssignment } from './place-assignment';
import { retimeOffsets } from './retiming';
import { maxOf } from '../../lib/model/extrema';

export interface PeriodModel {
  model: MilpModel;
  /** Column of x_{v,p} (−1 where symmetry breaking removed it). */
  x: number[][];
  o: number[] | null;
  /** Map an assignment (processor per task) to a full MIP start, or null if it breaks a row. */
  start(proc: readonly number[]): Float64Array | null;
}

/** Tasks by decreasing size (ties by index): the symmetry-breaking rank. */
function sizeOrder(g: TaskGraph): number[] {
  return g.tasks.map((_, v) => v).sort((a, b) => g.tasks[b].cycles - g.tasks[a].cycles || a - b);
}

/** Relabel processors by first use in size order, so an assignment satisfies the symmetry rows. */
function canonicalAssignment(g: TaskGraph, proc: readonly number[]): number[] {
  const label = new Map<number, number>();
  const out = new Array<number>(proc.length).fill(0);
  for (const v of sizeOrder(g)) {
    if (!label.has(proc[v])) label.set(proc[v], label.size);
    out[v] = label.get(proc[v])!;
  }
  return out;
}

/**
 * Build the model for period P. `objective` 'bytes' adds the crossing-bytes objective. With
 * `fixedProc` every x_{v,p} is fixed by its bounds to the given assignment (no symmetry
 * breaking: the processors are then labelled), and the order rows are only written for pairs
 * on one processor — the rest are vacuous.
 */
export function periodModel(g: TaskGraph, m: Machine, P: number, freeLoops: boolean, objective: 'none' | 'bytes' = 'none', maxBytes = Infinity, fixedProc?: readonly number[]): PeriodModel {
  const n = g.tasks.length;
  const N = m.procs;
  const b = new ModelBuilder(`period_${P}`);
  const rank = new Array<number>(n).fill(fixedProc ? N : 0);
  if (!fixedProc) sizeOrder(g).forEach((v, i) => (rank[v] = i));
  const x: number[][] = g.tasks.map((_, v) =>
    Array.from({ length: N }, (_, p) => {
      if (p > rank[v]) return -1;
      const at = fixedProc ? Number(fixedProc[v] === p) : null;
      return b.addVar(`x_${v}_${p}`, at ?? 0, at ?? 1, 'binary');
    }),
  );
  for (let v = 0; v < n; v++) {
    b.addRow(`assign_${v}`, x[v].filter((j) => j >= 0).map((j) => [j, 1] as const), '=', 1);
  }
  for (let p = 0; p < N; p++) {
    const terms: [number, number][] = [];
    for (let v = 0; v < n; v++) if (x[v][p] >= 0 && g.tasks[v].cycles > 0) terms.push([x[v][p], g.tasks[v].cycles]);
    if (terms.length > 0) b.addRow(`load_${p}`, terms, '<=', P);
  }
  const xs = (v: number, p: number): [number, number][] => (x[v][p] >= 0 ? [[x[v][p], 1]] : []);
  const neg = (t: [number, number][]): [number, number][] => t.map(([j, c]) => [j, -c]);

  let o: number[] | null = null;
  if (!freeLoops) {
    const edges = constrainingEdges(g, false);
    const commMax = maxOf(edges.map((k) => commCycles(m, g.edges[k].bytes)), 0);
    const qMax = n * (2 + Math.ceil(commMax / P)) + maxOf(g.edges.map((e) => e.delay), 0);
    o = g.tasks.map((_, v) => b.addVar(`o_${v}`, 0, P - 1, 'integer'));
    const q = g.tasks.map((_, v) => b.addVar(`q_${v}`, 0, qMax, 'integer'));
    for (const k of edges) {
      const e = g.edges[k];
      const comm = commCycles(m, e.bytes);
      const terms: [number, number][] = [
        [q[e.to], P],
        [o[e.to], 1],
        [q[e.from], -P],
        [o[e.from], -1],
      ];
      if (comm > 0 && e.from !== e.to) {
        const z = b.addVar(`z_${k}`, 0, 1, 'continuous');
        for (let p = 0; p < N; p++) {
          b.addRow(`z_${k}_${p}`, [[z, 1], ...neg(xs(e.from, p)), ...xs(e.to, p)], '>=', 0);
        }
        terms.push([z, -comm]);
      }
      b.addRow(`edge_${k}`, terms, '>=', g.tasks[e.from].cycles - e.delay * P);
    }
    const M = 2 * P;
    for (let u = 0; u < n; u++) {
      if (g.tasks[u].cycles <= 0) continue;
      for (let v = u + 1; v < n; v++) {
        if (g.tasks[v].cycles <= 0 || (fixedProc && fixedProc[u] !== fixedProc[v])) continue;
        const a = b.addVar(`a_${u}_${v}`, 0, 1, 'continuous');
        const y = b.addVar(`y_${u}_${v}`, 0, 1, 'binary');
        for (let p = 0; p < N; p++) {
          if (x[u][p] < 0 || x[v][p] < 0) continue;
          b.addRow(`same_${u}_${v}_${p}`, [[a, 1], [x[u][p], -1], [x[v][p], -1]], '>=', -1);
        }
        const cu = g.tasks[u].cycles;
        const cv = g.tasks[v].cycles;
        b.addRow(`ov1_${u}_${v}`, [[o[v], 1], [o[u], -1], [y, -M], [a, -M]], '>=', cu - 2 * M);
        b.addRow(`ov2_${u}_${v}`, [[o[u], 1], [o[v], -1], [y, -M], [a, -M]], '>=', cv - P - 2 * M);
        b.addRow(`ov3_${u}_${v}`, [[o[u], 1], [o[v], -1], [y, M], [a, -M]], '>=', cv - M);
        b.addRow(`ov4_${u}_${v}`, [[o[v], 1], [o[u], -1], [y, M], [a, -M]], '>=', cu - P - M);
      }
    }
  }
  // Link rows: w_{g,p,q} ≥ b_d·(x_{s,p} + x_{d,q} − 1); Σ_g w_{g,p,q} ≤ floor(P·bandwidth).
  const G = tensorGroups(g);
  const wL: { id: number; p: number; q: number; col: number }[] = [];
  const cap = Math.floor(P * m.bandwidth + 1e-9);
  if (N > 1) {
    const perLink = new Map<number, [number, number][]>();
    for (let id = 0; id < G.src.length; id++) {
      const s = G.src[id];
      for (let p = 0; p < N; p++) {
        if (x[s][p] < 0) continue;
        for (let q = 0; q < N; q++) {
          if (q === p) continue;
          const dests = G.dests[id].map((d, i) => ({ d, bytes: G.destBytes[id][i] })).filter(({ d }) => d !== s && x[d][q] >= 0);
          if (dests.length === 0) continue;
          const col = b.addVar(`wl_${id}_${p}_${q}`, 0, Infinity, 'continuous');
          wL.push({ id, p, q, col });
          for (const { d, bytes } of dests) {
            b.addRow(`wl_${id}_${p}_${q}_${d}`, [[col, 1], [x[s][p], -bytes], [x[d][q], -bytes]], '>=', -bytes);
          }
          const k = p * N + q;
          if (!perLink.has(k)) perLink.set(k, []);
          perLink.get(k)!.push([col, 1]);
        }
      }
    }
    for (const k of [...perLink.keys()].sort((a, c) => a - c)) {
      b.addRow(`link_${Math.floor(k / N)}_${k % N}`, perLink.get(k)!, '<=', cap);
    }
  }
  // Crossing bytes: the objective, or a budget row Σ y ≤ maxBytes.
  const yB: { id: number; p: number; col: number }[] = [];
  if (objective === 'bytes' || maxBytes < Infinity) {
    const obj: [number, number][] = [];
    for (let id = 0; id < G.src.length; id++) {
      const s = G.src[id];
      for (let p = 0; p < N; p++) {
        const dests = G.dests[id].map((d, i) => ({ d, bytes: G.destBytes[id][i] })).filter(({ d }) => x[d][p] >= 0);
        if (dests.length === 0) continue;
        const col = b.addVar(`yb_${id}_${p}`, 0, Infinity, 'continuous');
        yB.push({ id, p, col });
        for (const { d, bytes } of dests) {
          // y ≥ bytes·(x_{d,p} − x_{s,p})
          b.addRow(`yb_${id}_${p}_${d}`, [[col, 1], [x[d][p], -bytes], ...xs(s, p).map(([j]) => [j, bytes] as [number, number])], '>=', 0);
        }
        obj.push([col, 1]);
      }
    }
    if (maxBytes < Infinity) b.addRow('bytes_budget', obj, '<=', maxBytes);
    b.setObjective('min', objective === 'bytes' ? obj : []);
  } else b.setObjective('min', []);
  const model = b.build();

  const start = (proc0: readonly number[]): Float64Array | null => {
    if (!freeLoops) return null;
    const proc = fixedProc ? [...proc0] : canonicalAssignment(g, proc0);
    const vec = new Float64Array(model.vars.length);
    for (let v = 0; v < n; v++) {
      if (x[v][proc[v]] < 0) return null;
      vec[x[v][proc[v]]] = 1;
    }
    if (maxOf(processorLoads(g, proc, N)) > P) return null;
    if (linkPeriodBound(g, m, proc) > P) return null;
    for (const { id, p, q, col } of wL) {
      let most = 0;
      if (proc[G.src[id]] === p) G.dests[id].forEach((d, i) => {
        if (proc[d] === q) most = Math.max(most, G.destBytes[id][i]);
      });
      vec[col] = most;
    }
    for (const { id, p, col } of yB) {
      let most = 0;
      if (proc[G.src[id]] !== p) G.dests[id].forEach((d, i) => {
        if (proc[d] === p) most = Math.max(most, G.destBytes[id][i]);
      });
      vec[col] = most;
    }
    return vec;
  };
  return { model, x, o, start };
}

/** Decode the assignment of a solution. */
function decodeProc(pm: PeriodModel, values: ArrayLike<number>): number[] {
  return pm.x.map((row) => {
    let best = 0;
    let bv = -Infinity;
    row.forEach((j, p) => {
      if (j >= 0 && values[j] > bv) {
        bv = values[j];
        best = p;
      }
    });
    return best;
  });
}

export interface IlpSolve {
  period: number;
  purpose: 'feasibility' | 'bytes';
  status: MilpResult['status'];
  seconds: number;
}

export interface PeriodIlpInput {
  freeLoops: boolean;
  /** Proven lower bound to start from. */
  lowerBound: number;
  /** The heuristic's legal placement (its period is the search's upper end). */
  incumbent: PeriodicPlacement;
  /** Total wall-clock seconds (default 10). */
  timeLimitSeconds?: number;
  /** Minimise crossing bytes at the final period when time is left (free loops only; default true). */
  minimiseBytes?: boolean;
  /** A communication budget: one more row, Σ crossing bytes ≤ maxBytes, in every model. */
  maxBytes?: number;
  /**
   * Fix the assignment (processor per task): the search is then over offsets and iteration
   * indices only, and its bound holds for this assignment alone (e.g. a pipeline's chunks on
   * their ranks).
   */
  fixedProc?: readonly number[];
}

export interface PeriodIlpResult {
  /** 'optimal': the period is proven minimal; 'feasible': time ran out first. */
  status: 'optimal' | 'feasible';
  placement: PeriodicPlacement;
  /** Smallest P proven infeasible + 1, or the lower bound. */
  bound: number;
  gap: number;
  solves: IlpSolve[];
  /** Whether the bytes objective was solved to optimality at the final period. */
  bytesOptimal: boolean;
  seconds: number;
}

/** A legal placement from a MILP solution at period P (null if decoding fails: a bug upstream). */
function placementFrom(g: TaskGraph, m: Machine, pm: PeriodModel, values: ArrayLike<number>, P: number, freeLoops: boolean): PeriodicPlacement | null {
  const proc = decodeProc(pm, values);
  if (freeLoops) {
    const r = placeAssignment(g, m, proc, true);
    return r.ok ? r.placed.placement : null;
  }
  if (linkPeriodBound(g, m, proc) > P) {
    // (Solver tolerances only, see periodIlp.) A legal placement at a longer period.
    const up = placeAssignment(g, m, proc, false);
    return up.ok ? up.placed.placement : null;
  }
  const off = pm.o!.map((j) => Math.round(values[j]));
  const r = retimeOffsets(g, m, proc, off, P, false);
  return r.ok ? { period: P, proc, start: r.start } : null;
}

/**
 * Binary search on P in [lowerBound, incumbent period − 1] with the feasibility MILP; then the
 * bytes solve. Deterministic apart from where the time limit cuts the search.
 */
export async function periodIlp(g: TaskGraph, m: Machine, input: PeriodIlpInput): Promise<PeriodIlpResult> {
  const t0 = performance.now();
  const limit = input.timeLimitSeconds ?? 10;
  const left = () => limit - (performance.now() - t0) / 1000;
  const solves: IlpSolve[] = [];
  let best = input.incumbent;
  let lo = Math.min(input.lowerBound, best.period);
  let hi = best.period;
  let complete = true;
  while (lo < hi) {
    if (left() <= 0.05) {
      complete = false;
      break;
    }
    const mid = Math.floor((lo + hi) / 2);
    const pm = periodModel(g, m, mid, input.freeLoops, 'none', input.maxBytes, input.fixedProc);
    const r = await highsBackend.solve(pm.model, { timeLimitSeconds: left(), absGap: 0.5 });
    solves.push({ period: mid, purpose: 'feasibility', status: r.status, seconds: r.seconds });
    if ((r.status === 'optimal' || r.status === 'feasible') && r.values) {
      const pl = placementFrom(g, m, pm, r.values, mid, input.freeLoops);
      if (!pl) throw new Error(`periodIlp: MILP solution at P=${mid} did not decode to a legal placement (bug)`);
      if (pl.period > mid) {
        // Only through the solver's tolerances (an x a hair below 1 under-counting a link's
        // bytes): P = mid is not shown feasible; stop the search unproven.
        if (pl.period < best.period) best = pl;
        complete = false;
        break;
      }
      best = pl;
      hi = pl.period;
    } else if (r.status === 'infeasible') {
      lo = mid + 1;
    } else {
      complete = false;
      break;
    }
  }
  let bytesOptimal = false;
  if (input.freeLoops && (input.minimiseBytes ?? true) && left() > 0.05) {
    const P = best.period;
    const pm = periodModel(g, m, P, true, 'bytes', input.maxBytes, input.fixedProc);
    const start = pm.start(best.proc);
    const r = await highsBackend.solve(pm.model, { timeLimitSeconds: left(), start: start ?? undefined, absGap: 0.5 });
    solves.push({ period: P, purpose: 'bytes', status: r.status, seconds: r.seconds });
    bytesOptimal = r.status === 'optimal';
    if (r.values && (r.status === 'optimal' || r.status === 'feasible')) {
      const pl = placementFrom(g, m, pm, r.values, P, true);
      const quality = (x: PeriodicPlacement) => qualityOf(g, x, minimalStaleness(g, m, x));
      if (pl && pl.period <= P && compareQuality(quality(pl), quality(best)) < 0) best = pl;
    }
  }
  const bound = complete ? best.period : lo;
  return {
    status: complete ? 'optimal' : 'feasible',
    placement: best,
    bound,
    gap: (best.period - bound) / bound,
    solves,
    bytesOptimal,
    seconds: (performance.now() - t0) / 1000,
  };
}
