/**
 * Communication metrics of a schedule (design §4).
 *
 * Crossing bytes: for every producer task and every kind of data it emits (`edge.data`), its
 * bytes are counted once per distinct destination processor different from the producer's. A
 * tensor sent to two tasks on one processor (spikes to F_{l+1} and to Bw_{l+1}) moves once; sent
 * to two processors, it moves twice. Edges of any delay count (a weight loop U_l → F_l whose ends
 * sit on different processors moves the weights every iteration). When one producer sends several
 * edges of one kind to one processor, the largest is counted (they carry the same tensor).
 *
 * Communication overhead of a method = (crossing(method) − crossing(PipeDream, same network and
 * N)) / total communication of training, the total being `totalCommunication` of the network's
 * SpikePipe layer graph (one denominator for every method of a network).
 *
 * Link load: the same deduplicated bytes per directed processor pair per period, over the link
 * bandwidth. The validator treats links as contention-free (any number of transfers in flight),
 * so a pair loaded above the period is a schedule the real links could not sustain: flagged.
 */
import type { Bytes, Machine, Schedule, TaskGraph } from '../types';
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

export interface PairBytes {
  from: number;
  to: number;
  bytes: Bytes;
}

export interface Crossing {
  /** Σ bytes crossing processors per iteration (= per period). */
  total: Bytes;
  /** Per directed processor pair, sorted by (from, to); pairs with 0 bytes left out. */
  pairs: PairBytes[];
}

/** Processor of every task of `g` under `s` (throws on a task the schedule leaves out: a bug). */
function procOf(g: TaskGraph, s: Schedule): Int32Array {
  const { proc } = placement(g, s);
  const missing = proc.indexOf(-1);
  if (missing >= 0) throw new Error(`crossing bytes: task ${g.tasks[missing].id} is not in the schedule`);
  return proc;
}

/** Crossing bytes of a schedule, total and per processor pair. O(E log E). */
export function crossingBytes(g: TaskGraph, s: Schedule): Crossing {
  const proc = procOf(g, s);
  // key producer|data|destination → max bytes
  const moved = new Map<string, { from: number; to: number; bytes: number }>();
  for (const e of g.edges) {
    const p = proc[e.from];
    const q = proc[e.to];
    if (p === q || e.bytes <= 0) continue;
    const key = `${e.from}|${e.data ?? ''}|${q}`;
    const hit = moved.get(key);
    if (!hit) moved.set(key, { from: p, to: q, bytes: e.bytes });
    else if (e.bytes > hit.bytes) hit.bytes = e.bytes;
  }
  const byPair = new Map<string, PairBytes>();
  let total = 0;
  for (const m of moved.values()) {
    total += m.bytes;
    const k = `${m.from}>${m.to}`;
    const hit = byPair.get(k);
    if (hit) hit.bytes += m.bytes;
    else byPair.set(k, { from: m.from, to: m.to, bytes: m.bytes });
  }
  const pairs = [...byPair.values()].sort((a, b) => a.from - b.from || a.to - b.to);
  return { total, pairs };
}

/** (crossing(method) − crossing(PipeDream)) / total communication; 0 when the total is 0. */
export function commOverhead(crossingMethod: Bytes, crossingPipeDream: Bytes, totalCommunication: Bytes): number {
  if (totalCommunication <= 0) return 0;
  return (crossingMethod - crossingPipeDream) / totalCommunication;
}

export interface LinkLoad extends PairBytes {
  /** bytes / bandwidth: cycles the link is busy per period. */
  cycles: number;
  /** cycles / period. */
  utilisation: number;
}

export interface LinkLoadReport {
  links: LinkLoad[];
  /** The busiest link's cycles per period (0 without communication). */
  maxCycles: number;
  /** Links busier than the period: the schedule relies on contention-free links. */
  overloaded: LinkLoad[];
}

/** Load of every directed link per period (needs a periodic schedule). O(E log E). */
export function linkLoad(g: TaskGraph, m: Machine, s: Schedule): LinkLoadReport {
  const P = s.period ?? s.makespan ?? 0;
  const links = crossingBytes(g, s).pairs.map((p) => {
    const cycles = p.bytes / m.bandwidth;
    return { ...p, cycles, utilisation: P > 0 ? cycles / P : Infinity };
  });
  const maxCycles = links.reduce((a, l) => Math.max(a, l.cycles), 0);
  return { links, maxCycles, overloaded: links.filter((l) => l.cycles > P) };
}

/** One-line note for overloaded links, or null. */
export function linkLoadNote(r: LinkLoadReport, period: number): string | null {
  if (r.overloaded.length === 0) return null;
  const worst = r.overloaded.reduce((a, b) => (b.cycles > a.cycles ? b : a));
  return (
    `${r.overloaded.length} link(s) carry more bytes per period than their bandwidth allows ` +
    `(worst p${worst.from}→p${worst.to}: ${Math.ceil(worst.cycles)} cycles of transfer per period of ${period}); ` +
    `the validator does not model link contention`
  );
}
