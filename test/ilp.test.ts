import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Machine, TaskGraph } from '../lib/model/types';
import { validate } from '../lib/model/schedule/validate';
import { lowerBounds } from '../lib/model/bounds';
import { commCycles, zeroCommMachine } from '../lib/model/machine';
import { InputError } from '../lib/model/errors';
import { loadStg } from '../lib/model/io/stg';
import { listProblem, type ListProblem } from '../solvers/list/core';
import type { MakespanPlacement } from '../lib/model/schedule/placement';
import { branchAndBound } from '../solvers/ilp/bnb';
import { disjunctiveModel, semiActive, timeIndexedModel, type Formulation } from '../solvers/ilp/makespan';
import { highsBackend, loadHighs } from '../solvers/ilp/highs';
import { jslpBackend } from '../solvers/ilp/jslp';
import { writeLp } from '../solvers/ilp/lp-format';
import { ModelBuilder, maxViolation, type MilpModel } from '../solvers/ilp/model';
import { bestListPlacement, solveExact } from '../solvers/ilp/exact';
import { getSolver } from '../solvers/registry';
import { randomLayeredDag, smallDag } from './helpers/random-dag';

const STG = path.resolve(__dirname, '../networks/stg');

/**
 * Exact makespan by enumeration: append ready tasks one at a time to a processor, each at its
 * earliest start there (max of data-ready time and the processor's last finish), over every
 * order and every processor (empty processors are interchangeable, so only the first empty
 * one is tried), pruning partial schedules already as long as the best.
 *
 * Why exact: shifting every task of an optimal schedule as far left as its predecessors (with
 * communication) and its processor's previous task allow gives a "semi-active" schedule that
 * is no longer. Appending its tasks in order of start time (ties by index) reproduces it: when
 * a task is appended, its predecessors and every earlier task on its processor are already
 * placed, and its semi-active start is exactly max(data-ready, processor finish). The
 * enumeration covers every order, so it meets that schedule.
 */
function bruteForce(g: TaskGraph, m: Machine): number {
  const n = g.tasks.length;
  const P = m.procs;
  const w = g.tasks.map((t) => t.cycles);
  const preds: [number, number][][] = Array.from({ length: n }, () => []);
  for (const e of g.edges) preds[e.to].push([e.from, commCycles(m, e.bytes)]);
  const done = new Array<boolean>(n).fill(false);
  const proc = new Array<number>(n).fill(-1);
  const fin = new Array<number>(n).fill(0);
  const pf = new Array<number>(P).fill(0);
  const cnt = new Array<number>(P).fill(0);
  let best = Infinity;
  const dfs = (k: number, cur: number) => {
    if (cur >= best) return;
    if (k === n) {
      best = cur;
      return;
    }
    for (let t = 0; t < n; t++) {
      if (done[t] || preds[t].some(([u]) => !done[u])) continue;
      let emptyTried = false;
      for (let q = 0; q < P; q++) {
        if (cnt[q] === 0) {
          if (emptyTried) continue;
          emptyTried = true;
        }
        let s = pf[q];
        for (const [u, c] of preds[t]) s = Math.max(s, fin[u] + (proc[u] === q ? 0 : c));
        const oldPf = pf[q];
        done[t] = true;
        proc[t] = q;
        fin[t] = s + w[t];
        pf[q] = fin[t];
        cnt[q]++;
        dfs(k + 1, Math.max(cur, fin[t]));
        cnt[q]--;
        pf[q] = oldPf;
        done[t] = false;
        proc[t] = -1;
      }
    }
  };
  dfs(0, 0);
  return best;
}

/** Everything on processor 0 in topological order: a poor but valid incumbent. */
function serial(p: ListProblem): MakespanPlacement {
  return semiActive(p, new Int32Array(p.n), Float64Array.from(p.pos));
}

const dagArb = (minN: number, maxN: number, maxBytes: number) =>
  fc.integer({ min: minN, max: maxN }).chain((n) => {
    const pairs = (n * (n - 1)) / 2;
    return fc.record({
      costs: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }),
      adj: fc.array(fc.boolean(), { minLength: pairs, maxLength: pairs }),
      bytes: fc.array(fc.integer({ min: 0, max: maxBytes }), { minLength: pairs, maxLength: pairs }),
      procs: fc.integer({ min: 1, max: 3 }),
    });
  });
const commMachine = (procs: number): Machine => ({ procs, bandwidth: 8, latency: 2 });

async function solveFormulation(f: Formulation, g: TaskGraph, m: Machine, p: ListProblem): Promise<number> {
  expect(maxViolation(f.model, f.start)).toBeLessThanOrEqual(1e-9); // the MIP start is feasible
  const r = await highsBackend.solve(f.model, { timeLimitSeconds: 30, start: f.start, absGap: 0.999 });
  expect(r.status).toBe('optimal');
  const pl = f.decode(r.values!);
  const s = {
    kind: 'makespan' as const,
    procs: m.procs,
    makespan: pl.makespan,
    tasks: g.tasks.map((t, i) => ({ id: t.id, processor: pl.proc[i], start: pl.start[i] })),
  };
  const v = validate(g, m, s);
  if (!v.valid) throw new Error(v.violations[0].message);
  expect(pl.makespan).toBeLessThanOrEqual(Math.round(r.objective!));
  expect(Math.round(r.objective!)).toBe(pl.makespan);
  void p;
  return pl.makespan;
}

describe('brute force itself', () => {
  it('matches hand-computed optima', () => {
    // fork-join 2 | 3,3,3 | 1 on 2 procs: 9; independent 5,4,3,2 on 2 procs: 7 (5+2, 4+3).
    const fj = smallDag([2, 3, 3, 3, 1], [true, true, true, false, false, false, true, false, true, true]);
    expect(bruteForce(fj, zeroCommMachine(2))).toBe(9);
    expect(bruteForce(smallDag([5, 4, 3, 2], []), zeroCommMachine(2))).toBe(7);
    // a chain with costly transfers stays on one processor: 1+1+1 = 3
    const chain = smallDag([1, 1, 1], [true, false, true], [100, 0, 100]);
    expect(bruteForce(chain, commMachine(3))).toBe(3);
  });
});

describe('exact solvers equal brute force on random DAGs (no communication, ≤ 7 tasks, 1–3 processors)', () => {
  it('time-indexed and disjunctive MIPs from a serial incumbent, and the branch and bound', async () => {
    await loadHighs();
    await fc.assert(
      fc.asyncProperty(dagArb(1, 7, 0), async ({ costs, adj, procs }) => {
        const g = smallDag(costs, adj);
        const m = zeroCommMachine(procs);
        const opt = bruteForce(g, m);
        const p = listProblem(g, m);
        const lb = lowerBounds(g, m, 'makespan').bound;
        const inc = serial(p);
        expect(await solveFormulation(timeIndexedModel({ p, lb, incumbent: inc }), g, m, p)).toBe(opt);
        expect(await solveFormulation(timeIndexedModel({ p, lb, incumbent: inc }, { precedence: 'weak' }), g, m, p)).toBe(opt);
        expect(await solveFormulation(disjunctiveModel({ p, lb, incumbent: inc }), g, m, p)).toBe(opt);
        const b = branchAndBound(p, { incumbent: inc, lowerBound: lb, deadline: performance.now() + 30_000 });
        expect(b.proven).toBe(true);
        expect(b.best.makespan).toBe(opt);
        expect(b.bound).toBe(opt);
      }),
      { numRuns: 40, seed: 17 },
    );
  });

  it('the registered exact solvers (ilp, bnb, ilp-ti, ilp-disj) prove the brute-force optimum', async () => {
    await fc.assert(
      fc.asyncProperty(dagArb(1, 7, 0), async ({ costs, adj, procs }) => {
        const g = smallDag(costs, adj);
        const m = zeroCommMachine(procs);
        const opt = bruteForce(g, m);
        for (const name of ['ilp', 'bnb', 'ilp-ti', 'ilp-disj']) {
          const r = await getSolver(name).solve(g, m, { timeLimitSeconds: 30 });
          expect(r.status, name).toBe('optimal');
          expect(r.value, name).toBe(opt);
          expect(r.bound, name).toBe(opt);
          expect(r.gap, name).toBe(0);
        }
      }),
      { numRuns: 25, seed: 23 },
    );
  });

  it('the branch and bound alone, on up to 8 tasks', () => {
    fc.assert(
      fc.property(dagArb(6, 8, 0), ({ costs, adj, procs }) => {
        const g = smallDag(costs, adj);
        const m = zeroCommMachine(procs);
        const p = listProblem(g, m);
        const b = branchAndBound(p, { incumbent: serial(p), lowerBound: 0, deadline: performance.now() + 30_000 });
        expect(b.best.makespan).toBe(bruteForce(g, m));
      }),
      { numRuns: 400, seed: 29 },
    );
  });
});

describe('with communication delays (≤ 6 tasks, 1–3 processors)', () => {
  it('the disjunctive MIP, the branch and bound and ilp equal brute force', async () => {
    await fc.assert(
      fc.asyncProperty(dagArb(1, 6, 40), async ({ costs, adj, bytes, procs }) => {
        const g = smallDag(costs, adj, bytes);
        const m = commMachine(procs);
        const opt = bruteForce(g, m);
        const p = listProblem(g, m);
        const lb = lowerBounds(g, m, 'makespan').bound;
        expect(await solveFormulation(disjunctiveModel({ p, lb, incumbent: serial(p) }), g, m, p)).toBe(opt);
        const b = branchAndBound(p, { incumbent: serial(p), lowerBound: lb, deadline: performance.now() + 30_000 });
        expect(b.best.makespan).toBe(opt);
        const r = await getSolver('ilp').solve(g, m, { timeLimitSeconds: 30 });
        expect(r.status).toBe('optimal');
        expect(r.value).toBe(opt);
      }),
      { numRuns: 40, seed: 31 },
    );
  });
});

describe('javascript-lp-solver backend', () => {
  it('solves tiny disjunctive MIPs to the brute-force optimum (≤ 5 tasks, 2 processors)', async () => {
    await fc.assert(
      fc.asyncProperty(dagArb(1, 5, 0), async ({ costs, adj }) => {
        const g = smallDag(costs, adj);
        const m = zeroCommMachine(2);
        const p = listProblem(g, m);
        const f = disjunctiveModel({ p, lb: lowerBounds(g, m, 'makespan').bound, incumbent: serial(p) });
        const r = await jslpBackend.solve(f.model, { timeLimitSeconds: 20 });
        expect(r.status).toBe('optimal');
        expect(f.decode(r.values!).makespan).toBe(bruteForce(g, m));
      }),
      { numRuns: 25, seed: 37 },
    );
  });

  it('gives the same LP relaxation values as HiGHS (disjunctive, 6–10 tasks)', async () => {
    // jsLPSolver's dense tableau is very slow on degenerate LPs (a 400-column time-indexed
    // relaxation took 49 s here, deps.md §4 saw worse): keep the models small.
    for (const [tasks, seed] of [
      [6, 1],
      [8, 2],
      [10, 3],
    ]) {
      const g = randomLayeredDag({ tasks, seed, maxCycles: 9 });
      const m = zeroCommMachine(2);
      const p = listProblem(g, m);
      const f = disjunctiveModel({ p, lb: lowerBounds(g, m, 'makespan').bound, incumbent: serial(p) });
      const relaxed: MilpModel = { ...f.model, vars: f.model.vars.map((v) => ({ ...v, type: 'continuous' as const })) };
      const a = await highsBackend.solve(relaxed, { timeLimitSeconds: 30 });
      const b = await jslpBackend.solve(relaxed, { timeLimitSeconds: 30 });
      expect(a.status).toBe('optimal');
      expect(b.status).toBe('optimal');
      expect(b.objective!).toBeCloseTo(a.objective!, 6);
    }
  });

  it('ilp-jslp declines models beyond its size and keeps the list schedule', async () => {
    const g = loadStg(path.join(STG, '50', 'rand0001.stg'));
    const r = await getSolver('ilp-jslp').solve(g, zeroCommMachine(4), { timeLimitSeconds: 5 });
    expect(r.value!).toBeGreaterThanOrEqual(94); // the optimum; the list schedules give 95
    expect(r.status).toBe('feasible'); // the bound 89 proves nothing
    expect(r.notes!.join(' ')).toMatch(/too large for javascript-lp-solver/);
  });

  it('treats a time-out as unproven, never as infeasible', async () => {
    // 12 tasks on 2 processors: jsLPSolver finds no integral solution for a long time (deps.md §4).
    const g = randomLayeredDag({ tasks: 12, seed: 5, maxCycles: 20 });
    const m = zeroCommMachine(2);
    const p = listProblem(g, m);
    const f = disjunctiveModel({ p, lb: lowerBounds(g, m, 'makespan').bound, incumbent: serial(p) });
    const r = await jslpBackend.solve(f.model, { timeLimitSeconds: 0.05 });
    expect(['timeout', 'feasible']).toContain(r.status);
    expect(r.bound).toBe(-Infinity);
    if (r.status === 'feasible') expect(maxViolation(f.model, r.values!)).toBeLessThanOrEqual(1e-6);
  });
});

describe('CPLEX LP writer', () => {
  it('writes the expected text for a small model', () => {
    const b = new ModelBuilder('tiny');
    const x = b.addVar('x', 0, 4, 'integer');
    const y = b.addVar('y', 0, 1, 'binary');
    const z = b.addVar('z', -Infinity, Infinity, 'continuous');
    b.addRow('r1', [[x, 2], [y, -1], [z, 1]], '>=', 1);
    b.addRow('r2', [[x, 1], [z, -1.5]], '<=', 3);
    b.addRow('r3', [[y, 1], [x, 1]], '=', 2);
    b.setObjective('min', [[x, 1], [z, -1]]);
    expect(writeLp(b.build())).toBe(
      [
        '\\ tiny',
        '\\ 3 variables, 3 constraints (written by spikepipe)',
        'Minimize',
        ' obj: x - z',
        'Subject To',
        ' r1: 2 x - y + z >= 1',
        ' r2: x - 1.5 z <= 3',
        ' r3: x + y = 2',
        'Bounds',
        ' 0 <= x <= 4',
        ' z free',
        'General',
        ' x',
        'Binary',
        ' y',
        'End',
        '',
      ].join('\n'),
    );
  });

  it('HiGHS reading the LP text finds the same optimum as the model passed as arrays', async () => {
    const highs = await loadHighs();
    for (const [k, procs] of [
      [9, 4],
      [21, 4],
    ]) {
      const g = loadStg(path.join(STG, '50', `rand${String(k).padStart(4, '0')}.stg`));
      const m = zeroCommMachine(procs);
      const p = listProblem(g, m);
      const lb = lowerBounds(g, m, 'makespan').bound;
      const inc = bestListPlacement(p, 100).pl;
      for (const f of [timeIndexedModel({ p, lb, incumbent: inc }), disjunctiveModel({ p, lb, incumbent: inc })]) {
        const relaxed: MilpModel = { ...f.model, vars: f.model.vars.map((v) => ({ ...v, type: 'continuous' as const })) };
        const text = writeLp(relaxed);
        const fromText = highs.solve(text, { output_flag: false });
        const fromArrays = await highsBackend.solve(relaxed, { timeLimitSeconds: 60 });
        expect(fromText.Status).toBe('Optimal');
        expect(fromText.ObjectiveValue).toBeCloseTo(fromArrays.objective!, 6);
        expect(Object.keys(fromText.Columns).length).toBe(f.model.vars.length);
      }
    }
  });
});

describe('the exact solver on STG cases', () => {
  const stg = (k: number) => loadStg(path.join(STG, '50', `rand${String(k).padStart(4, '0')}.stg`));

  it('proves the published optima of rand0001 (94 > bound 89), rand0021 (74), rand0026 (128) at p = 4', async () => {
    for (const [k, opt] of [
      [1, 94],
      [21, 74],
      [26, 128],
    ]) {
      const r = await solveExact(stg(k), zeroCommMachine(4), { timeLimitSeconds: 20 });
      expect(r.status, `rand${k}`).toBe('optimal');
      expect(r.value, `rand${k}`).toBe(opt);
      expect(r.bound).toBe(opt);
    }
  });

  it('closes the open case rand0009 p = 4 (published 132…134) at 134', async () => {
    const r = await solveExact(stg(9), zeroCommMachine(4), { timeLimitSeconds: 60 });
    expect(r.status).toBe('optimal');
    expect(r.value).toBe(134);
  });

  it('stops at once when the list schedule meets the lower bound', async () => {
    const r = await solveExact(stg(0), zeroCommMachine(4), { timeLimitSeconds: 60 });
    expect(r.status).toBe('optimal');
    expect(r.value).toBe(66);
    expect(r.notes!.join(' ')).toMatch(/meets the lower bound 66/);
  });

  it('a time-out with no incumbent returns no schedule, status timeout and the bound', async () => {
    await loadHighs();
    const g = loadStg(path.join(STG, 'app', 'robot.stg'));
    const r = await solveExact(g, zeroCommMachine(4), { timeLimitSeconds: 0.05, warm: false, method: 'disjunctive' });
    expect(r.status).toBe('timeout');
    expect(r.schedule).toBeNull();
    expect(r.value).toBeNull();
    expect(r.gap).toBeNull();
    expect(r.bound).toBeGreaterThanOrEqual(621); // ⌈2483 / 4⌉
    expect(r.notes!.join(' ')).toMatch(/no schedule found/);
  });

  it('reports feasible (not optimal) with the proven bound when time runs out with a schedule', async () => {
    // robot p=4: the trivial bound 621 is far below the optimum region (best known 674).
    const g = loadStg(path.join(STG, 'app', 'robot.stg'));
    const r = await solveExact(g, zeroCommMachine(4), { timeLimitSeconds: 1 });
    expect(r.status).toBe('feasible');
    expect(r.value!).toBeGreaterThan(r.bound);
    expect(r.bound).toBeGreaterThanOrEqual(621);
    expect(r.gap).toBeCloseTo((r.value! - r.bound) / r.bound, 12);
    expect(validate(g, zeroCommMachine(4), r.schedule!).valid).toBe(true);
  });

  it('rejects a time limit ≤ 0', async () => {
    const g = stg(0);
    await expect(solveExact(g, zeroCommMachine(2), { timeLimitSeconds: 0 })).rejects.toThrow(InputError);
    await expect(solveExact(g, zeroCommMachine(2), { timeLimitSeconds: -1 })).rejects.toThrow('--time-limit: must be a number of seconds > 0, got -1');
  });
});
