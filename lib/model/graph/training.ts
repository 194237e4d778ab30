/**
 * Training as a task graph (README, The model): one iteration = one minibatch, tasks costed by the
 * systolic-array model (lib/model/cost), edges carrying bytes, weight loops carrying delay 1 + d_l.
 *
 * SpikePipe variant, layer granularity (L weight layers):
 *   tasks  F_l, Ba1_l, Ba2_l (l ≥ 2), Bw_l, U_l, Loss           → 5L tasks
 *   edges  F_{l−1}→F_l (spikes), F_L→Loss (logits), Loss→Ba1_L (∂L/∂logits),
 *          F_l→Ba1_l (state), Ba2_{l+1}→Ba1_l (grad), Ba1_l→Ba2_l (δI), Ba1_l→Bw_l (δI),
 *          F_{l−1}→Bw_l (input spikes), Bw_l→U_l (ΔW), and the loops U_l→F_l, U_l→Ba2_l
 *          (weights, delay 1 + d_l, loopLayer l).
 * Residual and branching networks (spec/infer.ts): "l−1" and "l+1" above stand for each input j
 * of l and each reader c of l: F_j→F_l and F_j→Bw_l per GEMM input j, Ba2_c→Ba1_l per reader
 * (Ba1_c→Ba1_l, carrying δI, when l joins c's current through a membrane add; no Ba2_l→ or
 * F_j→Bw_l edge for it). A layer reading only the network input has no Ba2. A chain gives
 * exactly the graph above.
 * PipeDream variant: F_l, B_l (= Ba1+Ba2+Bw+U, costs summed), Loss; edges F_{l−1}→F_l,
 *   F_L→Loss→B_L, F_l→B_l (state plus the stashed input spikes Bw needs: PipeDream keeps a
 *   stage's input on its own processor, so there is no F_{l−1}→B_l edge), B_{l+1}→B_l
 *   (grad), loop B_l→F_l (weights, delay 1 + d_l).
 * Timestep granularity splits F, Ba1 (and Ba2) into F_l@t, Ba1_l@t, Ba2_l@t, t = 1..T, each
 * costed for one timestep, with the recurrences F_l@t−1→F_l@t and Ba1_l@t+1→Ba1_l@t
 * (one timestep of membrane state / error). Cross-layer edges connect equal t. The readout
 * is accumulated along the recurrence, so only F_L@T→Loss and Loss→Ba1_L@T (or →B_L) exist.
 * Bw_l and U_l (and PipeDream's B_l) stay whole-layer tasks; every F_l@t (and Ba2_l@t)
 * gets its own weight loop edge.
 *
 * Tasks are emitted in a topological order of the zero-delay subgraph: forward layers 1..L,
 * Loss, then backward from layer L down to 1. O(L·T) tasks and edges.
 */
import type { Edge, EdgeData, Task, TaskGraph, TaskKind } from '../types';
import type { HardwareSpec, ResolvedNetwork } from '../spec/types';
import { fail } from '../errors';
import { combinedBackwardCost, effectiveBatch, hasBa2, layerTaskCosts, lossTaskCost, type TaskCost } from '../cost/tasks';
import { layerBytes, logitBytes, valueBytes, weightBytes, type LayerBytes } from '../cost/bytes';
import { outputSize } from '../spec/network';
import type { DataflowPolicy } from '../cost/gemm';
import { withTypeCosts } from './type-costs';
import { LIMITS, safeCount } from '../limits';

export type Variant = 'spikepipe' | 'pipedream';
export type Granularity = 'layer' | 'timestep';
export const VARIANTS: readonly Variant[] = ['spikepipe', 'pipedream'];
export const GRANULARITIES: readonly Granularity[] = ['layer', 'timestep'];

export interface TrainingGraphOptions {
  variant?: Variant;
  granularity?: Granularity;
  /** d_l per layer (index l−1), default all 0 (plain SGD). */
  staleness?: number[];
  /** Samples per minibatch (default: the network's batch). */
  batch?: number;
  dataflow?: DataflowPolicy;
}

/** Task id helpers, so other modules name tasks the same way. */
export const taskId = (kind: TaskKind, layer: number, t?: number): string =>
  kind === 'Loss' ? 'Loss' : t === undefined ? `${kind}_${layer}` : `${kind}_${layer}@${t}`;

/** The training graph; on hardware with processor groups every task carries its per-type costs (type-costs.ts). */
export function buildTrainingGraph(net: ResolvedNetwork, hw: HardwareSpec, opts: TrainingGraphOptions = {}): TaskGraph {
  return withTypeCosts(hw, (h) => buildOneType(net, h, opts));
}

function buildOneType(net: ResolvedNetwork, hw: HardwareSpec, opts: TrainingGraphOptions): TaskGraph {
  const variant = opts.variant ?? 'spikepipe';
  const granularity = opts.granularity ?? 'layer';
  const dataflow = opts.dataflow ?? 'spec';
  if (!VARIANTS.includes(variant)) fail('variant', `must be one of ${VARIANTS.join(', ')}, got ${JSON.stringify(variant)}`);
  if (!GRANULARITIES.includes(granularity)) {
    fail('granularity', `must be one of ${GRANULARITIES.join(', ')}, got ${JSON.stringify(granularity)}`);
  }
  const L = net.weightLayers.length;
  const staleness = opts.staleness ?? new Array<number>(L).fill(0);
  const src = net.file ?? net.spec.name;
  if (staleness.length !== L) fail('staleness', `expected ${L} values (one per weight layer of ${src}), got ${staleness.length}`);
  staleness.forEach((d, i) => {
    if (!Number.isInteger(d) || d < 0 || d > LIMITS.staleness) fail(`staleness[${i}]`, `must be an integer from 0 to ${LIMITS.staleness}, got ${d}`);
  });
  const B = effectiveBatch(net, opts);
  const T = net.spec.timesteps;
  const perStep = granularity === 'timestep';
  const taskCount = L * (perStep ? 3 * T + 2 : 5) + 1;
  if (taskCount > LIMITS.tasks) fail(`${src}: /timesteps`, `${L} layers × ${T} timesteps give about ${taskCount} tasks at ${granularity} granularity, more than ${LIMITS.tasks}`);
  const costOpts = { batch: B, dataflow, granularity };

  const tasks: Task[] = [];
  const edges: Edge[] = [];
  const index = new Map<string, number>();
  const addTask = (kind: TaskKind, layer: number, c: TaskCost, t?: number) => {
    const task: Task = { id: taskId(kind, layer, t), kind, layer, cycles: c.cycles, gemmCycles: c.gemmCycles, vectorCycles: c.vectorCycles };
    if (t !== undefined) task.timestep = t;
    index.set(task.id, tasks.length);
    tasks.push(task);
  };
  const addEdge = (from: string, to: string, bytes: number, data: EdgeData, loopLayer?: number) => {
    const e: Edge = { from: index.get(from)!, to: index.get(to)!, bytes, delay: 0, data };
    if (loopLayer !== undefined) {
      e.delay = 1 + staleness[loopLayer - 1];
      e.loopLayer = loopLayer;
    }
    edges.push(e);
  };
  /** Timesteps a task is split into: [undefined] at layer granularity, 1..T otherwise. */
  const steps = (descending = false): (number | undefined)[] => {
    if (!perStep) return [undefined];
    const ts = Array.from({ length: T }, (_, k) => k + 1);
    return descending ? ts.reverse() : ts;
  };
  const Tedge = perStep ? 1 : T; // timesteps carried by one activation edge

  const layers = net.weightLayers;
  const costs = layers.map((w) => layerTaskCosts(w, net, hw, costOpts));
  const bytes = layers.map((w) => layerBytes(w, Tedge, B, hw, net));
  const wholeBytes = perStep ? layers.map((w) => layerBytes(w, T, B, hw, net)) : bytes;
  const stepState = layers.map((w) => valueBytes(B * outputSize(w), hw)); // one timestep, recurrences

  // ---- tasks, in topological order of the zero-delay subgraph ----
  for (const w of layers) for (const t of steps()) addTask('F', w.index, costs[w.index - 1].F, t);
  addTask('Loss', 0, lossTaskCost(net, hw, costOpts));
  for (const w of [...layers].reverse()) {
    const c = costs[w.index - 1];
    if (variant === 'pipedream') {
      // B_l is whole-layer even at timestep granularity: cost it as such.
      const whole = perStep ? layerTaskCosts(w, net, hw, { ...costOpts, granularity: 'layer' }) : c;
      addTask('B', w.index, combinedBackwardCost(whole));
      continue;
    }
    for (const t of steps(true)) addTask('Ba1', w.index, c.Ba1, t);
    if (c.Ba2) for (const t of steps(true)) addTask('Ba2', w.index, c.Ba2, t);
    addTask('Bw', w.index, c.Bw);
    addTask('U', w.index, c.U);
  }

  // ---- edges ----
  const last = steps().at(-1);
  const logits = logitBytes(net, B, hw);
  for (const w of layers) {
    const l = w.index;
    for (const t of steps()) {
      for (const x of bytes[l - 1].perInput) {
        // A tensor read both into the GEMM and into the membrane arrives once.
        const twice = x.into === 'membrane' && w.inputs.some((y) => y.into === 'gemm' && y.from === x.from);
        if (x.from > 0 && !twice) addEdge(taskId('F', x.from, t), taskId('F', l, t), x.spikes, 'spikes');
      }
      if (t !== undefined && t > 1) addEdge(taskId('F', l, t - 1), taskId('F', l, t), stepState[l - 1], 'state');
    }
  }
  addEdge(taskId('F', L, last), 'Loss', logits, 'state');
  addEdge('Loss', variant === 'pipedream' ? taskId('B', L) : taskId('Ba1', L, last), logits, 'grad');

  /** The gradient edges into layer l's backward, one per (reader c, input of c that is l). */
  const gradsInto = (l: number, all: LayerBytes[]) =>
    layers[l - 1].consumers.flatMap((c) => all[c - 1].perInput.filter((x) => x.from === l).map((x) => ({ c, x, dI: all[c - 1].dI })));
  for (const w of [...layers].reverse()) {
    const l = w.index;
    const b = bytes[l - 1];
    if (variant === 'pipedream') {
      for (const t of steps()) addEdge(taskId('F', l, t), taskId('B', l), b.state + b.spikesIn, 'state');
      // B_l is whole-layer: the gradients it receives carry all T timesteps.
      for (const { c, x, dI } of gradsInto(l, wholeBytes)) addEdge(taskId('B', c), taskId('B', l), x.into === 'gemm' ? x.grad : dI, 'grad');
      for (const t of steps()) addEdge(taskId('B', l), taskId('F', l, t), b.weights, 'weights', l);
      continue;
    }
    for (const t of steps(true)) {
      addEdge(taskId('F', l, t), taskId('Ba1', l, t), b.state, 'state');
      for (const { c, x, dI } of gradsInto(l, bytes)) {
        if (x.into === 'gemm') addEdge(taskId('Ba2', c, t), taskId('Ba1', l, t), x.grad, 'grad');
        else addEdge(taskId('Ba1', c, t), taskId('Ba1', l, t), dI, 'grad');
      }
      if (t !== undefined && t < T) addEdge(taskId('Ba1', l, t + 1), taskId('Ba1', l, t), stepState[l - 1], 'state');
    }
    for (const t of steps(true)) {
      if (hasBa2(w)) addEdge(taskId('Ba1', l, t), taskId('Ba2', l, t), b.dI, 'dI');
      addEdge(taskId('Ba1', l, t), taskId('Bw', l), b.dI, 'dI');
      for (const x of b.perInput) if (x.into === 'gemm' && x.from > 0) addEdge(taskId('F', x.from, t), taskId('Bw', l), x.spikes, 'spikes');
    }
    addEdge(taskId('Bw', l), taskId('U', l), b.weights, 'grad');
    for (const t of steps()) addEdge(taskId('U', l), taskId('F', l, t), b.weights, 'weights', l);
    if (hasBa2(w)) for (const t of steps(true)) addEdge(taskId('U', l), taskId('Ba2', l, t), b.weights, 'weights', l);
  }

  // Every count exact: each edge's bytes and the work of one iteration, so that no makespan,
  // period or simulated time built from them can leave the safe integers unnoticed.
  let total = tasks.reduce((a, t) => a + t.cycles, 0);
  for (const e of edges) {
    safeCount(e.bytes, src, `edge ${tasks[e.from].id} → ${tasks[e.to].id}`, 'bytes');
    total += e.bytes > 0 ? Math.ceil(e.bytes / hw.linkBandwidth) + hw.linkLatency : 0;
  }
  safeCount(total, src, `the work and transfers of one iteration on hardware ${hw.name}`);

  return {
    name: `${net.spec.name}-${variant}-${granularity}`,
    tasks,
    edges,
    layers: L,
    meta: {
      network: net.spec.name,
      hardware: hw.name,
      variant,
      granularity,
      batch: B,
      timesteps: T,
      dataflow,
      weightBytes: weightBytes(net, hw),
    },
  };
}
