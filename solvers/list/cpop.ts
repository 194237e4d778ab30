/**
 * CPOP — Critical Path On a Processor (Topcuoglu, Hariri & Wu 2002). Priority
 * rank_u + rank_d. The critical path is walked from the entry task of highest priority |CP|
 * along successors whose priority equals |CP| (smallest index on ties); all its tasks go to
 * the one processor minimising the sum of their durations on it (smallest index on ties — on
 * identical processors processor 0). Ranks use mean costs (core.ts). Other tasks go to the processor of earliest
 * finish; every placement may use idle gaps (insertion).
 *
 * O((n + e) log n + n·P·log n). Ties: see core.ts.
 */
import type { Machine, Schedule, TaskGraph } from '../../lib/model/types';
import { downwardRanks, earliestPicker, listProblem, listSolver, readyListSchedule, toSchedule, upwardRanks, withRestarts, type ListOptions, type ListProblem } from './core';

/** Membership of the critical path defined by the priorities rank_u + rank_d. */
export function cpopCriticalPath(p: ListProblem, prio: Float64Array): Uint8Array {
  const onCp = new Uint8Array(p.n);
  if (p.n === 0) return onCp;
  let cp = -Infinity;
  let v = -1;
  for (let i = 0; i < p.n; i++) {
    if (p.adj.inStart[i + 1] > p.adj.inStart[i]) continue; // entry tasks only
    if (prio[i] > cp) {
      cp = prio[i];
      v = i;
    }
  }
  // Integer costs make priorities exact; the tolerance only guards rounding in sums.
  const eq = (x: number) => Math.abs(x - cp) <= 1e-9 * Math.max(1, Math.abs(cp));
  while (v >= 0) {
    onCp[v] = 1;
    let next = -1;
    for (let j = p.adj.outStart[v]; j < p.adj.outStart[v + 1]; j++) {
      const s = p.to[p.adj.outEdges[j]];
      if (eq(prio[s]) && (next < 0 || s < next)) next = s;
    }
    v = next;
  }
  return onCp;
}

export function cpop(g: TaskGraph, m: Machine, opts: ListOptions = {}): Schedule {
  const p = listProblem(g, m);
  const ru = upwardRanks(p);
  const rd = downwardRanks(p);
  const prio = new Float64Array(p.n);
  for (let i = 0; i < p.n; i++) prio[i] = ru[i] + rd[i];
  const onCp = cpopCriticalPath(p, prio);
  let cpProc = 0;
  let cpCost = Infinity;
  for (let q = 0; q < p.P; q++) {
    let c = 0;
    for (let t = 0; t < p.n; t++) if (onCp[t]) c += p.wq[t * p.P + q];
    if (c < cpCost) {
      cpCost = c;
      cpProc = q;
    }
  }
  const eft = earliestPicker(p);
  const pick = (t: number, drt: Float64Array, tl: import('./timeline').Timelines) => (onCp[t] ? cpProc : eft(t, drt, tl));
  const pl = withRestarts(p, prio, opts, (pr) => readyListSchedule(p, pr, true, pick));
  return toSchedule(g, m, pl, 'cpop');
}

export const cpopSolver = listSolver('cpop', 'CPOP: rank_u + rank_d priority, critical path on one processor, others by earliest finish', cpop);
