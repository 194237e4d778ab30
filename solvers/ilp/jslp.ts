/**
 * javascript-lp-solver backend: pure JavaScript, a dense tableau with branch and bound. Per
 * deps.md §3–4 it is reliable only for LP relaxations of a few hundred columns and MIPs of
 * about 8 tasks: its time-out is checked only between B&B nodes (can overrun by seconds),
 * and after a time-out it may return fractional "solutions" or claim a feasible model is
 * infeasible. So:
 * * a result counts as a solution only when `feasible` and (for a MIP) `isIntegral === true`,
 *   and we re-check it against the model (maxViolation) before trusting it;
 * * when the wall time reached the limit, nothing is proven: an integral solution is
 *   'feasible', anything else 'timeout' — never 'infeasible';
 * * it has no MIP start and reports no dual bound (bound = −∞ unless proven optimal).
 *
 * Variables are non-negative in its model: other lower bounds and all finite upper bounds
 * become rows; negative lower bounds make the variable unrestricted.
 */
import solver from 'javascript-lp-solver';
import type { Model as JsModel, SolveResult } from 'javascript-lp-solver';
import { maxViolation, type MilpBackend, type MilpModel, type MilpResult, type MilpSolveOptions } from './model';

const OBJ = '__objective';

export function toJsLpModel(model: MilpModel, timeoutMs?: number): JsModel {
  const constraints: JsModel['constraints'] = {};
  const variables: JsModel['variables'] = {};
  const ints: Record<string, 1> = {};
  const binaries: Record<string, 1> = {};
  const unrestricted: Record<string, 1> = {};
  model.vars.forEach((v) => {
    variables[v.name] = {};
    if (v.type === 'binary' && v.lb === 0 && v.ub === 1) binaries[v.name] = 1;
    else {
      if (v.type !== 'continuous') ints[v.name] = 1;
      if (v.lb < 0) unrestricted[v.name] = 1;
      if (v.lb !== 0 && v.lb !== -Infinity) {
        constraints[`__lb_${v.name}`] = { min: v.lb };
        variables[v.name][`__lb_${v.name}`] = 1;
      }
      if (v.ub !== Infinity) {
        constraints[`__ub_${v.name}`] = { max: v.ub };
        variables[v.name][`__ub_${v.name}`] = 1;
      }
    }
  });
  for (let k = 0; k < model.objIdx.length; k++) {
    const name = model.vars[model.objIdx[k]].name;
    variables[name][OBJ] = (variables[name][OBJ] ?? 0) + model.objCoef[k];
  }
  for (const r of model.rows) {
    constraints[r.name] = r.sense === '<=' ? { max: r.rhs } : r.sense === '>=' ? { min: r.rhs } : { equal: r.rhs };
    for (let k = 0; k < r.idx.length; k++) variables[model.vars[r.idx[k]].name][r.name] = r.coef[k];
  }
  const out: JsModel = { name: model.name, optimize: OBJ, opType: model.sense, constraints, variables, ints, binaries, unrestricted };
  if (timeoutMs !== undefined) out.options = { timeout: timeoutMs };
  return out;
}

export const jslpBackend: MilpBackend = {
  name: 'jslp',
  async solve(model: MilpModel, opts: MilpSolveOptions): Promise<MilpResult> {
    const t0 = performance.now();
    const limitMs = Math.max(1, opts.timeLimitSeconds * 1000);
    const mip = model.vars.some((v) => v.type !== 'continuous');
    const minimize = model.sense === 'min';
    const r = solver.Solve(toJsLpModel(model, mip ? limitMs : undefined)) as SolveResult & Record<string, number | undefined>;
    const seconds = (performance.now() - t0) / 1000;
    const timedOut = seconds * 1000 >= limitMs;
    const unknownBound = minimize ? -Infinity : Infinity;
    let values: Float64Array | null = null;
    if (r.feasible && (!mip || r.isIntegral === true)) {
      // Zero-valued variables are left out of the result: read them as 0.
      values = Float64Array.from(model.vars, (v) => r[v.name] ?? 0);
      if (mip) for (let j = 0; j < values.length; j++) if (model.vars[j].type !== 'continuous') values[j] = Math.round(values[j]);
      if (maxViolation(model, values) > 1e-6) values = null;
    }
    if (values) {
      let obj = 0;
      for (let k = 0; k < model.objIdx.length; k++) obj += model.objCoef[k] * values[model.objIdx[k]];
      if (timedOut) return { status: 'feasible', objective: obj, values, bound: unknownBound, seconds };
      return { status: 'optimal', objective: obj, values, bound: obj, seconds };
    }
    if (timedOut || mip) {
      // After a time-out (or an unverifiable MIP answer) nothing is proven.
      if (!timedOut && r.feasible === false) {
        // A pure claim of infeasibility before the time limit: jsLPSolver has been seen to
        // report feasible models infeasible only after time-outs, so accept it here.
        return { status: 'infeasible', objective: null, values: null, bound: unknownBound, seconds };
      }
      return { status: 'timeout', objective: null, values: null, bound: unknownBound, seconds };
    }
    if (r.feasible === false) return { status: 'infeasible', objective: null, values: null, bound: unknownBound, seconds };
    return { status: 'error', objective: null, values: null, bound: unknownBound, seconds, message: 'javascript-lp-solver returned no usable solution' };
  },
};
