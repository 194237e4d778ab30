/** The default exact solver: the portfolio of solveExact (solvers/ilp/README.md). */
import { exactSolver } from '../ilp/exact';

export const ilpSolver = exactSolver(
  'ilp',
  'exact: list-schedule warm start + lower bounds, then branch and bound and a time-indexed MIP (HiGHS); disjunctive MIP with communication',
  { method: 'auto' },
);
