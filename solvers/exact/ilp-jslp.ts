/** The disjunctive MIP on the pure-JS backend (cross-check of HiGHS on tiny graphs). */
import { exactSolver } from '../ilp/exact';

export const ilpJslpSolver = exactSolver('ilp-jslp', 'exact: disjunctive MIP on javascript-lp-solver (tiny graphs only)', { method: 'disjunctive', backend: 'jslp' });
