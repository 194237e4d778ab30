/**
 * The no-pipelining baseline: every task of the SpikePipe layer graph on one processor, back to
 * back in topological order, plain SGD (d_l = 0). Period = Σ cycles (no communication: one
 * processor). The other N − 1 processors idle.
 */
import type { Machine, Schedule, TaskGraph } from '../../lib/model/types';
import { isHeterogeneous, taskCycles } from '../../lib/model/durations';
import { requireTopoOrder, totalWork } from '../../lib/model/graph/taskgraph';
import { periodicSchedule } from '../../lib/model/schedule/placement';
import { buildTrainingGraph } from '../../lib/model/graph/training';
import { lowerBounds } from '../../lib/model/bounds';
import { trainingRecipe } from '../../lib/model/graph/recipe';
import { defineMethod } from './method';

/**
 * Back-to-back schedule of `g` on processor 0 — on a heterogeneous machine `m`, on the processor
 * where the tasks' durations add up to the least (first such); period = that sum. O(V + E).
 */
export function sequentialSchedule(g: TaskGraph, procs: number, m?: Machine): Schedule {
  let q = 0;
  if (m && isHeterogeneous(g)) {
    const sumOn = (p: number) => g.tasks.reduce((a, t) => a + taskCycles(t, p, m), 0);
    for (let p = 1; p < procs; p++) if (sumOn(p) < sumOn(q)) q = p;
  }
  const start = new Array<number>(g.tasks.length).fill(0);
  let t = 0;
  for (const v of requireTopoOrder(g)) {
    start[v] = t;
    t += m ? taskCycles(g.tasks[v], q, m) : g.tasks[v].cycles;
  }
  const proc = new Array<number>(g.tasks.length).fill(q);
  return periodicSchedule(g, { period: Math.max(1, m ? t : totalWork(g)), proc, start }, { procs, method: 'sequential', staleness: new Array<number>(g.layers).fill(0) });
}

export const sequential = defineMethod({
  name: 'sequential',
  title: 'Sequential',
  description: 'one processor, all tasks back to back, no staleness (period = total work)',
  kind: 'baseline',
  options: {},
  async run(ctx) {
    const t0 = performance.now();
    const L = ctx.net.weightLayers.length;
    const recipe = trainingRecipe('spikepipe', 'layer', ctx.net.spec.batch, 'spec');
    const graph = buildTrainingGraph(ctx.net, ctx.hw, { ...recipe, staleness: new Array<number>(L).fill(0) });
    const schedule = sequentialSchedule(graph, ctx.procs, ctx.machine);
    const notes = ctx.procs > 1 ? [`uses 1 of ${ctx.procs} processors`] : [];
    return {
      method: 'sequential',
      graph,
      recipe,
      schedule,
      period: schedule.period!,
      staleness: schedule.staleness!,
      status: 'optimal',
      bound: lowerBounds(graph, { ...ctx.machine, procs: 1 }, 'periodic').bound,
      // On one processor: not a bound for the graph on N processors.
      boundScope: 'method',
      details: { processorsUsed: 1 },
      notes,
      solverSeconds: (performance.now() - t0) / 1000,
    };
  },
});
