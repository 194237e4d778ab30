/**
 * Shorter weight loops for a FIXED assignment and period (free loops): a local search over the
 * offsets that leaves the period and the processors — hence the crossing bytes — unchanged and
 * only lowers the staleness Σ d_l (the third objective).
 *
 * Representation: on each processor a cyclic order of its tasks packed back to back from a
 * phase φ_p (o_v = (φ_p + Σ of the cycles before v) mod P; legal whenever the load is ≤ P).
 * A state is scored by retiming (least iteration indices), loop compaction and the minimal d_l
 * (retiming.ts, lib/model/schedule/placement.ts): score = (Σ d_l, Σ over layers of the loop span), lexicographic.
 * Moves, first improvement, in sweeps over the processors:
 *  - phase: align one of the processor's tasks to the arrival time of an incoming transfer,
 *    or its end (plus the transfer) to the offset of a consumer on another processor;
 *  - order: move one task to another position of its processor's cyclic order.
 * Stops after a sweep without improvement or `maxEvals` evaluations. Each evaluation is
 * O(V + E) (a DAG: Bellman–Ford in topological order).
 */
import type { Machine, TaskGraph } from '../../lib/model/types';
import { transferCycles } from '../../lib/model/machine';
import { isLoopEdge } from '../../lib/model/graph/taskgraph';
import { edgeNeed, minimalStaleness, type PeriodicPlacement } from '../../lib/model/schedule/placement';
import { processorLoads } from './assignment-cost';
import { compactLoops, retimeOffsets } from './retiming';
import { maxOf } from '../../lib/model/extrema';

/**
 * Work of the offset searches of one plan, in evaluations × (tasks + edges), shared by the
 * candidates it improves: each gets `requested` evaluations (3000 by default) while
 * candidates × (tasks + edges) ≤ 2000 (every shipped network at layer granularity), fewer
 * above in proportion, at least 200 each, so a 50-layer graph with a dozen candidates stays
 * within seconds.
 */
export const OFFSET_WORK = 6_000_000;

/** Evaluations of the offset search per candidate on `g`, `candidates` of them in one plan. */
export function offsetEvalsFor(g: TaskGraph, requested: number, candidates = 1): number {
  return Math.min(requested, Math.max(200, Math.floor(OFFSET_WORK / ((g.tasks.length + g.edges.length) * Math.max(1, candidates)))));
}

interface Scored {
  placement: PeriodicPlacement;
  staleness: number[];
  key: [number, number];
}

function evaluate(g: TaskGraph, m: Machine, proc: readonly number[], offset: number[], P: number): Scored | null {
  const r = retimeOffsets(g, m, proc, offset, P, true);
  if (!r.ok) return null;
  const pl = compactLoops(g, m, { period: P, proc: [...proc], start: r.start }, true);
  const staleness = minimalStaleness(g, m, pl);
  const span = new Array<number>(g.layers).fill(0);
  for (const e of g.edges) {
    if (!isLoopEdge(e)) continue;
    span[e.loopLayer! - 1] = Math.max(span[e.loopLayer! - 1], edgeNeed(g, m, proc, pl.start, e));
  }
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  return { placement: pl, staleness, key: [sum(staleness), sum(span)] };
}

const better = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

/** Improve the loops of a legal free-loop placement; returns it unchanged if nothing helps. */
export function improveOffsets(g: TaskGraph, m: Machine, pl: PeriodicPlacement, maxEvals = 3000): { placement: PeriodicPlacement; staleness: number[] } {
  const P = pl.period;
  const N = m.procs;
  const proc = pl.proc;
  const start0 = evaluate(
    g,
    m,
    proc,
    pl.start.map((s) => ((s % P) + P) % P),
    P,
  );
  if (!start0) return { placement: pl, staleness: minimalStaleness(g, m, pl) };
  if (maxOf(processorLoads(g, proc, N)) > P) return { placement: start0.placement, staleness: start0.staleness };
  // Cyclic orders and phases from the given offsets.
  const off0 = pl.start.map((s) => ((s % P) + P) % P);
  const seq: number[][] = Array.from({ length: N }, () => []);
  g.tasks.forEach((_, v) => seq[proc[v]].push(v));
  const phase = new Array<number>(N).fill(0);
  for (let p = 0; p < N; p++) {
    seq[p].sort((a, b) => off0[a] - off0[b] || a - b);
    if (seq[p].length > 0) phase[p] = off0[seq[p][0]];
  }
  const offsets = (): number[] => {
    const o = new Array<number>(g.tasks.length).fill(0);
    for (let p = 0; p < N; p++) {
      let t = phase[p];
      for (const v of seq[p]) {
        o[v] = t % P;
        t += g.tasks[v].cycles;
      }
    }
    return o;
  };
  let evals = 0;
  let cur = evaluate(g, m, proc, offsets(), P);
  if (!cur) return { placement: start0.placement, staleness: start0.staleness };
  const inEdges: number[][] = g.tasks.map(() => []);
  const outEdges: number[][] = g.tasks.map(() => []);
  g.edges.forEach((e, k) => {
    if (isLoopEdge(e) || proc[e.from] === proc[e.to]) return;
    inEdges[e.to].push(k);
    outEdges[e.from].push(k);
  });
  let improved = true;
  while (improved && evals < maxEvals) {
    improved = false;
    for (let p = 0; p < N && evals < maxEvals; p++) {
      if (seq[p].length === 0) continue;
      // Phase moves.
      const o = offsets();
      const prefix = new Map<number, number>();
      let acc = 0;
      for (const v of seq[p]) {
        prefix.set(v, acc);
        acc += g.tasks[v].cycles;
      }
      const phases = new Set<number>();
      for (const v of seq[p]) {
        for (const k of inEdges[v]) {
          const e = g.edges[k];
          const a = o[e.from] + g.tasks[e.from].cycles + transferCycles(m, e.bytes, proc[e.from], p);
          phases.add((((a - prefix.get(v)!) % P) + P) % P);
        }
        for (const k of outEdges[v]) {
          const e = g.edges[k];
          const a = o[e.to] - transferCycles(m, e.bytes, p, proc[e.to]) - g.tasks[v].cycles;
          phases.add((((a - prefix.get(v)!) % P) + P) % P);
        }
      }
      const keep = phase[p];
      for (const ph of [...phases].sort((x, y) => x - y)) {
        if (ph === keep || evals >= maxEvals) continue;
        phase[p] = ph;
        const s = evaluate(g, m, proc, offsets(), P);
        evals++;
        if (s && better(s.key, cur.key)) {
          cur = s;
          improved = true;
          break;
        }
        phase[p] = keep;
      }
      // Order moves (the phase stays the start of position 0).
      const k = seq[p].length;
      outer: for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          if (i === j || evals >= maxEvals) continue;
          const before = seq[p].slice();
          const [v] = seq[p].splice(i, 1);
          seq[p].splice(j, 0, v);
          const s = evaluate(g, m, proc, offsets(), P);
          evals++;
          if (s && better(s.key, cur.key)) {
            cur = s;
            improved = true;
            break outer;
          }
          seq[p] = before;
        }
      }
    }
  }
  const best = better(cur.key, start0.key) ? cur : start0;
  return { placement: best.placement, staleness: best.staleness };
}
