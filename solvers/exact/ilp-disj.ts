/** The disjunctive big-M MIP alone, with communication delays. */
import { exactSolver } from '../ilp/exact';

export const ilpDisjunctiveSolver = exactSolver('ilp-disj', 'exact: disjunctive big-M MIP (F2) on HiGHS, with communication delays', { method: 'disjunctive' });
