/**
 * The one interface every scheduling algorithm implements (one file per algorithm, as in
 * SAGA), and the facts each returns beside its schedule.
 */
import type { Cycles, Machine, Schedule, TaskGraph } from '../lib/model/types';
import type { OptionSpecs } from './options';

export type SolverStatus = 'optimal' | 'feasible' | 'timeout' | 'infeasible';

export interface SolverOptions {
  /** Wall-clock limit for exact solvers, seconds (> 0). */
  timeLimitSeconds?: number;
  /** Seed for randomized restarts / tie-breaks. */
  seed?: number;
  /** Number of randomized-priority restarts for list schedulers (0 = deterministic only). */
  restarts?: number;
  /** An incumbent to warm-start from (exact solvers). */
  warmStart?: Schedule;
  /** Solver-specific extras. */
  [key: string]: unknown;
}

export interface SolverResult {
  solver: string;
  status: SolverStatus;
  /** The validated schedule, or null when none was found (e.g. a MIP time-out with no incumbent). */
  schedule: Schedule | null;
  /** Makespan or period of `schedule` (null if none). */
  value: Cycles | null;
  /** Best proven lower bound on the optimum value. */
  bound: Cycles;
  /** (value − bound) / bound, or null without a schedule. */
  gap: number | null;
  /** Wall time spent, seconds. Not part of any deterministic output. */
  seconds: number;
  notes?: string[];
}

/** list: a fast heuristic; exact: honours a time limit and reports a proven bound. */
export type SolverKind = 'list' | 'exact';

export interface Solver {
  name: string;
  /** `makespan`: acyclic one-shot schedule; `periodic`: pipelined schedule with a period. */
  objective: 'makespan' | 'periodic';
  kind: SolverKind;
  description: string;
  /** The options it reads, with their defaults (documentation and `--help`). */
  options: OptionSpecs;
  solve(g: TaskGraph, m: Machine, opts?: SolverOptions): Promise<SolverResult>;
}
