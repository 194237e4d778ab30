// Today's synchronous pipelines as per-rank action lists (solvers/pipeline/actions.ts) on a chunk
// graph (lib/model/graph/chunks.ts), checked with unit costs against the papers' bubble formulas.
import { describe, expect, it } from 'vitest';
import { validate } from '../lib/model/schedule/validate';
import { simulate } from '../lib/model/schedule/simulate';
import { actionSchedule, bubbleFraction, formatAction, parseAction } from '../solvers/pipeline/actions';
import { oneFOneBOrders } from '../solvers/pipeline/1f1b';
import { unitChunks } from './stage-graph-helpers';

export { unitChunks };

describe('actions', () => {
  it("torch's grammar: {stage}{F|I|W|B}{microbatch} round-trips; anything else is one clear line", () => {
    for (const t of ['0F0', '3I12', '10W2', '2B0']) expect(formatAction(parseAction(t, 'x'))).toBe(t);
    expect(() => parseAction('0X1', 'file.csv: row 2, column 3')).toThrow(/^file\.csv: row 2, column 3: not an action "0X1"/);
  });
});

describe('1F1B with a flush, unit costs', () => {
  for (const [S, m] of [
    [2, 4],
    [4, 8],
    [4, 4],
    [3, 1],
  ] as const) {
    it(`S = ${S}, m = ${m}: period (m + S − 1)·(F + B + W), bubble (S − 1)/(m + S − 1); valid and simulated`, () => {
      const { cg, rankOf, machine } = unitChunks(S, m, false);
      const t = actionSchedule(cg, machine, S, rankOf, oneFOneBOrders({ ranks: S, v: 1, micro: m }), '1f1b');
      expect(t.period).toBe((m + S - 1) * 6);
      expect(bubbleFraction(cg, t.period)).toBeCloseTo((S - 1) / (m + S - 1), 12);
      expect(validate(cg.graph, machine, t.schedule).violations).toEqual([]);
      const sim = simulate(cg.graph, machine, t.schedule, { iterations: 8 });
      expect([sim.ok, sim.measuredPeriod]).toEqual([true, t.period]);
    });
  }
});
