/**
 * `spikepipe export-schedule <schedule.json> --format torch-csv`: a synchronous schedule (a schedule
 * file whose build recipe is a `chunks` contraction: 1f1b, sync-optimal, `import-schedule --out`)
 * as torch's compute-only schedule CSV.
 *
 * Each rank's actions are read off the schedule's start times (rank = processor; F_c^j → `cFj`,
 * B_c^j → `cIj` on a split graph, `cBj` on a whole-backward one, W_c^j → `cWj`; the updates U_c
 * have no torch action — the optimizer step follows the schedule — and are left out). A split
 * graph's I and W stay two actions even when adjacent: torch's `_merge_bw` lowering pass would make
 * them one B, but a CSV without I/W is read back as a whole-backward graph, a different one.
 *
 * Steps: torch lays a schedule out on a grid of unit steps shared by all ranks (pytorch
 * torch/distributed/pipelining/schedules.py: every `_get_pipeline_order` pads with None "to
 * account for the delay in warmup"; `PipelineScheduleMulti._step_microbatches` posts a rank's
 * receive in the step its neighbour sends, so an action can use what another rank made in an
 * earlier step only). The export uses that convention: every action takes one step, at the first
 * step after its rank's previous action and after every action on another rank it needs
 * (`_simulate_comms_compute` places actions the same way), and a rank's cell is empty in a step
 * where it waits. Our start times are in cycles, not steps: the grid keeps the order and the
 * dependencies, not the durations. Rows are not padded at the end (torch's are not either).
 */
import type { Machine, Schedule } from '../../model/types';
import { fail } from '../../model/errors';
import { loadScheduleFile, placement, type ScheduleBuild } from '../../model/schedule/schedule';
import { validate } from '../../model/schedule/validate';
import { loadNetwork } from '../../model/spec/network';
import { loadHardware, machineFromHardware } from '../../model/spec/hardware';
import type { HardwareSpec, ResolvedNetwork } from '../../model/spec/types';
import { buildTrainingGraph } from '../../model/graph/training';
import { checkRecipe } from '../../model/graph/recipe';
import { chunkStageGraph, type ChunkGraph } from '../../model/graph/chunks';
import { formatAction, ordersOfStarts, type Action } from '../../../solvers/pipeline/actions';
import { formatCsv } from './csv';
import { maxOf } from '../../model/extrema';

/** The chunk graph a `chunks` build recipe describes (as lib/model/graph/recipe.ts `buildGraph` builds it). */
export function chunkGraphOfBuild(build: ScheduleBuild, net: ResolvedNetwork, hw: HardwareSpec): ChunkGraph {
  const c = build.contraction;
  if (c?.kind !== 'chunks') throw new Error('chunkGraphOfBuild: not a chunks recipe (bug)');
  const L = net.weightLayers.length;
  const micro = buildTrainingGraph(net, hw, { variant: build.variant, granularity: build.granularity, batch: build.batch, dataflow: build.dataflow, staleness: new Array<number>(L).fill(0) });
  const stages = c.stages.map(([a, b]) => ({ first: a - 1, last: b - 1, replicas: 1 }));
  return chunkStageGraph(micro, stages, c.microBatches, stages.map(() => 0), c.splitW);
}

/** Task index of an action's task (B on a split graph: its input-gradient part). */
function taskOf(cg: ChunkGraph, a: Action): number {
  if (a.kind === 'F') return cg.F[a.stage][a.micro];
  if (a.kind === 'W') return cg.W[a.stage][a.micro];
  return cg.B[a.stage][a.micro];
}

/**
 * torch's unit-step grid of per-rank action lists (see the module comment): cells[rank][step].
 * The lists must be runnable (no rank waits on a later action). O(V + E).
 */
export function torchGrid(cg: ChunkGraph, orders: readonly (readonly Action[])[]): string[][] {
  const g = cg.graph;
  const actionAt = new Map<number, { rank: number; i: number }>();
  orders.forEach((list, rank) => list.forEach((a, i) => actionAt.set(taskOf(cg, a), { rank, i })));
  // A B on a split graph stands for both its tasks: its W's inputs are its own.
  orders.forEach((list, rank) => list.forEach((a, i) => a.kind === 'B' && cg.splitW && actionAt.set(cg.W[a.stage][a.micro], { rank, i })));
  const needs: { rank: number; i: number }[][][] = orders.map((list) => list.map(() => []));
  for (const e of g.edges) {
    const u = actionAt.get(e.from);
    const v = actionAt.get(e.to);
    if (e.delay === 0 && u && v && (u.rank !== v.rank || u.i !== v.i)) needs[v.rank][v.i].push(u);
  }
  const step: number[][] = orders.map((list) => list.map(() => -1));
  const next = orders.map(() => 0);
  for (let progress = true; progress; ) {
    progress = false;
    orders.forEach((list, r) => {
      while (next[r] < list.length && needs[r][next[r]].every((u) => step[u.rank][u.i] >= 0)) {
        const i = next[r];
        step[r][i] = maxOf(needs[r][i].map((u) => step[u.rank][u.i] + 1), i > 0 ? step[r][i - 1] + 1 : 0);
        next[r]++;
        progress = true;
      }
    });
  }
  if (next.some((k, r) => k < orders[r].length)) throw new Error('torchGrid: the lists wait on each other (bug: they came from a valid schedule)');
  return orders.map((list, r) => {
    const cells = new Array<string>(list.length > 0 ? step[r][list.length - 1] + 1 : 0).fill('');
    list.forEach((a, i) => (cells[step[r][i]] = formatAction(a)));
    return cells;
  });
}

export interface TorchExport {
  csv: string;
  /** Each rank's actions. */
  orders: Action[][];
  cg: ChunkGraph;
  machine: Machine;
  schedule: Schedule;
}

/** Read a chunk-graph schedule file and lay it out as torch's CSV (library form of the command). */
export function exportTorch(file: string, o: { hw?: string } = {}): TorchExport {
  const { schedule: s, build } = loadScheduleFile(file);
  const kind = build?.contraction?.kind;
  if (!build || kind !== 'chunks') {
    fail(file, `not a chunk-graph schedule: its build recipe has ${!build ? 'no build recipe' : kind ? `a ${kind} contraction` : 'no contraction'} (export-schedule takes the synchronous methods' schedules, e.g. \`spikepipe schedule <network> --method 1f1b --out f\`)`);
  }
  if (s.kind !== 'periodic') fail(file, 'not a periodic schedule');
  const net = loadNetwork(build.network);
  const hw = loadHardware(o.hw ?? build.hardware);
  checkRecipe(build, net, `${file}: /build`);
  const cg = chunkGraphOfBuild(build, net, hw);
  const machine = machineFromHardware(hw, s.procs);
  const r = validate(cg.graph, machine, s);
  if (!r.valid) fail(file, `not a valid schedule of its graph (${r.violations.length} violations, first: ${r.violations[0].message}); see \`spikepipe validate\``);
  const { proc, start } = placement(cg.graph, s);
  cg.chunks.forEach((_, c) => {
    const tasks = [...cg.F[c], ...cg.B[c], ...cg.W[c], cg.U[c]];
    const on = [...new Set(tasks.map((v) => proc[v]))].sort((a, b) => a - b);
    if (on.length > 1) fail(file, `stage ${c} runs on processors ${on.join(' and ')}: torch runs a stage on one rank`);
  });
  const orders = ordersOfStarts(cg, proc, start, s.procs);
  return { csv: formatCsv(torchGrid(cg, orders)), orders, cg, machine, schedule: s };
}

/** The CSV text only. */
export function exportTorchCsv(file: string, o: { hw?: string } = {}): string {
  return exportTorch(file, o).csv;
}
