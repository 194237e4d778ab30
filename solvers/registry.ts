/**
 * Makespan solvers by name (one file per algorithm, as in SAGA). The CLI's `--solvers` list
 * and the benchmark resolve names here; an unknown name is an InputError listing the known ones.
 */
import { fail } from '../lib/model/errors';
import type { Solver } from './solver';
import { hlfetSolver } from './list/hlfet';
import { etfSolver } from './list/etf';
import { heftSolver } from './list/heft';
import { cpopSolver } from './list/cpop';
import { peftSolver } from './list/peft';
import { bnbSolver, ilpDisjunctiveSolver, ilpJslpSolver, ilpSolver, ilpTimeIndexedSolver } from './ilp/exact';

export const makespanSolvers: readonly Solver[] = [
  hlfetSolver,
  etfSolver,
  heftSolver,
  cpopSolver,
  peftSolver,
  ilpSolver,
  bnbSolver,
  ilpTimeIndexedSolver,
  ilpDisjunctiveSolver,
  ilpJslpSolver,
];

/** The list schedulers (fast heuristics). */
export const LIST_SOLVERS = ['hlfet', 'etf', 'heft', 'cpop', 'peft'] as const;
/** The exact solvers (honour a time limit, report a proven bound). */
export const EXACT_SOLVERS = ['ilp', 'bnb', 'ilp-ti', 'ilp-disj', 'ilp-jslp'] as const;

export function makespanSolverNames(): string[] {
  return makespanSolvers.map((s) => s.name);
}

export function makespanSolver(name: string, where = '--solvers'): Solver {
  const s = makespanSolvers.find((x) => x.name === name);
  if (!s) fail(where, `unknown solver "${name}" (known: ${makespanSolverNames().join(', ')})`);
  return s;
}

export function isExactSolver(name: string): boolean {
  return (EXACT_SOLVERS as readonly string[]).includes(name);
}
