/**
 * Non-dominated filtering (all objectives minimised). A point dominates another when it is no
 * worse on every axis and better on one. O(k²·a) for k points and a axes — the sweeps here give
 * at most a few dozen points.
 */

/** The axes a Pareto front can be taken over. */
export const PARETO_AXES = ['period', 'comm', 'staleness', 'memory'] as const;
export type ParetoAxis = (typeof PARETO_AXES)[number];

export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) better = true;
  }
  return better;
}

/**
 * Indices of the non-dominated points, in input order; of several points with equal objectives
 * the first is kept.
 */
export function nonDominated(objectives: readonly (readonly number[])[]): number[] {
  const keep: number[] = [];
  objectives.forEach((o, i) => {
    for (let j = 0; j < objectives.length; j++) {
      if (j === i) continue;
      if (dominates(objectives[j], o)) return;
      if (j < i && objectives[j].every((x, k) => x === o[k])) return;
    }
    keep.push(i);
  });
  return keep;
}
