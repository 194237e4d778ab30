import { describe, expect, it } from 'vitest';
import type { Machine, TaskGraph } from '../lib/model/types';
import { withStaleness } from '../lib/model/graph/taskgraph';
import { linkPeriodBound } from '../lib/model/metrics';
import { minimalStaleness } from '../lib/model/schedule/placement';
import { mulberry32 } from '../solvers/list/random';
import { processorLoads } from '../solvers/periodic/assignment-cost';
import { retimeOffsets } from '../solvers/periodic/retiming';
import { moduloSchedule } from '../solvers/periodic/modulo';
import { placeAssignment } from '../solvers/periodic/place-assignment';
import { periodIlp, periodModel } from '../solvers/periodic/period-ilp';
import { graph, valid } from './periodic-helpers';

describe('period MILP', () => {
  /** Random tiny graph: a chain-ish DAG plus one loop edge with 1–2 delays; cycles 1–4. */
  const tiny = (seed: number, n: number, withLoop: boolean): TaskGraph => {
    const r = mulberry32(seed);
    const tasks: [string, number][] = Array.from({ length: n }, (_, i) => [`t${i}`, 1 + Math.floor(r() * 4)]);
    const edges: [string, string, number, number?, number?][] = [];
    for (let i = 1; i < n; i++) {
      const from = Math.floor(r() * i);
      edges.push([`t${from}`, `t${i}`, 0, Math.floor(r() * 3)]);
    }
    if (withLoop) edges.push([`t${n - 1}`, 't0', 1 + Math.floor(r() * 2), 0, 1]);
    return graph(`tiny${seed}`, tasks, edges, 1);
  };
  const mc: Machine = { procs: 2, bandwidth: 1, latency: 1 };

  /** Brute force: smallest P with some assignment and wrap-allowed offsets that retime legally. */
  const feasibleAt = (g: TaskGraph, m: Machine, P: number): boolean => {
    const n = g.tasks.length;
    if (g.tasks.some((t) => t.cycles > P)) return false;
    const proc = new Array<number>(n).fill(0);
    const off = new Array<number>(n).fill(0);
    const arcsOk = () => {
      for (let u = 0; u < n; u++) {
        for (let v = u + 1; v < n; v++) {
          if (proc[u] !== proc[v]) continue;
          const d = (((off[v] - off[u]) % P) + P) % P;
          if (d < g.tasks[u].cycles || P - d < g.tasks[v].cycles) return false;
        }
      }
      return true;
    };
    const recOff = (i: number): boolean => {
      if (i === n) return arcsOk() && retimeOffsets(g, m, proc, off, P, false).ok;
      for (let o = 0; o < P; o++) {
        off[i] = o;
        if (recOff(i + 1)) return true;
      }
      return false;
    };
    const recProc = (i: number): boolean => {
      if (i === n) return linkPeriodBound(g, m, proc) <= P && recOff(1); // offsets are relative: fix task 0 at 0
      for (let p = 0; p < m.procs; p++) {
        if (i === 0 && p > 0) break;
        proc[i] = p;
        if (recProc(i + 1)) return true;
      }
      return false;
    };
    return recProc(0);
  };

  it('free loops: agrees with brute-force packing on tiny graphs', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const free = tiny(seed, 6, true);
      const inc = placeAssignment(free, mc, free.tasks.map(() => 0), true);
      expect(inc.ok).toBe(true);
      if (!inc.ok) return;
      const res = await periodIlp(free, mc, { freeLoops: true, lowerBound: 1, incumbent: inc.placed.placement, timeLimitSeconds: 10 });
      // brute force over assignments: the min of max(max-load, busiest link) (links: the
      // model change; with ≤ 2 bytes per edge on 1 B/cycle links they rarely bind here)
      let best = Infinity;
      for (let mask = 0; mask < 1 << 6; mask++) {
        const proc = free.tasks.map((_, v) => (mask >> v) & 1);
        best = Math.min(best, Math.max(...processorLoads(free, proc, 2), linkPeriodBound(free, mc, proc)));
      }
      expect(res.status).toBe('optimal');
      expect(res.placement.period).toBe(best);
      expect(res.bound).toBe(best);
      const d = minimalStaleness(free, mc, res.placement);
      expect(valid(withStaleness(free, d), mc, res.placement, d).valid).toBe(true);
    }
  });

  it('fixed delays: the optimum agrees with brute force (P* feasible, P* − 1 not)', async () => {
    for (const seed of [3, 8]) {
      const g = tiny(seed, 4, true);
      const heur = moduloSchedule(g, mc, { freeLoops: false });
      expect(heur.placement).not.toBeNull();
      const res = await periodIlp(g, mc, { freeLoops: false, lowerBound: 1, incumbent: heur.placement!, timeLimitSeconds: 20 });
      expect(res.status).toBe('optimal');
      const P = res.placement.period;
      expect(valid(g, mc, res.placement).valid).toBe(true);
      expect(res.bound).toBe(P);
      expect(feasibleAt(g, mc, P)).toBe(true);
      expect(feasibleAt(g, mc, P - 1)).toBe(false);
    }
  });

  it('a MIP start built from an assignment satisfies the model', () => {
    const g = tiny(2, 6, true);
    const pm = periodModel(g, mc, 20, true, 'bytes');
    const start = pm.start([1, 0, 1, 0, 1, 0]);
    expect(start).not.toBeNull();
    let ok = true;
    for (const row of pm.model.rows) {
      let a = 0;
      row.idx.forEach((j, k) => (a += row.coef[k] * start![j]));
      if (row.sense === '<=' && a > row.rhs + 1e-9) ok = false;
      if (row.sense === '>=' && a < row.rhs - 1e-9) ok = false;
      if (row.sense === '=' && Math.abs(a - row.rhs) > 1e-9) ok = false;
    }
    expect(ok).toBe(true);
  });
});
