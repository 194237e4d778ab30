/** Depth-first branch and bound alone (Kasahara and Narita's DF/IHS; solvers/ilp/bnb.ts). */
import { exactSolver } from '../ilp/exact';

export const bnbSolver = exactSolver('bnb', 'exact: depth-first branch and bound (DF/IHS-style) from the best list schedule', { method: 'bnb' });
