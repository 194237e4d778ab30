/**
 * A discrete-event simulator that RUNS a schedule instead of checking inequalities, as an
 * independent second opinion beside validate() (README, The model: schedules, validation, simulation).
 *
 * Execution model (each choice is a default someone who knows better can question):
 * * Static order: each processor executes its task instances (v, k) in the order of their
 *   scheduled times k·P + start_v (ties: earlier iteration first, then topological rank in
 *   the zero-delay graph), non-preemptively, one at a time — exactly what a compiled pipeline does. Tasks of
 *   zero cycles are markers: they keep their place in the order but occupy no processor time.
 * * An instance (v, k) starts when (a) its processor has finished the previous instance in that
 *   order, (b) every input instance (u, k − w) of an edge u→v with delay w has finished and its
 *   transfer arrived (finish + transferCycles; links are contention-free, as in validate);
 *   inputs with k − w < 0 are initial state (initial weights), available at time 0, and
 *   (c) in mode 'time-triggered' (default) not before its release time k·P + start_v. Mode
 *   'self-timed' drops (c): every instance runs as early as the order allows.
 * * Because the order is fixed and nothing preempts, the event simulation is the max-plus
 *   recurrence above evaluated in dependency order: instances are processed as soon as their
 *   processor predecessor and inputs are known (no event queue is needed, and the result is
 *   identical). A schedule whose order needs an instance that can never run deadlocks; the
 *   simulator reports the blocked instances instead of hanging.
 * * Horizon: the run covers K measured iterations plus `span` = max(ceil((max start − min
 *   start)/P) + 1, max delay + 1) extra ones, so that every instance a measured instance waits
 *   for on its processor (those with smaller scheduled times) is simulated: the first K
 *   iterations are exactly those of the infinite run. Instances after them may run early
 *   (their processor predecessors of later iterations are not simulated) but never late.
 *
 * Measurements:
 * * period: per task (f(K−1) − f(h−1)) / (K − h) with h = floor(K/2) (the last half of the run),
 *   maximum over tasks. A valid schedule run time-triggered gives exactly P.
 * * lateness: an instance starting after its release k·P + start means the schedule is wrong
 *   (a precedence, communication or overlap it did not allow for). Counted over the whole run:
 *   the truncated run is never later than the infinite one, so every late instance is real.
 * * staleness per layer l, from the weight-loop edges U_l→F_l (F tasks only; in timestep
 *   graphs every F_l@t has one): for F(k), j = the newest U instance whose result (finish +
 *   transfer) is there when F(k) starts; staleness = k − 1 − j. All F_l@t of one iteration
 *   must use one version, so the layer's value for iteration k is the maximum over its edges;
 *   reported: the minimum over steady-state k ∈ [h, K). For a tight schedule it equals d_l; a
 *   smaller value means the schedule has slack and could claim less staleness.
 * * utilisation of processor p: its busy cycles per iteration / measured period.
 * * bytes crossing processors per iteration: the metric of lib/model/metrics/communication.ts
 *   (`linkBytes`): a tensor moves once per destination processor other than its producer's,
 *   however many tasks there read it (loop edges included: weights sent to another processor
 *   count).
 * * peak memory per processor (simulate-memory.ts) over the steady-state window [min start of iteration h,
 *   max finish of iteration K − 1]:
 *   - weights: layer l's size is the bytes on its loop edge. Version j (written when U_l(j)
 *     finishes; version −1 = the initial weights) is held on each processor that reads it
 *     (F_l / Ba2_l instances k with k − w = j) from its arrival until the last of those readers
 *     on that processor finishes, and on U_l's processor (the master copy) from its write until
 *     U_l(j+1) finishes (the update reads it). One copy per processor even if both F and Ba2
 *     read it there. When the writer is PipeDream's combined backward B_l (which also runs
 *     with the version its forward read: weight stashing), the version read by F_l(k) lives
 *     on B_l's processor until B_l(k) finishes.
 *   - activations: the output of (u, i) consumed by (v, k) (edge u→v, non-loop, bytes > 0) is
 *     held on v's processor from u's finish until v finishes (weight gradients into an update
 *     accumulate in one buffer per update instance); edges from one producer to one
 *     processor carrying the same kind of data (e.g. spikes to F_{l+1} and Bw_{l+1}) share one
 *     buffer. Send buffers on the producer's side are not counted.
 *   A reader beyond the simulated horizon keeps its data alive to the end of the window.
 *
 * Complexity: O(K'·(n + e)·log) with K' = K + span (sorting the instances; the memory sweeps
 * sort O(K'·e) interval ends).
 */
import { isHeterogeneous, onAssignment } from '../durations';
import type { Bytes, Cycles, Machine, Schedule, TaskGraph, TaskId } from '../types';
import { fail } from '../errors';
import { LIMITS } from '../limits';
import { transferCycles } from '../machine';
import { adjacency, loopEdgesByLayer, topoOrder } from '../graph/taskgraph';
import { linkBytes } from '../metrics/communication';
import { emptyMemory, measureMemory, type ProcessorMemory } from './simulate-memory';
import { maxOf } from '../extrema';

export type SimulationMode = 'time-triggered' | 'self-timed';

export interface SimulateOptions {
  /** Measured iterations K (default 32, at least 2). */
  iterations?: number;
  mode?: SimulationMode;
  /** How many late instances to list (default 5). */
  maxExamples?: number;
}

export interface LateInstance {
  task: TaskId;
  iteration: number;
  processor: number;
  scheduled: Cycles;
  actual: Cycles;
  late: Cycles;
}

export interface LayerStaleness {
  layer: number;
  /** d_l encoded in the graph's loop edges (delay − 1). */
  claimed: number;
  /** Measured minimum over steady-state iterations (null on deadlock). */
  measured: number | null;
}

export interface Lateness {
  count: number;
  maxCycles: Cycles;
  examples: LateInstance[];
}

export interface SimulationReport {
  mode: SimulationMode;
  /** Measured iterations K. */
  iterations: number;
  /** Iterations actually run (K + span). */
  simulatedIterations: number;
  claimedPeriod: Cycles;
  /** null when the run deadlocked. */
  measuredPeriod: number | null;
  /** The task whose period is the measured one. */
  bindingTask: TaskId | null;
  late: Lateness;
  /** Instances that could never start (the head of each stuck processor), or null. */
  deadlock: string[] | null;
  staleness: LayerStaleness[];
  /** True when every layer's measured staleness equals its claimed d_l. */
  stalenessMatches: boolean;
  utilisation: number[];
  crossBytesPerIteration: Bytes;
  peakMemory: ProcessorMemory[];
  peakMemoryBytes: Bytes;
  /** Against Machine.memoryBytes when given. */
  fitsMemory?: boolean;
  /** Time-triggered: no deadlock, nothing late, period = P. Self-timed: no deadlock, period ≤ P. */
  ok: boolean;
  messages: string[];
}

interface Run {
  n: number;
  K: number; // simulated iterations
  proc: Int32Array;
  startAt: Float64Array; // schedule start per task
  st: Float64Array; // instance start, index v*K + k
  fin: Float64Array;
  deadlock: string[] | null;
  late: Lateness;
  order: number[][]; // per processor, instance ids in execution order
}

/** Checks the schedule places every task once with a sane processor and start; returns placement. */
function placementOrFail(g: TaskGraph, s: Schedule): { proc: Int32Array; start: Float64Array } {
  const n = g.tasks.length;
  const idx = new Map<string, number>();
  g.tasks.forEach((t, i) => idx.set(t.id, i));
  const proc = new Int32Array(n).fill(-1);
  const start = new Float64Array(n).fill(NaN);
  const problems: string[] = [];
  for (const t of s.tasks) {
    const i = idx.get(t.id);
    if (i === undefined) problems.push(`unknown task ${t.id}`);
    else if (proc[i] !== -1) problems.push(`task ${t.id} twice`);
    else if (!Number.isInteger(t.processor) || t.processor < 0 || t.processor >= s.procs) problems.push(`task ${t.id} on processor ${t.processor}`);
    else if (!Number.isFinite(t.start)) problems.push(`task ${t.id} starts at ${t.start}`);
    else {
      proc[i] = t.processor;
      start[i] = t.start;
    }
  }
  const named = new Set(s.tasks.map((t) => t.id));
  for (let i = 0; i < n; i++) if (!named.has(g.tasks[i].id)) problems.push(`task ${g.tasks[i].id} not placed`);
  if (problems.length > 0) {
    fail('schedule', `cannot simulate (validate it first): ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; … (${problems.length} problems)` : ''}`);
  }
  return { proc, start };
}

/** Heterogeneous graphs: every task costed on the processor the schedule puts it on (lib/model/durations.ts). */
function withDurations(g: TaskGraph, m: Machine, s: Schedule): TaskGraph {
  return isHeterogeneous(g) ? onAssignment(g, m, placementOrFail(g, s).proc) : g;
}

/**
 * Run `K` iterations of the static-order system. `period` = Infinity with K = 1 replays a
 * makespan schedule (delays ignored: every edge is a precedence).
 */
function run(g: TaskGraph, m: Machine, s: Schedule, P: number, K: number, timeTriggered: boolean, oneShot: boolean, maxExamples: number): Run {
  const { proc, start } = placementOrFail(g, s);
  const n = g.tasks.length;
  const adj = adjacency(g);
  const topo = oneShot ? topoOrder(g, () => true) : topoOrder(g);
  const rank = new Int32Array(n);
  if (topo) topo.forEach((v, r) => (rank[v] = r));
  else for (let v = 0; v < n; v++) rank[v] = v;

  // Per processor: instances sorted by scheduled time, then iteration, then rank.
  const order: number[][] = Array.from({ length: s.procs }, () => []);
  for (let v = 0; v < n; v++) for (let k = 0; k < K; k++) order[proc[v]].push(v * K + k);
  const key = (id: number) => {
    const v = Math.floor(id / K);
    return (id % K) * (oneShot ? 0 : P) + start[v];
  };
  for (const list of order) {
    list.sort((a, b) => key(a) - key(b) || (a % K) - (b % K) || rank[Math.floor(a / K)] - rank[Math.floor(b / K)]);
  }

  const st = new Float64Array(n * K).fill(NaN);
  const fin = new Float64Array(n * K).fill(NaN);
  const ptr = new Int32Array(s.procs);
  const free = new Float64Array(s.procs);
  const late: Lateness = { count: 0, maxCycles: 0, examples: [] };
  let remaining = n * K;
  let progress = true;
  while (progress && remaining > 0) {
    progress = false;
    for (let p = 0; p < s.procs; p++) {
      const list = order[p];
      while (ptr[p] < list.length) {
        const id = list[ptr[p]];
        const v = Math.floor(id / K);
        const k = id % K;
        const c = g.tasks[v].cycles;
        let t = c > 0 ? free[p] : 0; // zero-cycle markers occupy no processor time (as in validate)
        const release = key(id);
        if (timeTriggered && release > t) t = release;
        let ready = true;
        for (let j = adj.inStart[v]; j < adj.inStart[v + 1]; j++) {
          const e = g.edges[adj.inEdges[j]];
          const i = oneShot ? k : k - e.delay;
          if (i < 0) continue; // initial state
          const f = fin[e.from * K + i];
          if (Number.isNaN(f)) {
            ready = false;
            break;
          }
          const arr = f + transferCycles(m, e.bytes, proc[e.from], proc[v]);
          if (arr > t) t = arr;
        }
        if (!ready) break;
        st[id] = t;
        fin[id] = t + c;
        if (c > 0) free[p] = fin[id];
        if (t > release) {
          late.count++;
          if (t - release > late.maxCycles) late.maxCycles = t - release;
          if (late.examples.length < maxExamples) {
            late.examples.push({ task: g.tasks[v].id, iteration: k, processor: p, scheduled: release, actual: t, late: t - release });
          }
        }
        ptr[p]++;
        remaining--;
        progress = true;
      }
    }
  }
  let deadlock: string[] | null = null;
  if (remaining > 0) {
    deadlock = [];
    for (let p = 0; p < s.procs; p++) {
      if (ptr[p] >= order[p].length) continue;
      const id = order[p][ptr[p]];
      const v = Math.floor(id / K);
      const k = id % K;
      const waits: string[] = [];
      for (let j = adj.inStart[v]; j < adj.inStart[v + 1]; j++) {
        const e = g.edges[adj.inEdges[j]];
        const i = oneShot ? k : k - e.delay;
        if (i >= 0 && Number.isNaN(fin[e.from * K + i])) waits.push(`${g.tasks[e.from].id}#${i}`);
      }
      deadlock.push(`processor ${p}: ${g.tasks[v].id}#${k} waits for ${waits.join(', ')}`);
    }
  }
  return { n, K, proc, startAt: start, st, fin, deadlock, late, order };
}

/** Task runs (tasks × simulated iterations) one simulation may hold. */
const MAX_SIMULATED = 2 ** 25;

/** Simulate a periodic schedule; see the module comment for the model and the measurements. */
export function simulate(g0: TaskGraph, m: Machine, s: Schedule, opts: SimulateOptions = {}): SimulationReport {
  const g = withDurations(g0, m, s);
  if (s.kind !== 'periodic') fail('schedule', `simulate needs a periodic schedule, got ${s.kind} (use simulateMakespan)`);
  const P = s.period;
  if (P === undefined || !(P > 0) || !Number.isFinite(P)) fail('schedule', `the period must be a positive number, got ${P}`);
  const K = opts.iterations ?? 32;
  if (!Number.isInteger(K) || K < 2) fail('iterations', `must be an integer ≥ 2, got ${K}`);
  const mode = opts.mode ?? 'time-triggered';
  const timeTriggered = mode === 'time-triggered';
  let minStart = Infinity;
  let maxStart = -Infinity;
  for (const t of s.tasks) {
    if (Number.isFinite(t.start)) {
      minStart = Math.min(minStart, t.start);
      maxStart = Math.max(maxStart, t.start);
    }
  }
  let maxDelay = 0;
  for (const e of g.edges) maxDelay = Math.max(maxDelay, e.delay);
  const span = Math.max(Number.isFinite(maxStart) ? Math.ceil((maxStart - minStart) / P) + 1 : 1, maxDelay + 1);
  // The run holds every (task, iteration) pair: refuse what would exhaust memory, not crash.
  if (span > LIMITS.iterations) fail('schedule', `its start times and delays span ${span} periods; at most ${LIMITS.iterations} can be simulated`);
  const Ksim = K + span;
  if (g.tasks.length * Ksim > MAX_SIMULATED) fail('schedule', `${g.tasks.length} tasks × ${Ksim} iterations is too large to simulate (at most ${MAX_SIMULATED} task runs)`);
  const r = run(g, m, s, P, Ksim, timeTriggered, false, opts.maxExamples ?? 5);
  const n = g.tasks.length;
  const h = Math.floor(K / 2);
  const messages: string[] = [];

  // --- period ---
  let measuredPeriod: number | null = null;
  let bindingTask: TaskId | null = null;
  if (!r.deadlock) {
    let best = -Infinity;
    for (let v = 0; v < n; v++) {
      const per = (r.fin[v * Ksim + K - 1] - r.fin[v * Ksim + h - 1]) / (K - h);
      if (per > best + 1e-9) {
        best = per;
        bindingTask = g.tasks[v].id;
      }
    }
    measuredPeriod = n > 0 ? best : P;
  } else messages.push(`deadlock: ${r.deadlock.join('; ')}`);

  // --- staleness ---
  const staleness = measureStaleness(g, m, r, K, h);
  let stalenessMatches = true;
  for (const x of staleness) {
    if (x.measured !== null && x.measured !== x.claimed) {
      stalenessMatches = false;
      messages.push(
        x.measured < x.claimed
          ? `layer ${x.layer}: weights are ${x.measured} iterations stale at most in steady state, the graph claims ${x.claimed} (slack: the delay could be smaller)`
          : `layer ${x.layer}: measured staleness ${x.measured} exceeds the claimed ${x.claimed}`,
      );
    }
  }

  // --- utilisation, traffic ---
  const busy = new Float64Array(s.procs);
  for (let v = 0; v < n; v++) busy[r.proc[v]] += g.tasks[v].cycles;
  const utilisation = Array.from(busy, (b) => (measuredPeriod && measuredPeriod > 0 ? b / measuredPeriod : 0));
  const crossBytesPerIteration = linkBytes(g, r.proc).total;

  // --- memory ---
  const peakMemory = r.deadlock ? emptyMemory(s.procs) : measureMemory(g, m, r, s.procs, K, h);
  const peakMemoryBytes = peakMemory.reduce((a, x) => Math.max(a, x.totalBytes), 0);

  if (r.late.count > 0) {
    const ex = r.late.examples[0];
    messages.push(
      `${r.late.count} instance${r.late.count === 1 ? '' : 's'} started late (max ${r.late.maxCycles} cycles; first ${ex.task}#${ex.iteration} at ${ex.actual}, scheduled ${ex.scheduled})`,
    );
  }
  const periodOk =
    measuredPeriod !== null && (timeTriggered ? Math.abs(measuredPeriod - P) <= 1e-9 * P : measuredPeriod <= P * (1 + 1e-12));
  if (measuredPeriod !== null && !periodOk) messages.push(`measured period ${measuredPeriod} differs from the claimed ${P} (binding task ${bindingTask})`);
  const ok = !r.deadlock && periodOk && (!timeTriggered || r.late.count === 0) && staleness.every((x) => x.measured === null || x.measured <= x.claimed);

  const report: SimulationReport = {
    mode,
    iterations: K,
    simulatedIterations: Ksim,
    claimedPeriod: P,
    measuredPeriod,
    bindingTask,
    late: r.late,
    deadlock: r.deadlock,
    staleness,
    stalenessMatches,
    utilisation,
    crossBytesPerIteration,
    peakMemory,
    peakMemoryBytes,
    ok,
    messages,
  };
  if (m.memoryBytes !== undefined) {
    report.fitsMemory = peakMemoryBytes <= m.memoryBytes;
    if (!report.fitsMemory) messages.push(`peak memory ${peakMemoryBytes} B exceeds the ${m.memoryBytes} B per processor`);
  }
  return report;
}

function measureStaleness(g: TaskGraph, m: Machine, r: Run, K: number, h: number): LayerStaleness[] {
  const out: LayerStaleness[] = [];
  const Ks = r.K;
  const byLayer = loopEdgesByLayer(g);
  for (const l of [...byLayer.keys()].sort((a, b) => a - b)) {
    const all = byLayer.get(l)!;
    const intoF = all.filter((k) => g.tasks[g.edges[k].to].kind === 'F');
    const edges = intoF.length > 0 ? intoF : all;
    const claimed = maxOf(edges.map((k) => g.edges[k].delay - 1));
    if (r.deadlock) {
      out.push({ layer: l, claimed, measured: null });
      continue;
    }
    let measured = Infinity;
    for (let k = h; k < K; k++) {
      let worst = -Infinity;
      for (const ek of edges) {
        const e = g.edges[ek];
        const comm = transferCycles(m, e.bytes, r.proc[e.from], r.proc[e.to]);
        const t = r.st[e.to * Ks + k];
        // newest j with fin(U, j) + comm ≤ t; fin(U, ·) is non-decreasing in j (one processor, in order)
        let lo = -1;
        let hi = Ks - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (r.fin[e.from * Ks + mid] + comm <= t) lo = mid;
          else hi = mid - 1;
        }
        worst = Math.max(worst, k - 1 - lo);
      }
      measured = Math.min(measured, worst);
    }
    out.push({ layer: l, claimed, measured: Number.isFinite(measured) ? measured : null });
  }
  return out;
}

export interface MakespanSimulationReport {
  mode: SimulationMode;
  claimedMakespan: Cycles | null;
  measuredMakespan: number | null;
  late: Lateness;
  deadlock: string[] | null;
  utilisation: number[];
  crossBytes: Bytes;
  /** Time-triggered: no deadlock, nothing late, the makespan reproduced. Self-timed: no deadlock, not longer. */
  ok: boolean;
  messages: string[];
}

/**
 * Replay a makespan schedule once (delays ignored: every edge is a precedence) with the same
 * static-order model; time-triggered it must reproduce the stated makespan, self-timed it
 * gives the makespan of the processor orders run as early as possible.
 */
export function simulateMakespan(g0: TaskGraph, m: Machine, s: Schedule, opts: { mode?: SimulationMode; maxExamples?: number } = {}): MakespanSimulationReport {
  const g = withDurations(g0, m, s);
  if (s.kind !== 'makespan') fail('schedule', `simulateMakespan needs a makespan schedule, got ${s.kind}`);
  const mode = opts.mode ?? 'time-triggered';
  const r = run(g, m, s, Infinity, 1, mode === 'time-triggered', true, opts.maxExamples ?? 5);
  const messages: string[] = [];
  let measured: number | null = null;
  if (r.deadlock) messages.push(`deadlock: ${r.deadlock.join('; ')}`);
  else {
    measured = 0;
    for (const f of r.fin) measured = Math.max(measured, f);
  }
  const busy = new Float64Array(s.procs);
  for (let v = 0; v < g.tasks.length; v++) busy[r.proc[v]] += g.tasks[v].cycles;
  const utilisation = Array.from(busy, (b) => (measured ? b / measured : 0));
  let crossBytes = 0;
  for (const e of g.edges) if (r.proc[e.from] !== r.proc[e.to]) crossBytes += e.bytes;
  if (r.late.count > 0) messages.push(`${r.late.count} task${r.late.count === 1 ? '' : 's'} started late (max ${r.late.maxCycles} cycles)`);
  const claimed = s.makespan ?? null;
  let ok = !r.deadlock;
  if (mode === 'time-triggered') ok = ok && r.late.count === 0 && (claimed === null || measured === claimed);
  else ok = ok && (claimed === null || (measured !== null && measured <= claimed));
  if (measured !== null && claimed !== null && measured !== claimed) messages.push(`replayed makespan ${measured}, stated ${claimed}`);
  return { mode, claimedMakespan: claimed, measuredMakespan: measured, late: r.late, deadlock: r.deadlock, utilisation, crossBytes, ok, messages };
}
