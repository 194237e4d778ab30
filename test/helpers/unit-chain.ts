/**
 * Unit-cost chunk graphs for the synchronous pipeline schedules (solvers/pipeline/actions.ts):
 * C one-layer chunks, chunk c on rank c mod S, F = I = W = 1 unit = 2 cycles (I = Ba1 + Ba2; a
 * whole backward 2 units), no transfers, so one chunk-step F + B + W is 6 cycles.
 */
import { expect } from 'vitest';
import type { Machine } from '../../lib/model/types';
import { chunkStageGraph } from '../../lib/model/graph/chunks';
import { validate } from '../../lib/model/schedule/validate';
import { simulate } from '../../lib/model/schedule/simulate';
import { actionSchedule, bubbleFraction, type Action } from '../../solvers/pipeline/actions';
import { spikepipeGraph, type LayerCost } from '../stage-graph-helpers';

export function unitChain(C: number, S: number, m: number, splitW: boolean) {
  const costs: LayerCost[] = Array.from({ length: C }, (_, l) => ({ F: 2, Ba1: l === 0 ? 2 : 1, Ba2: 1, Bw: 2, U: 0 }));
  const g = spikepipeGraph(costs, { spikes: 0, grad: 0, local: 0 });
  const chunks = Array.from({ length: C }, (_, c) => ({ first: c, last: c, replicas: 1 }));
  const rankOf = chunks.map((_, c) => c % S);
  const machine: Machine = { procs: S, bandwidth: 1, latency: 0 };
  return { cg: chunkStageGraph(g, chunks, m, rankOf, splitW), rankOf, machine };
}

/** Time the orders on the unit chain; expect them valid and simulated at the period claimed. */
export function runUnitChain(C: number, S: number, m: number, splitW: boolean, orders: readonly (readonly Action[])[]) {
  const { cg, rankOf, machine } = unitChain(C, S, m, splitW);
  const t = actionSchedule(cg, machine, S, rankOf, orders, 'test');
  expect(validate(cg.graph, machine, t.schedule).violations).toEqual([]);
  const sim = simulate(cg.graph, machine, t.schedule, { iterations: 8 });
  expect([sim.ok, sim.measuredPeriod]).toEqual([true, t.period]);
  return { period: t.period, bubble: bubbleFraction(cg, t.period) };
}
