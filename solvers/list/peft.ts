/**
 * PEFT — Predict Earliest Finish Time (Arabnejad & Barbosa, IEEE TPDS 25(3), 2014).
 * Optimistic Cost Table, computed from the exit tasks backwards:
 * OCT(t, q) = max_{s ∈ succ(t)} min_{q'} [OCT(s, q') + w(s, q') + c̄(t, s)·[q' ≠ q]],
 * with c̄ the transfer cost (0 with one processor). Priority rank_oct(t) = mean_q OCT(t, q)
 * (ready list); processor = argmin_q EFT(t, q) + OCT(t, q), with insertion.
 *
 * The inner minimum is min(OCT(s, q) + w(s, q), min_q' [OCT(s, q') + w(s, q')] + c̄) (staying
 * on q costs no transfer; the best processor q' ≠ q pays c̄, and if the overall best is q
 * itself the first term already is that minimum): O(e·P) for the table. w(s, q) is the
 * duration on q (per-processor on heterogeneous machines); on identical processors OCT comes
 * out equal on every processor.
 *
 * O(e·P + (n + e) log n + n·P·log n). Ties: see core.ts.
 */
import type { Machine, Schedule, TaskGraph } from '../../lib/model/types';
import type { Timelines } from './timeline';
import { listProblem, listSolver, readyListSchedule, toSchedule, withRestarts, type ListOptions, type ListProblem } from './core';

/** OCT as an n×P row-major table. */
export function optimisticCostTable(p: ListProblem): Float64Array {
  const { n, P, adj } = p;
  const oct = new Float64Array(n * P);
  const minOw = new Float64Array(n); // min over q' of OCT(t, q') + w(t, q')
  for (let k = n - 1; k >= 0; k--) {
    const t = p.order[k];
    for (let q = 0; q < P; q++) {
      let worst = 0;
      for (let j = adj.outStart[t]; j < adj.outStart[t + 1]; j++) {
        const e = adj.outEdges[j];
        const s = p.to[e];
        const stay = oct[s * P + q] + p.wq[s * P + q];
        const move = minOw[s] + p.cbar[e];
        const v = stay < move ? stay : move;
        if (v > worst) worst = v;
      }
      oct[t * P + q] = worst;
    }
    let mn = Infinity;
    for (let q = 0; q < P; q++) if (oct[t * P + q] + p.wq[t * P + q] < mn) mn = oct[t * P + q] + p.wq[t * P + q];
    minOw[t] = P > 0 ? mn : 0;
  }
  return oct;
}

export function peft(g: TaskGraph, m: Machine, opts: ListOptions = {}): Schedule {
  const p = listProblem(g, m);
  const { P } = p;
  const oct = optimisticCostTable(p);
  const rank = new Float64Array(p.n);
  for (let t = 0; t < p.n; t++) {
    let s = 0;
    for (let q = 0; q < P; q++) s += oct[t * P + q];
    rank[t] = s / P;
  }
  const pick = (t: number, drt: Float64Array, tl: Timelines) => {
    let bestQ = 0;
    let best = Infinity;
    for (let q = 0; q < P; q++) {
      const d = p.wq[t * P + q];
      const v = tl.earliestStart(q, drt[q], d) + d + oct[t * P + q];
      if (v < best) {
        best = v;
        bestQ = q;
      }
    }
    return bestQ;
  };
  const pl = withRestarts(p, rank, opts, (prio) => readyListSchedule(p, prio, true, pick));
  return toSchedule(g, m, pl, 'peft');
}

export const peftSolver = listSolver('peft', 'PEFT: optimistic cost table priority, processor by earliest finish + OCT, insertion', peft);
