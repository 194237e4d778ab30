/**
 * MILP formulations of the makespan problem on identical processors (P|prec|Cmax, and with
 * communication delays P|prec,c_ij|Cmax), and — the disjunctive one — on unrelated processors
 * with per-processor durations (R|prec,c_ij|Cmax), built as solver-neutral models (model.ts).
 *
 * Both take an instance with a lower bound LB (max(CP, ⌈W/p⌉, longest task)) and an
 * incumbent of makespan UB (the best list schedule), and use them:
 * * every start is confined to [head_i, UB − tail_i] (head = top level, tail = bottom level,
 *   both without communication, so valid for any schedule of makespan ≤ UB);
 * * the makespan C is an integer in [LB, UB] (all costs are integers);
 * * the incumbent is turned into a full MIP start.
 *
 * **Disjunctive (F2 of deps.md §4, extended with communication).** Tasks numbered by their
 * topological position i. Variables: S_i ≥ 0; C integer; x_ik binary "i on processor k" only
 * for k ≤ min(i, p−1) (processors relabelled by first use in topological order — valid
 * because they are identical); for every pair i < j NOT ordered by the transitive closure and
 * both of positive length: y_ij binary (i before j) and z_ij ∈ [0, 1] ("same processor",
 * z_ij ≥ x_ik + x_jk − 1). Rows: Σ_k x_ik = 1; S_j ≥ S_i + p_i per edge; C ≥ S_i + p_i per
 * sink; S_j ≥ S_i + p_i − M_ij(2 − y_ij − z_ij); S_i ≥ S_j + p_j − M_ji(1 + y_ij − z_ij), with
 * pair-specific big-M from the windows. With communication, an edge i→j with transfer cost
 * c_ij > 0 gets w_ij ∈ [0, 1] ("i and j share a processor", w_ij ≤ 1 − x_ik + x_jk for all k)
 * and S_j ≥ S_i + p_i + c_ij(1 − w_ij). Pairs ordered by the closure need no disjunction:
 * their order, hence their non-overlap, follows from the precedence rows.
 *
 * **Time-indexed (no communication).** x_jt = 1 if task j starts at integer time t,
 * t ∈ [head_j, UB − tail_j]. Σ_t x_jt = 1; capacity: at every time unit τ at most p tasks run,
 * Σ_j Σ_{t ∈ (τ − p_j, τ]} x_jt ≤ p; precedence i→j in the strong (disaggregated) form
 * Σ_{s ≤ t} x_js ≤ Σ_{s ≤ t − p_i} x_is for every t, or the weak one
 * Σ t·x_jt ≥ Σ t·x_it + p_i; C ≥ Σ (t + p_j) x_jt for sinks. No processor variables: a set of
 * integer intervals with at most p overlapping at every instant is p-colourable (interval
 * graphs are perfect), so processors are assigned afterwards greedily. Its size grows with
 * the horizon UB, its LP bound is far stronger than the big-M model's.
 *
 * **Per-processor durations** (d_ik = `wq`, costs.ts). Heads, tails and windows use the
 * smallest duration of every task (valid for every assignment). The disjunctive model keeps its
 * variables; every p_i becomes d_i = Σ_k d_ik x_ik (a constant where the task takes as long
 * everywhere), so S_j ≥ S_i + Σ_k d_ik x_ik + c_ij(1 − w_ij) and C ≥ S_i + Σ_k d_ik x_ik;
 * the big-M of a pair uses the largest duration, M_ij = UB − bl_i + max_k d_ik − head_j; z_ij
 * is tied only to the processors on which both tasks take time (a zero-duration task is a
 * marker, as in the validator). Symmetry breaking by first use holds within a class of
 * processors on which every task takes as long (all of them when identical): x_ik exists for
 * the processors k whose rank within their class is ≤ pos_i. The time-indexed model counts
 * busy processors per time unit and has no assignment: identical processors only.
 *
 * Solutions are decoded to (processor, order on each processor) and re-timed as early as
 * possible (semiActive, with each task's duration on its processor), so starts are exact
 * integers and the makespan never exceeds C.
 */
import type { ListProblem } from '../list/core';
import type { MakespanPlacement } from '../../lib/model/schedule/placement';
import { ModelBuilder, type MilpModel } from './model';
import { exactCosts } from './costs';

export interface MakespanInstance {
  p: ListProblem;
  /** Proven lower bound on the optimum. */
  lb: number;
  /** Incumbent (makespan ub). */
  incumbent: MakespanPlacement;
}

export interface Formulation {
  kind: 'disjunctive' | 'time-indexed';
  model: MilpModel;
  /** Whether HiGHS should presolve it (see MilpSolveOptions.presolve); undefined = its default. */
  presolve?: boolean;
  /** MIP start from the incumbent (full column vector). */
  start: Float64Array;
  /** Index of the makespan column. */
  cIndex: number;
  /** Turn a feasible solution into a placement (makespan ≤ its C). */
  decode(x: ArrayLike<number>): MakespanPlacement;
}

/** Descendant sets as bitsets (row i = tasks reachable from i). O(n·e/32). */
function transitiveClosure(p: ListProblem): Uint32Array[] {
  const words = (p.n + 31) >>> 5;
  const reach: Uint32Array[] = [];
  for (let i = 0; i < p.n; i++) reach.push(new Uint32Array(words));
  for (let k = p.n - 1; k >= 0; k--) {
    const v = p.order[k];
    const r = reach[v];
    for (let j = p.adj.outStart[v]; j < p.adj.outStart[v + 1]; j++) {
      const s = p.to[p.adj.outEdges[j]];
      r[s >>> 5] |= 1 << (s & 31);
      const rs = reach[s];
      for (let w = 0; w < words; w++) r[w] |= rs[w];
    }
  }
  return reach;
}

const has = (bits: Uint32Array, j: number) => (bits[j >>> 5] & (1 << (j & 31))) !== 0;

/** Edges implied by another path (not in the transitive reduction): 1 = redundant. O(e·n/32). */
function transitiveEdges(p: ListProblem): Uint8Array {
  const reach = transitiveClosure(p);
  const out = new Uint8Array(p.g.edges.length);
  for (let e = 0; e < out.length; e++) {
    const i = p.from[e];
    const j = p.to[e];
    for (let k = p.adj.outStart[i]; k < p.adj.outStart[i + 1]; k++) {
      const s = p.to[p.adj.outEdges[k]];
      if (s !== j && has(reach[s], j)) {
        out[e] = 1;
        break;
      }
    }
  }
  return out;
}

/** Windows [head, UB − bottom level] of every task (levels on the smallest durations, costs.ts). */
function windows(p: ListProblem, ub: number): { head: Float64Array; last: Float64Array } {
  const { head, bl } = exactCosts(p);
  const last = new Float64Array(p.n);
  for (let i = 0; i < p.n; i++) last[i] = ub - bl[i];
  return { head, last };
}

/**
 * Re-time a placement given processors and an order key per task (e.g. the solver's start
 * times): on each processor tasks run in (key, topological position) order, every task as
 * early as its predecessors (with communication) and its processor allow; zero-cost tasks as
 * early as their predecessors allow. O(n log n + e).
 * Throws if the order contradicts the precedences (a bug in the caller).
 */
export function semiActive(p: ListProblem, proc: Int32Array, key: ArrayLike<number>): MakespanPlacement {
  const { n, P, adj } = p;
  // Zero-cost tasks occupy no processor time (validate() treats them as markers), so they are
  // not chained: they start when their data is ready.
  const byProc: number[][] = Array.from({ length: P }, () => []);
  const dur = (i: number) => p.wq[i * P + proc[i]];
  for (let i = 0; i < n; i++) if (dur(i) > 0) byProc[proc[i]].push(i);
  const chainPrev = new Int32Array(n).fill(-1);
  const chainNext = new Int32Array(n).fill(-1);
  for (const list of byProc) {
    list.sort((a, b) => key[a] - key[b] || p.pos[a] - p.pos[b]);
    for (let k = 1; k < list.length; k++) {
      chainPrev[list[k]] = list[k - 1];
      chainNext[list[k - 1]] = list[k];
    }
  }
  const missing = new Int32Array(n);
  for (let v = 0; v < n; v++) missing[v] = adj.inStart[v + 1] - adj.inStart[v] + (chainPrev[v] >= 0 ? 1 : 0);
  const queue: number[] = [];
  for (let v = 0; v < n; v++) if (missing[v] === 0) queue.push(v);
  const start = new Float64Array(n);
  const finish = new Float64Array(n);
  let makespan = 0;
  let done = 0;
  for (let h = 0; h < queue.length; h++) {
    const v = queue[h];
    done++;
    let s = chainPrev[v] >= 0 ? finish[chainPrev[v]] : 0;
    for (let j = adj.inStart[v]; j < adj.inStart[v + 1]; j++) {
      const e = adj.inEdges[j];
      const u = p.from[e];
      const a = finish[u] + (proc[u] === proc[v] ? 0 : p.comm[e]);
      if (a > s) s = a;
    }
    start[v] = s;
    finish[v] = s + dur(v);
    if (finish[v] > makespan) makespan = finish[v];
    const release = (x: number) => {
      if (--missing[x] === 0) queue.push(x);
    };
    for (let j = adj.outStart[v]; j < adj.outStart[v + 1]; j++) release(p.to[adj.outEdges[j]]);
    if (chainNext[v] >= 0) release(chainNext[v]);
  }
  if (done !== n) throw new Error('internal error: processor orders contradict the precedences');
  return { proc, start, makespan };
}

/**
 * Processor labels renumbered by first use in topological order within each processor class
 * (costs.ts; one class on identical processors), for symmetry breaking: the k-th processor of
 * a class to be used becomes the class's k-th processor.
 */
function relabel(p: ListProblem, proc: Int32Array): Int32Array {
  const { cls } = exactCosts(p);
  const members: number[][] = [];
  for (let q = 0; q < p.P; q++) (members[cls[q]] ??= []).push(q);
  const used = new Int32Array(members.length);
  const map = new Int32Array(p.P).fill(-1);
  const out = new Int32Array(p.n);
  for (let k = 0; k < p.n; k++) {
    const v = p.order[k];
    const q = proc[v];
    if (map[q] < 0) map[q] = members[cls[q]][used[cls[q]]++];
    out[v] = map[q];
  }
  return out;
}

export function disjunctiveModel(inst: MakespanInstance): Formulation {
  const { p, lb } = inst;
  const inc = inst.incumbent;
  const ub = inc.makespan;
  const { n, P, wq } = p;
  const { wmin, wmax, rank } = exactCosts(p);
  const { head, last } = windows(p, ub);
  const b = new ModelBuilder(`makespan-disjunctive-${p.g.name}-p${P}`);
  const S = new Int32Array(n);
  for (let i = 0; i < n; i++) S[i] = b.addVar(`S_${i + 1}`, head[i], Math.max(head[i], last[i]), 'continuous');
  const C = b.addVar('C', lb, Math.max(lb, ub), 'integer');
  // x_ik for the processors k of rank ≤ pos_i within their class (identical processors:
  // k ≤ min(pos_i, P − 1)); -1 = not allowed.
  const xIdx: Int32Array[] = [];
  for (let i = 0; i < n; i++) {
    const row = new Int32Array(P).fill(-1);
    for (let k = 0; k < P; k++) if (rank[k] <= p.pos[i]) row[k] = b.addVar(`x_${i + 1}_${k}`, 0, 1, 'binary');
    xIdx.push(row);
  }
  const allowed = (i: number) => Array.from(xIdx[i]).filter((j) => j >= 0);
  for (let i = 0; i < n; i++) b.addRow(`assign_${i + 1}`, allowed(i).map((j) => [j, 1] as const), '=', 1);
  // Duration of i: a constant when it is the same on every processor, else Σ_k d_ik x_ik.
  // dur(i, sign) = [terms of sign·d_i, constant of d_i]: a row "… + sign·d_i ≥ r" is written
  // "… + terms ≥ r − sign·constant".
  const dur = (i: number, sign: number): [[number, number][], number] => {
    if (wmin[i] === wmax[i]) return [[], wmin[i]];
    const terms: [number, number][] = [];
    for (let k = 0; k < P; k++) if (xIdx[i][k] >= 0 && wq[i * P + k] !== 0) terms.push([xIdx[i][k], sign * wq[i * P + k]]);
    return [terms, 0];
  };
  // precedence (with communication when it costs)
  const wIdx = new Int32Array(p.g.edges.length).fill(-1);
  for (let e = 0; e < p.g.edges.length; e++) {
    const i = p.from[e];
    const j = p.to[e];
    const c = p.comm[e];
    const [dt, dc] = dur(i, -1);
    if (c > 0 && P > 1) {
      const wv = b.addVar(`w_${i + 1}_${j + 1}_${e}`, 0, 1, 'continuous');
      wIdx[e] = wv;
      b.addRow(`prec_${e}`, [[S[j], 1], [S[i], -1], [wv, c], ...dt], '>=', dc + c);
      for (let k = 0; k < P; k++) {
        if (xIdx[i][k] < 0) continue;
        const terms: [number, number][] = [[wv, 1], [xIdx[i][k], 1]];
        if (xIdx[j][k] >= 0) terms.push([xIdx[j][k], -1]);
        b.addRow(`same_${e}_${k}`, terms, '<=', 1);
      }
    } else b.addRow(`prec_${e}`, [[S[j], 1], [S[i], -1], ...dt], '>=', dc);
  }
  for (let i = 0; i < n; i++) {
    if (p.adj.outStart[i + 1] !== p.adj.outStart[i]) continue;
    const [dt, dc] = dur(i, -1);
    b.addRow(`cmax_${i + 1}`, [[C, 1], [S[i], -1], ...dt], '>=', dc);
  }
  // Disjunctions for incomparable pairs that can share a processor on which both take time
  // (a zero-duration task is a marker and occupies no processor).
  const busy = (i: number, k: number) => xIdx[i][k] >= 0 && wq[i * P + k] > 0;
  const reach = transitiveClosure(p);
  const pairs: { i: number; j: number; y: number; z: number }[] = [];
  const byPos = Array.from(p.order);
  for (let a = 0; a < n; a++) {
    const i = byPos[a];
    if (wmax[i] <= 0) continue;
    for (let c = a + 1; c < n; c++) {
      const j = byPos[c];
      if (wmax[j] <= 0 || has(reach[i], j) || has(reach[j], i)) continue;
      const shared: number[] = [];
      for (let k = 0; k < P; k++) if (busy(i, k) && busy(j, k)) shared.push(k);
      if (shared.length === 0) continue;
      const y = b.addVar(`y_${i + 1}_${j + 1}`, 0, 1, 'binary');
      const z = b.addVar(`z_${i + 1}_${j + 1}`, 0, 1, 'continuous');
      for (const k of shared) b.addRow(`zz_${i + 1}_${j + 1}_${k}`, [[z, 1], [xIdx[i][k], -1], [xIdx[j][k], -1]], '>=', -1);
      // S_j ≥ S_i + d_i − M1 (2 − y − z)  ⇔  S_j − S_i − d_i − M1 y − M1 z ≥ −2 M1
      const M1 = Math.max(0, last[i] + wmax[i] - head[j]);
      const [ti, ci] = dur(i, -1);
      b.addRow(`dA_${i + 1}_${j + 1}`, [[S[j], 1], [S[i], -1], [y, -M1], [z, -M1], ...ti], '>=', ci - 2 * M1);
      // S_i ≥ S_j + d_j − M2 (1 + y − z)  ⇔  S_i − S_j − d_j + M2 y − M2 z ≥ −M2
      const M2 = Math.max(0, last[j] + wmax[j] - head[i]);
      const [tj, cj] = dur(j, -1);
      b.addRow(`dB_${i + 1}_${j + 1}`, [[S[i], 1], [S[j], -1], [y, M2], [z, -M2], ...tj], '>=', cj - M2);
      pairs.push({ i, j, y, z });
    }
  }
  b.setObjective('min', [[C, 1]]);
  const model = b.build();

  // MIP start from the incumbent (processors relabelled within their classes)
  const x0 = new Float64Array(model.vars.length);
  const lab = relabel(p, inc.proc);
  for (let i = 0; i < n; i++) {
    x0[S[i]] = inc.start[i];
    if (xIdx[i][lab[i]] < 0) throw new Error('internal error: the relabelled incumbent breaks the symmetry rule');
    x0[xIdx[i][lab[i]]] = 1;
  }
  x0[C] = ub;
  for (let e = 0; e < p.g.edges.length; e++) if (wIdx[e] >= 0) x0[wIdx[e]] = lab[p.from[e]] === lab[p.to[e]] ? 1 : 0;
  for (const { i, j, y, z } of pairs) {
    x0[y] = inc.start[i] <= inc.start[j] ? 1 : 0;
    x0[z] = lab[i] === lab[j] && busy(i, lab[i]) && busy(j, lab[j]) ? 1 : 0;
  }

  const decode = (x: ArrayLike<number>): MakespanPlacement => {
    const proc = new Int32Array(n);
    const key = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let best = -1;
      for (let k = 0; k < P; k++) if (xIdx[i][k] >= 0 && (best < 0 || x[xIdx[i][k]] > x[xIdx[i][best]])) best = k;
      proc[i] = best;
      key[i] = x[S[i]];
    }
    // Same-processor pairs: order by y (robust against S ties/rounding).
    for (const { i, j, y } of pairs) {
      if (proc[i] !== proc[j]) continue;
      const iFirst = x[y] > 0.5;
      if (iFirst && key[i] > key[j]) key[i] = key[j];
      if (!iFirst && key[j] > key[i]) key[j] = key[i];
    }
    return semiActive(p, proc, key);
  };
  return { kind: 'disjunctive', model, start: x0, cIndex: C, decode };
}

export interface TimeIndexedOptions {
  /** Strong (one row per edge and time, default) or weak (one aggregated row per edge) precedence. */
  precedence?: 'strong' | 'weak';
}

/**
 * Size of the time-indexed model for incumbent `ub`: binaries, and rows of the strong form
 * (≈ one per binary for monotonicity plus one per edge and time step) — to decide whether
 * to build it.
 */
export function timeIndexedSize(p: ListProblem, ub: number): { binaries: number; rows: number } {
  const { head, last } = windows(p, ub);
  let binaries = 0;
  for (let i = 0; i < p.n; i++) binaries += Math.max(0, last[i] - head[i]);
  let rows = binaries + ub;
  for (let e = 0; e < p.g.edges.length; e++) rows += Math.max(0, last[p.to[e]] - head[p.to[e]]);
  return { binaries, rows };
}

/**
 * The time-indexed model, written in its "step" form: z_it = 1 iff task i has started by
 * time t (t in [lo_i, hi_i − 1]; Z_i(t) = 0 before the window, 1 from hi_i on). This is the
 * unimodular image of the x_it form (x_it = Z_i(t) − Z_i(t − 1)), with the same LP bound, but
 * far fewer non-zeros: task i runs during unit τ iff Z_i(τ) − Z_i(τ − p_i) = 1, so capacity
 * rows have two terms per task and the strong precedence rows Z_j(t) ≤ Z_i(t − p_i) two.
 */
export function timeIndexedModel(inst: MakespanInstance, opts: TimeIndexedOptions = {}): Formulation {
  const { p, lb } = inst;
  if (p.hasComm) throw new Error('internal error: the time-indexed model has no communication delays');
  if (p.hetero) throw new Error('internal error: the time-indexed model takes identical processors only');
  const inc = inst.incumbent;
  const ub = inc.makespan;
  const { n, P } = p;
  const { head, last } = windows(p, ub);
  const b = new ModelBuilder(`makespan-time-indexed-${p.g.name}-p${P}`);
  const first = new Int32Array(n); // column of z_{i, lo_i}
  const lo = new Int32Array(n);
  const hi = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    lo[i] = head[i];
    hi[i] = Math.max(head[i], last[i]);
    first[i] = b.numVars;
    for (let t = lo[i]; t < hi[i]; t++) b.addVar(`z_${i + 1}_${t}`, 0, 1, 'binary');
  }
  /** Z_i(t) as either a constant (0 or 1) or a column: returns [column, constant]. */
  const Z = (i: number, t: number): [number, number] => (t < lo[i] ? [-1, 0] : t >= hi[i] ? [-1, 1] : [first[i] + (t - lo[i]), 0]);
  const C = b.addVar('C', lb, Math.max(lb, ub), 'integer');
  // monotone: z_it ≤ z_i,t+1
  for (let i = 0; i < n; i++) {
    for (let t = lo[i]; t + 1 < hi[i]; t++) b.addRow(`mono_${i + 1}_${t}`, [[Z(i, t)[0], 1], [Z(i, t + 1)[0], -1]], '<=', 0);
  }
  // capacity in unit [τ, τ+1): Σ_i Z_i(τ) − Z_i(τ − p_i) ≤ P
  const cap: [number, number][][] = Array.from({ length: ub }, () => []);
  const capConst = new Float64Array(ub);
  for (let i = 0; i < n; i++) {
    if (p.w[i] <= 0) continue;
    for (let tau = lo[i]; tau < Math.min(ub, hi[i] + p.w[i]); tau++) {
      const [a, ca] = Z(i, tau);
      const [c, cc] = Z(i, tau - p.w[i]);
      if (a >= 0) cap[tau].push([a, 1]);
      if (c >= 0) cap[tau].push([c, -1]);
      capConst[tau] += ca - cc;
    }
  }
  for (let tau = 0; tau < ub; tau++) {
    const vars = cap[tau].length;
    if (vars > 0 && capConst[tau] + vars > P) b.addRow(`cap_${tau}`, cap[tau], '<=', P - capConst[tau]);
  }
  // precedence; strong rows only for edges of the transitive reduction (an edge i→j with
  // another path i→k→…→j is implied row by row: Z_j(t) ≤ Z_k(t − p_k) ≤ Z_i(t − p_k − p_i) ≤ Z_i(t − p_i))
  const strong = (opts.precedence ?? 'strong') === 'strong';
  const redundant = strong ? transitiveEdges(p) : new Uint8Array(p.g.edges.length);
  const startTerms = (i: number, sign: number): [number, number][] => {
    // S_i = hi_i − Σ_t z_it
    const terms: [number, number][] = [];
    for (let t = lo[i]; t < hi[i]; t++) terms.push([Z(i, t)[0], -sign]);
    return terms;
  };
  for (let e = 0; e < p.g.edges.length; e++) {
    const i = p.from[e];
    const j = p.to[e];
    if (strong) {
      if (redundant[e]) continue;
      for (let t = lo[j]; t < hi[j]; t++) {
        const [c, cc] = Z(i, t - p.w[i]);
        if (c < 0 && cc === 1) continue; // predecessor surely done
        if (c < 0) b.addRow(`prec_${e}_${t}`, [[Z(j, t)[0], 1]], '<=', 0);
        else b.addRow(`prec_${e}_${t}`, [[Z(j, t)[0], 1], [c, -1]], '<=', 0);
      }
    } else {
      // S_j − S_i ≥ p_i  ⇔  −Σ z_j + Σ z_i ≥ p_i − hi_j + hi_i
      b.addRow(`prec_${e}`, [...startTerms(j, 1), ...startTerms(i, -1)], '>=', p.w[i] - hi[j] + hi[i]);
    }
  }
  // C ≥ S_i + p_i = hi_i − Σ z_it + p_i for sinks
  for (let i = 0; i < n; i++) {
    if (p.adj.outStart[i + 1] !== p.adj.outStart[i]) continue;
    b.addRow(`cmax_${i + 1}`, [[C, 1], ...startTerms(i, -1).map(([c]) => [c, 1] as [number, number])], '>=', hi[i] + p.w[i]);
  }
  b.setObjective('min', [[C, 1]]);
  const model = b.build();

  const x0 = new Float64Array(model.vars.length);
  for (let i = 0; i < n; i++) for (let t = Math.max(lo[i], inc.start[i]); t < hi[i]; t++) x0[Z(i, t)[0]] = 1;
  x0[C] = ub;

  const decode = (x: ArrayLike<number>): MakespanPlacement => {
    const start = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = hi[i];
      for (let t = lo[i]; t < hi[i]; t++) if (x[Z(i, t)[0]] > 0.5) s--;
      start[i] = s;
    }
    return assignProcessors(p, start);
  };
  // Presolve off: it is not interruptible and costs seconds on these models (README).
  return { kind: 'time-indexed', model, start: x0, cIndex: C, decode, presolve: false };
}

/**
 * Processors for given start times (no communication): sweep tasks by start, give each the
 * free processor that became free last (ties: smallest index) — a valid p-colouring when at
 * most p tasks overlap at any instant. Then re-timed by semiActive. O(n·P + n log n).
 */
function assignProcessors(p: ListProblem, start: Float64Array): MakespanPlacement {
  const { n, P } = p;
  const ids = Array.from({ length: n }, (_, i) => i).sort((a, b) => start[a] - start[b] || p.pos[a] - p.pos[b]);
  const free = new Float64Array(P);
  const proc = new Int32Array(n);
  for (const i of ids) {
    if (p.w[i] <= 0) continue; // markers: any processor (0)
    let q = -1;
    for (let r = 0; r < P; r++) if (free[r] <= start[i] && (q < 0 || free[r] > free[q])) q = r;
    if (q < 0) throw new Error('internal error: more tasks overlap than there are processors');
    proc[i] = q;
    if (p.w[i] > 0) free[q] = start[i] + p.w[i];
  }
  return semiActive(p, proc, start);
}
