/**
 * Communication metrics of a schedule (README, The model: communication) and the link model every periodic schedule
 * must satisfy (validated by lib/model/schedule/validate.ts). This file is the ONE place where the bytes each link carries are
 * counted: the validator, the metrics, the baselines and the SpikePipe solvers all use it.
 *
 * Tensors. For every producer task and every kind of data it emits (`edge.data`) — a *tensor
 * group* — its bytes are counted once per distinct destination processor different from the
 * producer's. A tensor sent to two tasks on one processor (spikes to F_{l+1} and to Bw_{l+1})
 * moves once; sent to two processors, it moves twice. When one producer sends several edges of
 * one kind to one processor, the largest is counted (they carry the same tensor). Edges of any
 * delay count (a weight loop U_l → F_l whose ends sit on different processors moves the weights
 * every iteration). Edges without bytes and self-loops move nothing.
 *
 * Link model. The processors are fully connected by one dedicated full-duplex link per ORDERED
 * pair p → q, of `m.bandwidth` bytes per cycle (p → q and q → p are different links; a link is
 * used by nothing else). A transfer of b bytes occupies its link for ceil(b / bandwidth) cycles
 * (`linkCycles`) and arrives `m.latency` cycles after it leaves (latency is pipelined: it delays
 * the data, it does not occupy the link). A periodic schedule repeats every P cycles, so every
 * link must move its bytes of one iteration within one period:
 *     linkCycles(Σ bytes(p → q)) ≤ P   for every ordered pair p ≠ q,
 * which `validate` checks ('link' violations) and `linkPeriodBound` turns into a lower bound on
 * the period of an assignment. This is the throughput condition only: when, inside a period,
 * the transfers of a link take their turns is not modelled (the precedence check still charges
 * each transfer ceil(bytes/bandwidth) + latency as if it had the link to itself), so a schedule
 * that passes is sustainable on average but may need buffering to smooth bursts. One-shot
 * (makespan) schedules have no period and no link check.
 *
 * Communication overhead of a method = (crossing(method) − crossing(PipeDream, same network and
 * N)) / total communication of training, the total being `totalCommunication` of the network's
 * SpikePipe layer graph (one denominator for every method of a network).
 */
import type { Bytes, Cycles, Machine, Schedule, TaskGraph } from '../types';
import type { HardwareSpec, ResolvedNetwork } from '../spec/types';
import { placement } from '../schedule/schedule';
import { buildTrainingGraph } from '../graph/training';
import { totalCommunication } from '../cost/bytes';

/**
 * Total communication of training of `net`: `totalCommunication` of its SpikePipe layer graph at
 * batch B (every edge's bytes plus one read and one write of every weight). The same denominator
 * for every method of a network, whatever graph the method schedules.
 */
export function trainingCommunication(net: ResolvedNetwork, hw: HardwareSpec): Bytes {
  return totalCommunication(buildTrainingGraph(net, hw, { variant: 'spikepipe', granularity: 'layer' }));
}

// ---------------------------------------------------------------------------------------------
// Tensor groups: the per-link byte count, defined once.

/** The tensors of a graph: one group per (producer, data kind) with its destinations. */
export interface TensorGroups {
  /** Producer task of each group. */
  src: number[];
  /** Destination tasks of each group and the bytes of the (largest) edge to each. */
  dests: number[][];
  destBytes: number[][];
  /** Groups each task takes part in (as source or destination). */
  ofTask: number[][];
}

const groupCache = new WeakMap<TaskGraph, TensorGroups>();

/**
 * Tensor groups of a graph (cached per graph object: groups depend on the edges' ends, bytes and
 * data kinds, which no module changes after building a graph; `withStaleness` makes a new
 * object). O(E · d) for d destinations per group.
 */
export function tensorGroups(g: TaskGraph): TensorGroups {
  const hit = groupCache.get(g);
  if (hit) return hit;
  const key = new Map<string, number>();
  const src: number[] = [];
  const dests: number[][] = [];
  const destBytes: number[][] = [];
  const ofTask: number[][] = g.tasks.map(() => []);
  for (const e of g.edges) {
    if (e.bytes <= 0 || e.from === e.to) continue;
    const k = `${e.from}|${e.data ?? ''}`;
    let id = key.get(k);
    if (id === undefined) {
      id = src.length;
      key.set(k, id);
      src.push(e.from);
      dests.push([]);
      destBytes.push([]);
      ofTask[e.from].push(id);
    }
    const at = dests[id].indexOf(e.to);
    if (at >= 0) destBytes[id][at] = Math.max(destBytes[id][at], e.bytes);
    else {
      dests[id].push(e.to);
      destBytes[id].push(e.bytes);
      if (!ofTask[e.to].includes(id)) ofTask[e.to].push(id);
    }
  }
  const out = { src, dests, destBytes, ofTask };
  groupCache.set(g, out);
  return out;
}

// Scratch indexed by processor (reset after every use): the largest edge to each processor.
const scratch: number[] = [];
const touched: number[] = [];

/**
 * Visit the links group `id` uses under `proc`: `visit(p, q, bytes)` once per destination
 * processor q ≠ p = proc[src], with the largest edge to q. Tasks with proc < 0 are unplaced and
 * ignored (an unplaced producer sends nothing yet), so partial assignments give a lower bound
 * on what each link will carry. `visit` must not call back into this module (shared scratch).
 * O(d) for d destinations.
 */
export function forEachGroupLink(G: TensorGroups, id: number, proc: ArrayLike<number>, visit: (p: number, q: number, bytes: number) => void): void {
  const home = proc[G.src[id]];
  if (home < 0) return;
  const ds = G.dests[id];
  const bs = G.destBytes[id];
  if (ds.length === 1) {
    const q = proc[ds[0]];
    if (q >= 0 && q !== home) visit(home, q, bs[0]);
    return;
  }
  for (let i = 0; i < ds.length; i++) {
    const q = proc[ds[i]];
    if (q < 0 || q === home) continue;
    while (scratch.length <= q) scratch.push(-1);
    if (scratch[q] < 0) touched.push(q);
    if (bs[i] > scratch[q]) scratch[q] = bs[i];
  }
  // (Integer byte counts: the sums are exact whatever the visiting order.)
  const k = touched.length;
  for (let i = 0; i < k; i++) {
    const q = touched[i];
    const b = scratch[q];
    scratch[q] = -1;
    visit(home, q, b);
  }
  touched.length = 0;
}

/** Bytes group `id` sends across processors under `proc` (unplaced tasks ignored). O(d). */
export function groupCrossing(G: TensorGroups, id: number, proc: ArrayLike<number>): number {
  let total = 0;
  forEachGroupLink(G, id, proc, (_p, _q, b) => (total += b));
  return total;
}

export interface PairBytes {
  from: number;
  to: number;
  bytes: Bytes;
}

export interface Crossing {
  /** Σ bytes crossing processors per iteration (= per period). */
  total: Bytes;
  /** Per directed processor pair (= per link), sorted by (from, to); pairs with 0 bytes left out. */
  pairs: PairBytes[];
}

/**
 * Bytes per iteration on every link for a processor assignment (`proc[v]` per task index; < 0 =
 * unplaced, ignored). O(E log E).
 */
export function linkBytes(g: TaskGraph, proc: ArrayLike<number>): Crossing {
  const G = tensorGroups(g);
  const byPair = new Map<number, PairBytes>();
  let total = 0;
  let width = 0;
  for (let v = 0; v < g.tasks.length; v++) width = Math.max(width, proc[v] + 1);
  for (let id = 0; id < G.src.length; id++) {
    forEachGroupLink(G, id, proc, (p, q, b) => {
      total += b;
      const k = p * width + q;
      const hit = byPair.get(k);
      if (hit) hit.bytes += b;
      else byPair.set(k, { from: p, to: q, bytes: b });
    });
  }
  const pairs = [...byPair.values()].sort((a, b) => a.from - b.from || a.to - b.to);
  return { total, pairs };
}

/** Cycles a link is busy moving `bytes`: ceil(bytes / bandwidth) (0 for no bytes). Latency excluded. */
export function linkCycles(m: Machine, bytes: Bytes): Cycles {
  return bytes > 0 ? Math.ceil(bytes / m.bandwidth) : 0;
}

/**
 * The link bound of an assignment: the busiest link's cycles per iteration, max over ordered
 * pairs of ceil(bytes(p → q) / bandwidth) (0 without communication). Every periodic schedule
 * with this assignment has period ≥ it. O(E log E).
 */
export function linkPeriodBound(g: TaskGraph, m: Machine, procOf: ArrayLike<number>): Cycles {
  let worst = 0;
  for (const p of linkBytes(g, procOf).pairs) worst = Math.max(worst, linkCycles(m, p.bytes));
  return worst;
}

/** Processor of every task of `g` under `s` (throws on a task the schedule leaves out: a bug). */
function procOf(g: TaskGraph, s: Schedule): Int32Array {
  const { proc } = placement(g, s);
  const missing = proc.indexOf(-1);
  if (missing >= 0) throw new Error(`crossing bytes: task ${g.tasks[missing].id} is not in the schedule`);
  return proc;
}

/** Crossing bytes of a schedule, total and per link. O(E log E). */
export function crossingBytes(g: TaskGraph, s: Schedule): Crossing {
  return linkBytes(g, procOf(g, s));
}

/** (crossing(method) − crossing(PipeDream)) / total communication; 0 when the total is 0. */
export function commOverhead(crossingMethod: Bytes, crossingPipeDream: Bytes, totalCommunication: Bytes): number {
  if (totalCommunication <= 0) return 0;
  return (crossingMethod - crossingPipeDream) / totalCommunication;
}

export interface LinkLoad extends PairBytes {
  /** ceil(bytes / bandwidth): cycles the link is busy per iteration. */
  cycles: number;
  /** cycles / period. */
  utilisation: number;
}

export interface LinkLoadReport {
  links: LinkLoad[];
  /** The busiest link's cycles per iteration (0 without communication) = the link bound. */
  maxCycles: number;
  /** Links busier than the period (a periodic schedule with any is invalid: validate says 'link'). */
  overloaded: LinkLoad[];
}

/** Load of every link per period (periodic schedules; a makespan schedule is measured against its makespan). O(E log E). */
export function linkLoad(g: TaskGraph, m: Machine, s: Schedule): LinkLoadReport {
  const P = s.period ?? s.makespan ?? 0;
  const links = crossingBytes(g, s).pairs.map((p) => {
    const cycles = linkCycles(m, p.bytes);
    return { ...p, cycles, utilisation: P > 0 ? cycles / P : Infinity };
  });
  const maxCycles = links.reduce((a, l) => Math.max(a, l.cycles), 0);
  return { links, maxCycles, overloaded: links.filter((l) => l.cycles > P) };
}

/**
 * One-line note when the busiest link sets the period (its cycles per iteration equal the
 * period: the link, not any processor, binds), else null. An overloaded link is no note but a
 * validation failure.
 */
export function linkLoadNote(r: LinkLoadReport, period: number): string | null {
  if (r.links.length === 0 || r.maxCycles < period) return null;
  const worst = r.links.find((l) => l.cycles === r.maxCycles)!;
  const what = `${worst.bytes} bytes per iteration keep it busy ${worst.cycles} cycles`;
  return r.maxCycles === period
    ? `the link p${worst.from}→p${worst.to} sets the period: ${what}, the whole period`
    : `the link p${worst.from}→p${worst.to} is overloaded: ${what}, more than the period ${period} (an invalid schedule)`;
}
