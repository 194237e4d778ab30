/**
 * A solver-neutral mixed-integer linear programme: variables with bounds and a type,
 * linear rows `a·x (<=|>=|=) rhs`, a linear objective. Formulations build one of these; each
 * backend (HiGHS, javascript-lp-solver) and the CPLEX-LP writer take it as is, so every
 * engine sees the same model.
 */

export type VarType = 'continuous' | 'integer' | 'binary';
export type RowSense = '<=' | '>=' | '=';

export interface MilpVar {
  /** LP-format-safe name (letters, digits, `_`; not starting with a digit or `e`/`E`). */
  name: string;
  lb: number;
  /** May be Infinity. */
  ub: number;
  type: VarType;
}

export interface MilpRow {
  name: string;
  /** Column indices (distinct) and coefficients. */
  idx: number[];
  coef: number[];
  sense: RowSense;
  rhs: number;
}

export interface MilpModel {
  name: string;
  sense: 'min' | 'max';
  /** Objective as (column, coefficient) pairs. */
  objIdx: number[];
  objCoef: number[];
  vars: MilpVar[];
  rows: MilpRow[];
}

/** Incremental builder; names must be unique (checked). */
export class ModelBuilder {
  private readonly vars: MilpVar[] = [];
  private readonly rows: MilpRow[] = [];
  private readonly names = new Set<string>();
  private objIdx: number[] = [];
  private objCoef: number[] = [];
  private sense: 'min' | 'max' = 'min';

  constructor(private readonly name: string) {}

  addVar(name: string, lb: number, ub: number, type: VarType = 'continuous'): number {
    if (this.names.has(name)) throw new Error(`model ${this.name}: duplicate variable ${name}`);
    if (!(lb <= ub)) throw new Error(`model ${this.name}: variable ${name} has lb ${lb} > ub ${ub}`);
    this.names.add(name);
    this.vars.push({ name, lb, ub, type });
    return this.vars.length - 1;
  }

  /** Add `Σ coef·x sense rhs`; zero coefficients are dropped, repeated columns merged. */
  addRow(name: string, terms: ReadonlyArray<readonly [number, number]>, sense: RowSense, rhs: number): number {
    const acc = new Map<number, number>();
    for (const [j, c] of terms) {
      if (j < 0 || j >= this.vars.length) throw new Error(`model ${this.name}: row ${name} uses unknown column ${j}`);
      acc.set(j, (acc.get(j) ?? 0) + c);
    }
    const idx: number[] = [];
    const coef: number[] = [];
    for (const [j, c] of [...acc.entries()].sort((a, b) => a[0] - b[0])) {
      if (c !== 0) {
        idx.push(j);
        coef.push(c);
      }
    }
    this.rows.push({ name, idx, coef, sense, rhs });
    return this.rows.length - 1;
  }

  setObjective(sense: 'min' | 'max', terms: ReadonlyArray<readonly [number, number]>): void {
    this.sense = sense;
    this.objIdx = terms.map((t) => t[0]);
    this.objCoef = terms.map((t) => t[1]);
  }

  get numVars(): number {
    return this.vars.length;
  }

  build(): MilpModel {
    return { name: this.name, sense: this.sense, objIdx: this.objIdx, objCoef: this.objCoef, vars: this.vars, rows: this.rows };
  }
}

/** Objective value of `x`. */
export function objectiveOf(model: MilpModel, x: ArrayLike<number>): number {
  let v = 0;
  for (let k = 0; k < model.objIdx.length; k++) v += model.objCoef[k] * x[model.objIdx[k]];
  return v;
}

/**
 * Largest violation of bounds, rows and integrality by `x` (0 = feasible). Used to check a
 * MIP start before handing it over and, in tests, every solution a backend returns.
 */
export function maxViolation(model: MilpModel, x: ArrayLike<number>): number {
  let worst = 0;
  model.vars.forEach((v, j) => {
    worst = Math.max(worst, v.lb - x[j], x[j] - v.ub);
    if (v.type !== 'continuous') worst = Math.max(worst, Math.abs(x[j] - Math.round(x[j])));
  });
  for (const r of model.rows) {
    let a = 0;
    for (let k = 0; k < r.idx.length; k++) a += r.coef[k] * x[r.idx[k]];
    if (r.sense !== '>=') worst = Math.max(worst, a - r.rhs);
    if (r.sense !== '<=') worst = Math.max(worst, r.rhs - a);
  }
  return worst;
}

export type MilpStatus = 'optimal' | 'feasible' | 'infeasible' | 'timeout' | 'error';

export interface MilpResult {
  /**
   * optimal: proven; feasible: a solution, not proven (time limit); timeout: no solution;
   * infeasible: proven infeasible; error: the engine failed (see message).
   */
  status: MilpStatus;
  objective: number | null;
  values: Float64Array | null;
  /** Best proven bound on the objective (−Infinity for min when unknown). */
  bound: number;
  seconds: number;
  nodes?: number;
  message?: string;
}

export interface MilpSolveOptions {
  /** Seconds for this solve (> 0). */
  timeLimitSeconds: number;
  /** A feasible point to start from (full column vector). */
  start?: ArrayLike<number>;
  /**
   * Stop when incumbent − bound < absGap (minimisation). For models whose objective is
   * integral at every integer point, any value < 1 proves optimality one step earlier.
   */
  absGap?: number;
  /**
   * Presolve (default: on for models up to 20,000 rows). HiGHS's presolve cannot be
   * interrupted and took several seconds on large time-indexed models, overrunning limits.
   */
  presolve?: boolean;
  /** Receives the engine's log lines (HiGHS only), for diagnosis. */
  onLog?: (line: string) => void;
}

export interface MilpBackend {
  name: string;
  solve(model: MilpModel, opts: MilpSolveOptions): Promise<MilpResult>;
}
