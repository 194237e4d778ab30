/**
 * Exact searches for the assignment solver and the bounds they prune with: a depth-first branch
 * and bound for P||Cmax on the task cycles (`exactPacking`), the same for the period with links
 * (`exactAssignment`), the P||Cmax bounds (`packingBounds`) and the link-aware lower bound on the
 * period of any schedule (`linkAwareLowerBound`). Both searches are node-limited; a finished
 * search proves its value optimal.
 */
import type { Machine, TaskGraph } from '../../lib/model/types';
import { linkCycles, tensorGroups } from '../../lib/model/metrics/communication';
import { LinkLoads } from './link-loads';
import { maxOf } from '../../lib/model/extrema';

/** Sum over tasks; ceil(W / N); longest task; and the (N+1)-task pigeonhole bound c_N + c_{N+1}. */
export function packingBounds(g: TaskGraph, procs: number): { work: number; longest: number; pigeonhole: number } {
  const c = g.tasks.map((t) => t.cycles).sort((a, b) => b - a);
  const W = c.reduce((a, b) => a + b, 0);
  const pigeonhole = c.length > procs ? c[procs - 1] + c[procs] : 0;
  return { work: Math.ceil(W / procs), longest: c[0] ?? 0, pigeonhole };
}

export interface ExactPacking {
  proc: number[] | null;
  value: number;
  /** True when the search finished: `value` is the optimum (P||Cmax for `exactPacking`, links ignored; the period for `exactAssignment`). */
  optimal: boolean;
  nodes: number;
}

/**
 * Depth-first branch and bound for P||Cmax: tasks in decreasing size, each to a processor whose
 * load stays below the incumbent; processors with equal loads are tried once (symmetry); a node
 * is cut when the free room below the incumbent cannot hold the remaining work. Looks for a value
 * strictly below `ub` (returns proc null if none exists: then ub is optimal when `optimal`).
 * Links are ignored: the optimum is a valid lower bound on any schedule's period (each
 * processor's load fits in the period) but not always reachable (`exactAssignment`).
 * Exponential worst case; stops after `nodeLimit` nodes.
 */
export function exactPacking(cycles: readonly number[], procs: number, ub: number, nodeLimit = 200_000): ExactPacking {
  const n = cycles.length;
  const order = cycles.map((_, v) => v).sort((a, b) => cycles[b] - cycles[a] || a - b);
  const c = order.map((v) => cycles[v]);
  const suffix = new Array<number>(n + 1).fill(0);
  for (let i = n - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + c[i];
  const sorted = c.slice();
  const lb = Math.max(Math.ceil(suffix[0] / procs), sorted[0] ?? 0, n > procs ? sorted[procs - 1] + sorted[procs] : 0);
  let best = ub;
  let bestAssign: number[] | null = null;
  const load = new Array<number>(procs).fill(0);
  const at = new Array<number>(n).fill(0);
  let nodes = 0;
  let aborted = false;
  const dfs = (i: number): void => {
    if (aborted || best <= lb) return;
    if (++nodes > nodeLimit) {
      aborted = true;
      return;
    }
    if (i === n) {
      const v = maxOf(load);
      if (v < best) {
        best = v;
        bestAssign = at.slice();
      }
      return;
    }
    let room = 0;
    for (let p = 0; p < procs; p++) room += Math.max(0, best - 1 - load[p]);
    if (room < suffix[i]) return;
    const tried: number[] = [];
    for (let p = 0; p < procs; p++) {
      if (load[p] + c[i] >= best || tried.includes(load[p])) continue;
      tried.push(load[p]);
      load[p] += c[i];
      at[i] = p;
      dfs(i + 1);
      load[p] -= c[i];
      if (aborted || best <= lb) return;
    }
  };
  dfs(0);
  let proc: number[] | null = null;
  if (bestAssign) {
    proc = new Array<number>(n).fill(0);
    const a: number[] = bestAssign;
    order.forEach((v, i) => (proc![v] = a[i]));
  }
  return { proc, value: best, optimal: !aborted, nodes };
}

/**
 * A lower bound on the period of ANY schedule of `g` on `m` that sees the links: at period P a
 * tensor edge whose bytes alone need more than P cycles on a link (ceil(b / bandwidth) > P)
 * cannot cross processors — the link it would use carries at least those bytes — so its two
 * ends share a processor. Merge those (union-find) and the clusters must be packed: P is
 * feasible only if P ≥ the largest cluster, ceil(W / N), and the pigeonhole bound of the
 * cluster sizes (the N-th plus the (N+1)-th largest). That test is monotone in P (a larger P
 * forces fewer merges), so a binary search finds the smallest P passing it, which is ≤ the
 * period of every valid schedule. With no heavy tensor it is the simple packing bound.
 * O(log W · E α(n)).
 */
export function linkAwareLowerBound(g: TaskGraph, m: Machine): number {
  const n = g.tasks.length;
  const N = m.procs;
  const c = g.tasks.map((t) => t.cycles);
  const W = c.reduce((a, b) => a + b, 0);
  const G = tensorGroups(g);
  const heavy: { u: number; v: number; cycles: number }[] = [];
  G.src.forEach((s, id) => G.dests[id].forEach((d, i) => heavy.push({ u: s, v: d, cycles: linkCycles(m, G.destBytes[id][i]) })));
  const parent = new Int32Array(n);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]];
    return x;
  };
  const feasible = (P: number): boolean => {
    for (let v = 0; v < n; v++) parent[v] = v;
    for (const h of heavy) {
      if (h.cycles <= P) continue;
      const a = find(h.u);
      const b = find(h.v);
      if (a !== b) parent[a] = b;
    }
    const size = new Map<number, number>();
    for (let v = 0; v < n; v++) size.set(find(v), (size.get(find(v)) ?? 0) + c[v]);
    const sizes = [...size.values()].sort((a, b) => b - a);
    const pigeonhole = sizes.length > N ? sizes[N - 1] + sizes[N] : 0;
    return P >= Math.max(sizes[0] ?? 0, Math.ceil(W / N), pigeonhole);
  };
  let lo = 1;
  let hi = Math.max(1, W);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (feasible(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Depth-first branch and bound for the assignment's PERIOD with links: minimise
 * max(largest load, busiest link's cycles) (links as in lib/model/metrics/communication.ts), looking
 * for a value strictly below `ub`. Tasks in decreasing size; a processor is tried only if its
 * load and every link the task's tensors would add to stay below the incumbent (partial
 * assignments only add bytes to a link, so the cut is sound); the room cut of `exactPacking`
 * applies. Symmetry: only EMPTY processors are interchangeable here (two processors with equal
 * loads hold different tasks and so different links), which makes the search much larger than
 * the P||Cmax one: run it only when links keep the packing optimum out of reach. With free
 * loops the period of an assignment is exactly this value, so a finished search proves the
 * period optimal; with fixed delays it is a lower bound. Stops after `nodeLimit` nodes. With
 * `maxBytes` (a communication budget) only assignments whose crossing bytes stay within it are
 * searched — partial assignments only add crossing bytes too, so that cut is sound — and a
 * finished search proves the period optimal under the budget.
 */
export function exactAssignment(g: TaskGraph, m: Machine, ub: number, nodeLimit = 200_000, maxBytes = Infinity): ExactPacking {
  const n = g.tasks.length;
  const N = m.procs;
  const cycles = g.tasks.map((t) => t.cycles);
  const order = cycles.map((_, v) => v).sort((a, b) => cycles[b] - cycles[a] || a - b);
  const suffix = new Array<number>(n + 1).fill(0);
  for (let i = n - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + cycles[order[i]];
  const pb = packingBounds(g, N);
  const lb = Math.max(pb.work, pb.longest, pb.pigeonhole, linkAwareLowerBound(g, m));
  const proc = new Array<number>(n).fill(-1);
  const links = new LinkLoads(g, m, proc);
  const load = new Array<number>(N).fill(0);
  const count = new Array<number>(N).fill(0);
  let best = ub;
  let bestAssign: number[] | null = null;
  let nodes = 0;
  let aborted = false;
  let bytes = 0;
  const dfs = (i: number): void => {
    if (aborted || best <= lb) return;
    if (++nodes > nodeLimit) {
      aborted = true;
      return;
    }
    if (i === n) {
      const v = maxOf(load, links.maxCycles());
      if (v < best) {
        best = v;
        bestAssign = proc.slice();
      }
      return;
    }
    let room = 0;
    for (let p = 0; p < N; p++) room += Math.max(0, best - 1 - load[p]);
    if (room < suffix[i]) return;
    const v = order[i];
    let triedEmpty = false;
    for (let p = 0; p < N; p++) {
      if (load[p] + cycles[v] >= best) continue;
      if (count[p] === 0) {
        if (triedEmpty) continue;
        triedEmpty = true;
      }
      const t = links.trial(proc, [v], [p]);
      if (t.links.some((x) => linkCycles(m, x.bytes) >= best)) continue;
      if (bytes + t.bytesDelta > maxBytes) continue;
      links.apply(proc, [v], [p]);
      load[p] += cycles[v];
      count[p]++;
      bytes += t.bytesDelta;
      dfs(i + 1);
      links.apply(proc, [v], [-1]);
      load[p] -= cycles[v];
      count[p]--;
      bytes -= t.bytesDelta;
      if (aborted || best <= lb) return;
    }
  };
  dfs(0);
  return { proc: bestAssign, value: best, optimal: !aborted, nodes };
}
