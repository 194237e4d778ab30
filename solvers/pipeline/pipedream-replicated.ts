/**
 * PipeDream with stage replication (Narayanan et al., SOSP'19): PipeDream's planner with
 * `replicate` (a stage may run on r processors, data parallel inside the stage, an all-reduce
 * before the update), realised as B/r samples per replica (`replicatedStageGraph`), scheduled
 * 1F1B like the straight pipeline (pipedream.ts) with each replica's update placed after the
 * all-reduce transfers.
 */
import { stagesOnAssignment } from '../../lib/model/durations';
import type { Machine, TaskGraph } from '../../lib/model/types';
import { adjacency, withStaleness } from '../../lib/model/graph/taskgraph';
import { transferCycles } from '../../lib/model/machine';
import { linkPeriodBound } from '../../lib/model/metrics/communication';
import { buildTrainingGraph } from '../../lib/model/graph/training';
import { lowerBounds } from '../../lib/model/bounds';
import { layerRanges, trainingRecipe, type GraphRecipe, type LayerRange } from '../../lib/model/graph/recipe';
import { defineMethod } from './method';
import { planPipeDream, ringAllReduceCycles } from './partition';
import { onSlowest } from '../../lib/model/durations';
import { cutLinkCycles, layerProfile, replicatedStageGraph, type ReplicatedStageGraph } from '../../lib/model/graph/stages';
import { minimalStaleness, periodicSchedule } from '../../lib/model/schedule/placement';
import { earliestStartAvoiding } from '../periodic/circle-slots';
import type { TimedStageSchedule } from './gpipe';
import { pipedream } from './pipedream';

function readyTime(g: TaskGraph, m: Machine, proc: readonly number[], start: readonly number[], v: number): number {
  const adj = adjacency(g);
  let r = 0;
  for (let k = adj.inStart[v]; k < adj.inStart[v + 1]; k++) {
    const e = g.edges[adj.inEdges[k]];
    if (e.delay !== 0) continue;
    if (start[e.from] < 0) throw new Error(`replicated schedule: ${g.tasks[e.from].id} not placed before ${g.tasks[v].id} (bug)`);
    r = Math.max(r, start[e.from] + g.tasks[e.from].cycles + transferCycles(m, e.bytes, proc[e.from], proc[v]));
  }
  return r;
}

/**
 * 1F1B placement of a replicated stage graph at period P, or null when some update finds no
 * free gap: F as soon as its inputs allow (stage order); then from the last stage down, each
 * replica's B at the earliest time whose B + U block avoids its F modulo P; then each U after its
 * B and the all-reduce transfers from the other replicas, avoiding F and B modulo P.
 */
function placeReplicated(rg: ReplicatedStageGraph, m: Machine, P: number): number[] | null {
  const g = rg.graph;
  const start = new Array<number>(g.tasks.length).fill(-1);
  const len = (v: number) => g.tasks[v].cycles;
  const S = rg.stages.length;
  for (let s = 0; s < S; s++) for (const f of rg.F[s]) start[f] = readyTime(g, m, rg.proc, start, f);
  for (let s = S - 1; s >= 0; s--) {
    rg.B[s].forEach((b, q) => {
      const f = rg.F[s][q];
      const t = earliestStartAvoiding(readyTime(g, m, rg.proc, start, b), len(b) + len(rg.U[s][q]), [[start[f], len(f)]], P);
      start[b] = t ?? -1;
    });
    if (rg.B[s].some((b) => start[b] < 0)) return null;
    for (let q = 0; q < rg.U[s].length; q++) {
      const u = rg.U[s][q];
      const f = rg.F[s][q];
      const b = rg.B[s][q];
      const t = earliestStartAvoiding(readyTime(g, m, rg.proc, start, u), len(u), [[start[f], len(f)], [start[b], len(b)]], P);
      if (t === null) return null;
      start[u] = t;
    }
  }
  return start;
}

/**
 * The replicated pipeline's schedule: P from max(max over processors of F + B + U, link bound
 * of the assignment — the between-stage sample slices and the all-reduce edges) upwards (by
 * 1 cycle or 0.1 %, whichever is larger) until every update finds a free gap; staleness read
 * off the schedule per layer (the maximum over the replicas).
 */
export function replicatedSchedule(rg0: ReplicatedStageGraph, m: Machine, procs: number): TimedStageSchedule {
  const rg = stagesOnAssignment(rg0, m); // durations of each replica on its processor
  const g = rg.graph;
  let P = Math.max(1, linkPeriodBound(g, m, rg.proc));
  rg.F.forEach((fs, s) => fs.forEach((f, q) => (P = Math.max(P, g.tasks[f].cycles + g.tasks[rg.B[s][q]].cycles + g.tasks[rg.U[s][q]].cycles))));
  for (let tries = 0; tries < 10_000; tries++) {
    const start = placeReplicated(rg, m, P);
    if (start) {
      const staleness = minimalStaleness(g, m, { period: P, proc: rg.proc, start });
      const schedule = periodicSchedule(g, { period: P, proc: rg.proc, start }, { procs, method: 'pipedream-replicated', staleness });
      return { schedule, period: P, staleness };
    }
    P += Math.max(1, Math.ceil(P / 1000));
  }
  throw new Error(`replicatedSchedule: no period found for ${g.name} (bug)`);
}

export interface ReplicatedDetails {
  /** 1-based layer range and replica count of every stage. */
  stages: LayerRange[];
  replicas: number[];
  plannerValue: number;
  /** The straight PipeDream pipeline's period on the same cell. */
  straightPeriod: number;
  processorsUsed: number;
}

export const pipedreamReplicated = defineMethod({
  name: 'pipedream-replicated',
  title: 'PipeDream+repl.',
  description: 'PipeDream 1F1B with the planner’s stage replication (data parallel inside a stage, all-reduce before the update)',
  kind: 'baseline',
  options: {},
  async run(ctx) {
    const t0 = performance.now();
    const L = ctx.net.weightLayers.length;
    const Bt = ctx.net.spec.batch;
    const zero = new Array<number>(L).fill(0);
    const layerGraph = buildTrainingGraph(ctx.net, ctx.hw, { variant: 'pipedream', granularity: 'layer', staleness: zero });
    // Replicas of a stage may sit on processors of different speeds: planned at the slowest
    // (per-processor durations are then used when the replicas are timed).
    const prof = layerProfile(onSlowest(layerGraph));
    const weightBytes = ctx.net.weightLayers.map((w) => w.params * ctx.hw.bytesPerValue);
    const partition = planPipeDream(
      {
        compute: prof.compute,
        transfer: cutLinkCycles(layerGraph, ctx.machine),
        weightBytes,
        allReduce: ringAllReduceCycles(ctx.machine.bandwidth, ctx.machine.latency),
        replicasAllowed: (r) => Bt % r === 0,
      },
      ctx.procs,
      { replicate: true },
    );
    const stageW = partition.stages.map((s) => weightBytes.slice(s.first, s.last + 1).reduce((a, x) => a + x, 0));
    const base = trainingRecipe('spikepipe', 'layer', Bt, 'spec');
    const recipe: GraphRecipe = { ...base, contraction: { kind: 'replicated', stages: layerRanges(partition.stages), replicas: partition.stages.map((s) => s.replicas) } };
    const rg = replicatedStageGraph(
      (b) => buildTrainingGraph(ctx.net, ctx.hw, { ...base, batch: b, staleness: zero }),
      partition.stages,
      Bt,
      stageW,
    );
    const t = replicatedSchedule(rg, ctx.machine, ctx.procs);
    const graph = withStaleness(rg.graph, t.staleness);
    t.schedule.graph = graph.name;
    const used = partition.stages.reduce((a, s) => a + s.replicas, 0);
    const notes: string[] = [];
    if (used < ctx.procs) notes.push(`replica counts must divide the batch ${Bt}: ${used} of ${ctx.procs} processors used`);
    if (partition.stages.every((s) => s.replicas === 1)) notes.push('the planner chose no replication (same stages as the straight pipeline, U as its own task)');
    const straight = (await ctx.use(pipedream)).period;
    if (straight < t.period) {
      notes.push(
        `the straight pipeline is faster (period ${straight}): the planner's (compute + all-reduce)/r assumes each replica ` +
          `takes whole minibatches in turn; realised as B/r samples per replica, the arrays run emptier`,
      );
    }
    const details: ReplicatedDetails = {
      stages: layerRanges(partition.stages),
      replicas: partition.stages.map((s) => s.replicas),
      plannerValue: partition.value,
      straightPeriod: straight,
      processorsUsed: used,
    };
    return {
      method: 'pipedream-replicated',
      graph,
      recipe,
      schedule: t.schedule,
      period: t.period,
      staleness: t.staleness,
      status: 'feasible',
      bound: lowerBounds(graph, ctx.machine, 'periodic').bound,
      boundScope: 'graph',
      details,
      notes,
      solverSeconds: (performance.now() - t0) / 1000,
    };
  },
});
