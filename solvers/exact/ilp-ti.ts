/** The time-indexed MIP alone (no communication delays). */
import { exactSolver } from '../ilp/exact';

export const ilpTimeIndexedSolver = exactSolver('ilp-ti', 'exact: time-indexed MIP on HiGHS (no communication)', { method: 'time-indexed' });
