/**
 * HiGHS backend (npm `highs`: HiGHS compiled to WebAssembly, single-threaded). The runtime is
 * loaded once per process (60–130 ms) and reused. The model is passed as arrays (CSR rows,
 * column bounds, integrality, names) through the persistent API — no LP text to parse — and
 * a MIP start goes in with setSolution. The solve is synchronous (it blocks the event loop).
 *
 * What we read back (deps.md §3): the model status; the primal values only when a primal
 * solution exists; `mip_dual_bound` as the proven bound. The time limit is HiGHS's own
 * `time_limit`; the caller subtracts what model building already used.
 */
import type { Highs } from 'highs';
import type { MilpBackend, MilpModel, MilpResult, MilpSolveOptions } from './model';

let runtime: Promise<Highs> | null = null;

/** The shared HiGHS runtime (loaded on first use). */
export function loadHighs(): Promise<Highs> {
  if (!runtime) {
    runtime = import('highs').then((mod) => {
      const load = (mod as unknown as { default: (o?: object) => Promise<Highs> }).default;
      return load();
    });
  }
  return runtime;
}

export const highsBackend: MilpBackend = {
  name: 'highs',
  async solve(model: MilpModel, opts: MilpSolveOptions): Promise<MilpResult> {
    const highs = await loadHighs();
    const t0 = performance.now();
    const n = model.vars.length;
    const colCost = new Float64Array(n);
    for (let k = 0; k < model.objIdx.length; k++) colCost[model.objIdx[k]] += model.objCoef[k];
    const colLower = new Float64Array(n);
    const colUpper = new Float64Array(n);
    const integrality = new Int32Array(n);
    model.vars.forEach((v, j) => {
      colLower[j] = v.lb === -Infinity ? -highs.infinity : v.lb;
      colUpper[j] = v.ub === Infinity ? highs.infinity : v.ub;
      integrality[j] = v.type === 'continuous' ? 0 : 1;
    });
    const m = model.rows.length;
    const rowLower = new Float64Array(m);
    const rowUpper = new Float64Array(m);
    let nnz = 0;
    for (const r of model.rows) nnz += r.idx.length;
    const starts = new Int32Array(m + 1);
    const indices = new Int32Array(nnz);
    const values = new Float64Array(nnz);
    let k = 0;
    model.rows.forEach((r, i) => {
      rowLower[i] = r.sense === '<=' ? -highs.infinity : r.rhs;
      rowUpper[i] = r.sense === '>=' ? highs.infinity : r.rhs;
      starts[i] = k;
      for (let q = 0; q < r.idx.length; q++, k++) {
        indices[k] = r.idx[q];
        values[k] = r.coef[q];
      }
    });
    starts[m] = k;
    const minimize = model.sense === 'min';
    const mip = model.vars.some((v) => v.type !== 'continuous');

    return highs.withModel((hm) => {
      hm.options.set({
        output_flag: false,
        time_limit: Math.max(0.01, opts.timeLimitSeconds),
        mip_rel_gap: 0,
        ...(opts.absGap !== undefined ? { mip_abs_gap: opts.absGap } : {}),
        presolve: (opts.presolve ?? model.rows.length <= 20_000) ? 'choose' : 'off',
      });
      hm.passModel({
        numCols: n,
        numRows: m,
        sense: minimize ? highs.constants.objectiveSense.minimize : highs.constants.objectiveSense.maximize,
        colCost,
        colLower,
        colUpper,
        rowLower,
        rowUpper,
        matrix: { format: 'csr', numRows: m, numCols: n, starts, indices, values },
        integrality,
      });
      if (opts.start) hm.setSolution({ colValue: Float64Array.from(opts.start) });
      // HiGHS checks its own time_limit too rarely inside long (degenerate) LP solves — runs
      // overshot a 10 s limit by up to 6 s — so a wall-clock check in the interrupt callbacks
      // (every simplex/IPM iteration batch and MIP checkpoint) enforces the deadline.
      const deadline = t0 + opts.timeLimitSeconds * 1000;
      const stop = (ev: { interrupt(): void }) => {
        if (performance.now() > deadline) ev.interrupt();
        return undefined;
      };
      const C = highs.constants.callbackType;
      let runStatus: number;
      try {
        runStatus = hm.run({ [C.simplexInterrupt]: stop, [C.ipmInterrupt]: stop, [C.mipInterrupt]: stop }).modelStatus;
      } catch (err) {
        return {
          status: 'error',
          objective: null,
          values: null,
          bound: minimize ? -Infinity : Infinity,
          seconds: (performance.now() - t0) / 1000,
          message: err instanceof Error ? err.message : String(err),
        } satisfies MilpResult;
      }
      const S = highs.constants.modelStatus;
      const primalOk = Number(hm.info.get('primal_solution_status')) === highs.constants.solutionStatus.feasible;
      const obj = primalOk ? hm.getObjectiveValue() : NaN;
      const have = primalOk && Number.isFinite(obj);
      const x = have ? Float64Array.from(hm.getSolution().colValue) : null;
      let bound = minimize ? -Infinity : Infinity;
      if (mip) {
        const b = Number(hm.info.get('mip_dual_bound'));
        if (Number.isFinite(b)) bound = b;
      } else if (runStatus === S.optimal && have) bound = obj;
      let nodes: number | undefined;
      if (mip) nodes = Number(hm.info.get('mip_node_count'));
      let status: MilpResult['status'];
      if (runStatus === S.optimal) {
        status = have ? 'optimal' : 'error';
        if (have) bound = minimize ? Math.max(bound, obj - (opts.absGap ?? 0)) : bound;
        if (have && !mip) bound = obj;
      } else if (runStatus === S.infeasible) status = 'infeasible';
      else if (runStatus === S.timeLimit || runStatus === S.interrupted || runStatus === S.iterationLimit || runStatus === S.solutionLimit) {
        status = have ? 'feasible' : 'timeout';
      } else status = have ? 'feasible' : 'error';
      return {
        status,
        objective: have ? obj : null,
        values: x,
        bound,
        seconds: (performance.now() - t0) / 1000,
        nodes,
        message: status === 'error' ? `HiGHS model status ${runStatus}` : undefined,
      } satisfies MilpResult;
    });
  },
};
