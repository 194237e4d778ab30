/**
 * Stage graphs of the pipeline baselines, built by contracting a layer-level training graph (the
 * SpikePipe variant of lib/model/graph/training.ts: F_l, Ba1_l, Ba2_l, Bw_l, U_l, Loss) over a
 * contiguous stage partition: PipeDream's (F_s, B_s per stage), GPipe's (F_s^j, B_s^j per
 * micro-batch, U_s per stage) and the replicated pipeline's (per replica). Also the per-layer
 * profile and cut link times the planners read off a layer graph, and the stage type itself.
 *
 * Contraction keeps every edge whose ends fall into different stage tasks and drops the rest
 * (they become work inside one task). Edges that land on the same (from, to, delay, data,
 * loopLayer) are merged by summing their bytes: inside a contiguous partition such edges carry
 * distinct tensors (e.g. the membrane states of two layers of one stage), so the sum is what moves.
 * One tensor sent to two tasks of the next stage (spikes to F and to Bw) stays two edges; the
 * crossing-bytes metric counts it once per destination processor (lib/model/metrics).
 */
import type { Edge, Machine, Task, TaskGraph } from '../types';
import { linkBytes, linkCycles } from '../metrics/communication';
import { maxOf } from '../extrema';

/** A stage: layers `first..last` (0-based, inclusive) on `replicas` processors. */
export interface Stage {
  first: number;
  last: number;
  replicas: number;
}

/** Stage index (0-based) of every layer (0-based). */
export function stageOfLayer(stages: readonly Stage[], layers: number): number[] {
  const out = new Array<number>(layers).fill(-1);
  stages.forEach((s, k) => {
    for (let l = s.first; l <= s.last; l++) out[l] = k;
  });
  return out;
}

/** Per-layer numbers the planners need, read off a layer-level training graph. */
export interface LayerProfile {
  /** Number of weight layers L. */
  layers: number;
  /** Per layer l (index l−1): F + Ba1 + Ba2 + Bw + U cycles; the Loss added to the last layer. */
  compute: number[];
  /** Per layer: F cycles. */
  forward: number[];
  /** Per layer: Ba1 + Ba2 + Bw cycles (the Loss added to the last layer). */
  backward: number[];
  /** Per layer: U cycles. */
  update: number[];
  /**
   * Per cut l|l+1 (length L−1): bytes of the spikes crossing it, layers 1..l into l+1..L (a
   * chain: layer l's spikes into l+1; a residual network adds its skip connections), each
   * producer's tensor once.
   */
  spikeBytes: number[];
  /** Per cut l|l+1: bytes of the gradients crossing it back, one per (reader, input) pair. */
  gradBytes: number[];
}

/**
 * Read the per-layer costs of a layer-granularity training graph (tasks carry `kind` and `layer`;
 * the Loss has layer 0 and is charged to the last layer). Cut bytes come from the edges
 * F_j → F_l and Ba2_l → Ba1_j (or Ba1_l → Ba1_j) with j ≤ cut < l (per pair, the largest such
 * edge when several, e.g. one per timestep). O(V + E·L).
 */
export function layerProfile(g: TaskGraph): LayerProfile {
  const L = g.layers;
  const zero = () => new Array<number>(L).fill(0);
  const forward = zero();
  const backward = zero();
  const update = zero();
  for (const t of g.tasks) {
    const l = t.kind === 'Loss' ? L : t.layer;
    if (l < 1 || l > L) continue;
    if (t.kind === 'F') forward[l - 1] += t.cycles;
    else if (t.kind === 'U') update[l - 1] += t.cycles;
    else backward[l - 1] += t.cycles;
  }
  // Forward: each producer's tensor (largest edge, e.g. of one timestep) crosses every cut up to
  // its farthest reader once. Backward: each (reader, input) gradient crosses the cuts between.
  const sent = new Map<number, { bytes: number; reach: number }>();
  const grads = new Map<string, { from: number; to: number; bytes: number }>();
  for (const e of g.edges) {
    if (e.delay !== 0) continue;
    const u = g.tasks[e.from];
    const v = g.tasks[e.to];
    if (u.layer < 1 || v.layer < 1) continue;
    if (u.kind === 'F' && v.kind === 'F' && v.layer > u.layer) {
      const x = sent.get(u.layer) ?? { bytes: 0, reach: 0 };
      sent.set(u.layer, { bytes: Math.max(x.bytes, e.bytes), reach: Math.max(x.reach, v.layer) });
    }
    if (v.layer < u.layer && v.kind !== 'F' && u.kind !== 'F' && u.kind !== 'U') {
      const k = `${v.layer}<${u.layer}`;
      grads.set(k, { from: v.layer, to: u.layer, bytes: Math.max(grads.get(k)?.bytes ?? 0, e.bytes) });
    }
  }
  const spikeBytes = new Array<number>(Math.max(0, L - 1)).fill(0);
  const gradBytes = new Array<number>(Math.max(0, L - 1)).fill(0);
  for (const [from, x] of sent) for (let cut = from; cut < x.reach; cut++) spikeBytes[cut - 1] += x.bytes;
  for (const x of grads.values()) for (let cut = x.from; cut < x.to; cut++) gradBytes[cut - 1] += x.bytes;
  const compute = forward.map((f, i) => f + backward[i] + update[i]);
  return { layers: L, compute, forward, backward, update, spikeBytes, gradBytes };
}

/**
 * Per cut l|l+1 (length L−1) of a layer-level training graph: the cycles per iteration of the
 * busier of the cut's two links when layers 1..l and l+1..L sit on two processors — the bytes
 * each direction carries counted by lib/model/metrics (`linkBytes`: the forward spikes on s → s+1, the
 * backward gradient on s+1 → s; full duplex, so they are DIFFERENT links and are not added),
 * ceil(bytes / bandwidth) each; latency does not occupy a link. The Loss goes with the last
 * layer. Exact for a contiguous stage partition of a chain, where tensors only flow between
 * adjacent layers: then the link between stages s and s+1 carries exactly its cut's bytes. In a
 * residual network a skip connection crossing several cuts travels on a link s → s+k instead,
 * so the cut's figure is an upper bound of what the link s → s+1 carries. O(L·E log E).
 */
export function cutLinkCycles(layerGraph: TaskGraph, m: Machine): number[] {
  const L = layerGraph.layers;
  const layerOf = layerGraph.tasks.map((t) => (t.kind === 'Loss' || t.layer < 1 ? L : t.layer));
  const out: number[] = [];
  for (let cut = 1; cut < L; cut++) {
    const proc = layerOf.map((l) => (l <= cut ? 0 : 1));
    out.push(maxOf(linkBytes(layerGraph, proc).pairs.map((p) => linkCycles(m, p.bytes)), 0));
  }
  return out;
}

/** A contracted graph plus where each stage task sits. */
export interface StageGraph {
  graph: TaskGraph;
  stages: Stage[];
  /** Task index of F_s (PipeDream: one per stage; GPipe: [stage][micro]). */
  F: number[][];
  B: number[][];
  /** GPipe: U_s per stage (PipeDream folds U into B: empty). */
  U: number[];
  /** Processor of every task (stage s → processor s). */
  proc: number[];
}

/** Incremental construction of a contracted graph (shared with chunks.ts). */
export interface Builder {
  tasks: Task[];
  proc: number[];
  edges: Map<string, Edge>;
}

export function addTask(b: Builder, t: Task, p: number): number {
  b.tasks.push(t);
  b.proc.push(p);
  return b.tasks.length - 1;
}

export function addEdge(b: Builder, from: number, to: number, e: Edge, delay = e.delay): void {
  if (from === to) return;
  const key = `${from}>${to}|${delay}|${e.data ?? ''}|${e.loopLayer ?? ''}`;
  const hit = b.edges.get(key);
  if (hit) {
    hit.bytes += e.bytes;
    return;
  }
  const ne: Edge = { from, to, bytes: e.bytes, delay };
  if (e.data !== undefined) ne.data = e.data;
  if (e.loopLayer !== undefined) ne.loopLayer = e.loopLayer;
  b.edges.set(key, ne);
}

/** Add `src`'s cost to `t` (per processor type too: a contracted task costs the sum on each type). */
export function accumulate(t: Task, src: Task): void {
  if (src.cyclesByType) {
    const by = (t.cyclesByType ??= new Array<number>(src.cyclesByType.length).fill(0));
    src.cyclesByType.forEach((c, k) => (by[k] += c));
  }
  t.cycles = t.cyclesByType ? Math.min(...t.cyclesByType) : t.cycles + src.cycles;
  t.gemmCycles += src.gemmCycles;
  t.vectorCycles += src.vectorCycles;
}

export function stageTask(id: string, kind: Task['kind'], layer: number, micro?: number): Task {
  const t: Task = { id, kind, layer, cycles: 0, gemmCycles: 0, vectorCycles: 0 };
  if (micro !== undefined) t.micro = micro;
  return t;
}

/** Edges in insertion order (deterministic: the layer graph's edge order). */
export function finish(b: Builder, name: string, layers: number, meta: Record<string, string | number | boolean>): TaskGraph {
  return { name, tasks: b.tasks, edges: [...b.edges.values()], layers, meta };
}

function stageOfTask(t: Task, stageOf: number[], S: number): number {
  return t.kind === 'Loss' || t.layer < 1 ? S - 1 : stageOf[t.layer - 1];
}

/**
 * PipeDream's stage graph: per stage s (1-based ids) one `F_s{s}` = Σ F_l and one combined backward
 * `B_s{s}` = Σ (Ba1 + Ba2 + Bw + U) of its layers, the Loss folded into the last stage's B. Weight
 * loop edges U_l → F_l become B_s → F_s (one per layer, keeping `loopLayer`); U_l → Ba2_l falls
 * inside B_s (weight stashing: the backward reuses the forward's version). O(V + E).
 */
export function pipedreamStageGraph(layerGraph: TaskGraph, stages: readonly Stage[]): StageGraph {
  const L = layerGraph.layers;
  const S = stages.length;
  const stageOf = stageOfLayer(stages, L);
  const b: Builder = { tasks: [], proc: [], edges: new Map() };
  const F: number[][] = [];
  const B: number[][] = [];
  stages.forEach((s, k) => {
    F.push([addTask(b, stageTask(`F_s${k + 1}`, 'F', s.first + 1), k)]);
  });
  stages.forEach((s, k) => {
    B.push([addTask(b, stageTask(`B_s${k + 1}`, 'B', s.first + 1), k)]);
  });
  const map = layerGraph.tasks.map((t) => {
    const k = stageOfTask(t, stageOf, S);
    const idx = t.kind === 'F' ? F[k][0] : B[k][0];
    accumulate(b.tasks[idx], t);
    return idx;
  });
  for (const e of layerGraph.edges) addEdge(b, map[e.from], map[e.to], e);
  const graph = finish(b, `${layerGraph.name}/pipedream`, L, {
    ...(layerGraph.meta ?? {}),
    variant: 'pipedream-stages',
    stages: stages.map((s) => `${s.first + 1}-${s.last + 1}`).join(','),
  });
  return { graph, stages: [...stages], F, B, U: [], proc: b.proc };
}

/**
 * GPipe's graph for m micro-batches, from a layer graph built at micro-batch size B/m: per stage s
 * and micro j, `F_s{s}_j{j}` = Σ F_l and `B_s{s}_j{j}` = Σ (Ba1 + Ba2 + Bw) (the Loss folded into
 * the last stage's backward of each micro-batch); one `U_s{s}` per minibatch after all B_s^j
 * (gradients accumulated over micro-batches). Weight loops U_l → F_l, U_l → Ba2_l become
 * U_s → F_s^j and U_s → B_s^j for every j with their delay (1: no staleness, GPipe flushes).
 * O(m·(V + E)).
 */
export function gpipeStageGraph(microGraph: TaskGraph, stages: readonly Stage[], micro: number): StageGraph {
  const L = microGraph.layers;
  const S = stages.length;
  const stageOf = stageOfLayer(stages, L);
  const b: Builder = { tasks: [], proc: [], edges: new Map() };
  const F: number[][] = stages.map(() => []);
  const B: number[][] = stages.map(() => []);
  const U: number[] = [];
  for (let j = 1; j <= micro; j++) {
    stages.forEach((s, k) => F[k].push(addTask(b, stageTask(`F_s${k + 1}_j${j}`, 'F', s.first + 1, j), k)));
  }
  for (let j = 1; j <= micro; j++) {
    stages.forEach((s, k) => B[k].push(addTask(b, stageTask(`B_s${k + 1}_j${j}`, 'B', s.first + 1, j), k)));
  }
  stages.forEach((s, k) => U.push(addTask(b, stageTask(`U_s${k + 1}`, 'U', s.first + 1), k)));
  // Task of layer-graph task t for micro j.
  const at = (t: Task, j: number): number => {
    const k = stageOfTask(t, stageOf, S);
    if (t.kind === 'U') return U[k];
    return t.kind === 'F' ? F[k][j - 1] : B[k][j - 1];
  };
  microGraph.tasks.forEach((t) => {
    if (t.kind === 'U') accumulate(b.tasks[at(t, 1)], t);
    else for (let j = 1; j <= micro; j++) accumulate(b.tasks[at(t, j)], t);
  });
  for (const e of microGraph.edges) {
    const u = microGraph.tasks[e.from];
    const v = microGraph.tasks[e.to];
    for (let j = 1; j <= micro; j++) {
      if (u.kind === 'U' && v.kind === 'U') {
        if (j === 1) addEdge(b, at(u, 1), at(v, 1), e);
      } else addEdge(b, at(u, j), at(v, j), e);
    }
  }
  const graph = finish(b, `${microGraph.name}/gpipe-m${micro}`, L, {
    ...(microGraph.meta ?? {}),
    variant: 'gpipe-stages',
    microBatches: micro,
    stages: stages.map((s) => `${s.first + 1}-${s.last + 1}`).join(','),
  });
  return { graph, stages: [...stages], F, B, U, proc: b.proc };
}

/** A replicated stage graph: per stage s and replica q, tasks F[s][q], B[s][q], U[s][q]. */
export interface ReplicatedStageGraph {
  graph: TaskGraph;
  stages: Stage[];
  F: number[][];
  B: number[][];
  U: number[][];
  proc: number[];
  /** First processor of each stage (its replicas take the next `replicas` processors). */
  firstProc: number[];
}

/** Samples [a, b) of a minibatch of `batch` that replica q of r processes. */
function sampleRange(batch: number, r: number, q: number): [number, number] {
  return [(q * batch) / r, ((q + 1) * batch) / r];
}

/**
 * PipeDream with stage replication realised as data parallelism inside a stage: replica q of a
 * stage with r replicas (r divides B) runs F_s, B_s (= Ba1 + Ba2 + Bw, the Loss in the last
 * stage) and U_s on its B/r samples of every minibatch, costed by the cost model at batch B/r
 * (`graphAt(b)` = the SpikePipe-variant layer graph at batch b, same edge order for every b).
 * Between stages, replica q sends each replica q′ of the next stage the samples they share
 * (edge bytes = the layer graph's at batch = the overlap). Inside a replicated stage the weight
 * gradients are all-reduced before the update: B_s^q → U_s^q′ for q ≠ q′ carrying 2·|W_s|/r bytes
 * (reduce-scatter plus all-gather over the point-to-point links; each replica sends
 * 2·(r−1)/r·|W_s| bytes in all), data `allreduce`. Weight loops U_l → F_l, U_l → Ba2_l stay
 * per replica. Processors: stage s's replicas take consecutive processors. O(Σ_s r_s·r_{s+1}·E).
 */
export function replicatedStageGraph(graphAt: (batch: number) => TaskGraph, stages: readonly Stage[], batch: number, stageWeightBytes: readonly number[]): ReplicatedStageGraph {
  const full = graphAt(batch);
  const L = full.layers;
  const S = stages.length;
  const stageOf = stageOfLayer(stages, L);
  const b: Builder = { tasks: [], proc: [], edges: new Map() };
  const F: number[][] = stages.map(() => []);
  const B: number[][] = stages.map(() => []);
  const U: number[][] = stages.map(() => []);
  const firstProc: number[] = [];
  let p = 0;
  stages.forEach((s, k) => {
    firstProc.push(p);
    for (let q = 0; q < s.replicas; q++) {
      const tag = `s${k + 1}_r${q + 1}`;
      F[k].push(addTask(b, stageTask(`F_${tag}`, 'F', s.first + 1), p + q));
      B[k].push(addTask(b, stageTask(`B_${tag}`, 'B', s.first + 1), p + q));
      U[k].push(addTask(b, stageTask(`U_${tag}`, 'U', s.first + 1), p + q));
    }
    p += s.replicas;
  });
  const cache = new Map<number, TaskGraph>([[batch, full]]);
  const at = (n: number) => {
    let g = cache.get(n);
    if (!g) {
      g = graphAt(n);
      if (g.edges.length !== full.edges.length || g.tasks.some((t, i) => t.id !== full.tasks[i].id)) {
        throw new Error(`replicatedStageGraph: the layer graph at batch ${n} differs in shape from the one at ${batch}`);
      }
      cache.set(n, g);
    }
    return g;
  };
  const kOf = (t: Task) => stageOfTask(t, stageOf, S);
  const taskOf = (t: Task, q: number) => {
    const k = kOf(t);
    return t.kind === 'F' ? F[k][q] : t.kind === 'U' ? U[k][q] : B[k][q];
  };
  // Costs: each replica's tasks at its batch share.
  stages.forEach((s, k) => {
    const g = at(batch / s.replicas);
    for (const t of g.tasks) if (kOf(t) === k) for (let q = 0; q < s.replicas; q++) accumulate(b.tasks[taskOf(t, q)], t);
  });
  full.edges.forEach((e, ei) => {
    const ku = kOf(full.tasks[e.from]);
    const kv = kOf(full.tasks[e.to]);
    if (ku === kv) {
      const r = stages[ku].replicas;
      const g = at(batch / r);
      for (let q = 0; q < r; q++) addEdge(b, taskOf(g.tasks[e.from], q), taskOf(g.tasks[e.to], q), g.edges[ei]);
      return;
    }
    const ru = stages[ku].replicas;
    const rv = stages[kv].replicas;
    for (let q = 0; q < ru; q++) {
      const [a0, a1] = sampleRange(batch, ru, q);
      for (let q2 = 0; q2 < rv; q2++) {
        const [b0, b1] = sampleRange(batch, rv, q2);
        const overlap = Math.min(a1, b1) - Math.max(a0, b0);
        if (overlap <= 0) continue;
        const g = at(overlap);
        addEdge(b, taskOf(full.tasks[e.from], q), taskOf(full.tasks[e.to], q2), g.edges[ei]);
      }
    }
  });
  stages.forEach((s, k) => {
    const r = s.replicas;
    if (r < 2) return;
    const bytes = Math.ceil((2 * stageWeightBytes[k]) / r);
    for (let q = 0; q < r; q++) {
      for (let q2 = 0; q2 < r; q2++) {
        if (q !== q2) addEdge(b, B[k][q], U[k][q2], { from: 0, to: 0, bytes, delay: 0, data: 'allreduce' });
      }
    }
  });
  const graph = finish(b, `${full.name}/pipedream-replicated`, L, {
    ...(full.meta ?? {}),
    variant: 'pipedream-replicated-stages',
    stages: stages.map((s) => `${s.first + 1}-${s.last + 1}x${s.replicas}`).join(','),
  });
  return { graph, stages: [...stages], F, B, U, proc: b.proc, firstProc };
}
