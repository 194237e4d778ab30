/**
 * Retiming-plus-assignment: choose a processor for every task, then offsets, then iteration
 * indices by retiming.
 *
 * Why this works: with free weight loops (delay rule 'minimal') the remaining edges form a DAG,
 * and ANY assignment whose per-processor load is ≤ P and whose links each carry at most P cycles
 * of bytes per iteration (the link model of lib/model/metrics/communication.ts) is schedulable at
 * period P — pack each processor's tasks back to back (offsets), solve the difference
 * constraints for the iteration indices (retiming.ts: a DAG has no positive cycle), read d_l off
 * the loop edges. The links depend on the assignment only, not on the timing. So the period of
 * an assignment is max(largest load, link bound) (`assignmentPeriod`), and the search here is an
 * assignment search on that value with two secondary objectives: bytes crossing processors, then
 * staleness Σ d_l. The P||Cmax optimum of packing the task cycles (links ignored) remains a valid
 * LOWER bound, but is no longer the optimum when links bind. With fixed delays the loops bind
 * too, and a placement may need a period above that value (then P grows until the retiming
 * system has no positive cycle).
 *
 * Candidates: the caller's seeds (e.g. PipeDream's stage assignment, which guarantees never
 * being slower than PipeDream), the min-max contiguous partition of the tasks in layer-major
 * order (a fine-grained pipeline), LPT, MULTIFIT (these three on the cycles alone), each also
 * improved by a local search that moves or swaps tasks off the most loaded processor or the
 * busiest link choosing the least added crossing bytes per cycle saved; then an exact
 * depth-first branch and bound for P||Cmax (node-limited) that either improves the best load or
 * proves the packing bound; when no candidate reaches that bound because of links, a link-aware
 * branch and bound (`exactAssignment`) searches the period itself. Lower bound: the packing
 * bound, raised by `linkAwareLowerBound` (tensors too heavy for one link within the period
 * force their ends onto one processor). From the few candidates with
 * the fewest bytes that fit the best period (and, with a period tolerance, the tolerated one) a
 * crossing-bytes descent runs (moves, swaps, pair moves towards processors holding a task that
 * shares a tensor, every load and link kept ≤ the cap); each distinct assignment is then placed
 * (timing-aware modulo placement on the fixed processors, or back-to-back packing along the
 * data flow, whichever gives the smaller Σ d_l after loop compaction) and ranked by
 * (period, bytes, Σ d_l).
 *
 * Cost (n tasks, N processors, E edges): heuristics O(n log n + nN); period search
 * O(steps·n²·deg) (+ O(N²) per step with links); branch and bound ≤ nodeLimit·N (link-aware:
 * ×deg per node); bytes descent O(steps·(n·n/N + E·N)·deg); each placement O(n²N) (modulo) +
 * O(V·E) (retiming). Milliseconds to a few hundred ms on the shipped networks at layer
 * granularity (test/periodic.bench.ts).
 */
import type { Machine, TaskGraph } from '../../lib/model/types';
import {
  LinkLoads,
  assignmentPeriod,
  crossingBytes,
  dataflowOrder,
  groupCrossing,
  linkCycles,
  linkPeriodBound,
  minimalStaleness,
  packBackToBack,
  packingBounds,
  processorLoads,
  tensorGroups,
  compareQuality,
  qualityOf,
  type Placement,
  type Quality,
} from './common';
import { compactLoops, retimeOffsets, type BindingCycle } from './retiming';
import { moduloPlaceAt } from './modulo';

// ---------------------------------------------------------------------------------------------
// Packing heuristics on the cycles alone.

/** Longest Processing Time first: largest task to the least loaded processor. O(n log n + nN). */
export function lptAssignment(cycles: readonly number[], procs: number): number[] {
  const order = cycles.map((_, v) => v).sort((a, b) => cycles[b] - cycles[a] || a - b);
  const load = new Array<number>(procs).fill(0);
  const proc = new Array<number>(cycles.length).fill(0);
  for (const v of order) {
    let best = 0;
    for (let p = 1; p < procs; p++) if (load[p] < load[best]) best = p;
    proc[v] = best;
    load[best] += cycles[v];
  }
  return proc;
}

/** First-fit decreasing into `procs` bins of capacity C, or null. O(nN). */
function ffd(cycles: readonly number[], order: readonly number[], procs: number, C: number): number[] | null {
  const load = new Array<number>(procs).fill(0);
  const proc = new Array<number>(cycles.length).fill(0);
  for (const v of order) {
    let p = 0;
    while (p < procs && load[p] + cycles[v] > C) p++;
    if (p === procs) return null;
    proc[v] = p;
    load[p] += cycles[v];
  }
  return proc;
}

/**
 * MULTIFIT (Coffman, Garey, Johnson 1978): binary search on a bin capacity with first-fit
 * decreasing. O(k·nN) for k iterations.
 */
export function multifitAssignment(cycles: readonly number[], procs: number, iterations = 24): number[] {
  const order = cycles.map((_, v) => v).sort((a, b) => cycles[b] - cycles[a] || a - b);
  const W = cycles.reduce((a, b) => a + b, 0);
  const cmax = Math.max(0, ...cycles);
  let lo = Math.max(Math.ceil(W / procs), cmax);
  let hi = Math.max(Math.ceil((2 * W) / procs), cmax);
  let best = ffd(cycles, order, procs, hi) ?? lptAssignment(cycles, procs);
  for (let i = 0; i < iterations && lo < hi; i++) {
    const mid = Math.floor((lo + hi) / 2);
    const r = ffd(cycles, order, procs, mid);
    if (r) {
      best = r;
      hi = mid;
    } else lo = mid + 1;
  }
  return best;
}

/**
 * Min-max partition of a task sequence into at most `procs` contiguous blocks (block k on
 * processor k). Exact DP, O(n²·N).
 */
export function contiguousAssignment(cycles: readonly number[], sequence: readonly number[], procs: number): number[] {
  const n = sequence.length;
  const K = Math.min(procs, n);
  const pre = new Array<number>(n + 1).fill(0);
  for (let i = 0; i < n; i++) pre[i + 1] = pre[i] + cycles[sequence[i]];
  const best: Float64Array[] = [];
  const cut: Int32Array[] = [];
  for (let k = 0; k <= K; k++) {
    best.push(new Float64Array(n + 1).fill(Infinity));
    cut.push(new Int32Array(n + 1).fill(-1));
  }
  best[0][0] = 0;
  for (let k = 1; k <= K; k++) {
    for (let j = 0; j <= n; j++) {
      let b = Infinity;
      let arg = -1;
      for (let i = 0; i <= j; i++) {
        const v = Math.max(best[k - 1][i], pre[j] - pre[i]);
        if (v < b) {
          b = v;
          arg = i;
        }
      }
      best[k][j] = b;
      cut[k][j] = arg;
    }
  }
  const proc = new Array<number>(cycles.length).fill(0);
  let j = n;
  for (let k = K; k >= 1; k--) {
    const i = cut[k][j];
    for (let x = i; x < j; x++) proc[sequence[x]] = k - 1;
    j = i;
  }
  return proc;
}

/**
 * Tasks in layer-major order: layer 1's tasks, then layer 2's, …, the Loss last; inside a layer
 * Ba2_l first (so a cut just after it moves it to layer l−1's block, LayerPipe's inter-layer
 * move), then F, Ba1, Bw, U, by timestep. Graphs without layers keep their task order.
 */
export function layerMajorOrder(g: TaskGraph): number[] {
  const rank: Record<string, number> = { Ba2: 0, F: 1, Ba1: 2, Ba: 2, B: 3, Bw: 3, U: 4, Loss: 5, task: 0 };
  const key = (v: number) => {
    const t = g.tasks[v];
    const layer = t.kind === 'Loss' || t.layer < 1 ? g.layers + 1 : t.layer;
    return [layer, rank[t.kind] ?? 0, t.timestep ?? 0, v];
  };
  return g.tasks
    .map((_, v) => v)
    .sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
      return 0;
    });
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
      const v = Math.max(...load);
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
 * period optimal; with fixed delays it is a lower bound. Stops after `nodeLimit` nodes.
 */
export function exactAssignment(g: TaskGraph, m: Machine, ub: number, nodeLimit = 200_000): ExactPacking {
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
  const dfs = (i: number): void => {
    if (aborted || best <= lb) return;
    if (++nodes > nodeLimit) {
      aborted = true;
      return;
    }
    if (i === n) {
      const v = Math.max(...load, links.maxCycles());
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
      links.apply(proc, [v], [p]);
      load[p] += cycles[v];
      count[p]++;
      dfs(i + 1);
      links.apply(proc, [v], [-1]);
      load[p] -= cycles[v];
      count[p]--;
      if (aborted || best <= lb) return;
    }
  };
  dfs(0);
  return { proc: bestAssign, value: best, optimal: !aborted, nodes };
}

// ---------------------------------------------------------------------------------------------
// Local search with crossing bytes.

const stamps = new WeakMap<TaskGraph, { mark: Int32Array; tick: number }>();

/** Change in crossing bytes if the tasks in `moved` go to the processors in `to`. O(Σ group sizes). */
function moveDelta(g: TaskGraph, proc: number[], moved: readonly number[], to: readonly number[]): number {
  const G = tensorGroups(g);
  let st = stamps.get(g);
  if (!st) stamps.set(g, (st = { mark: new Int32Array(G.src.length), tick: 0 }));
  const tick = ++st.tick;
  const ids: number[] = [];
  for (const v of moved) {
    for (const id of G.ofTask[v]) {
      if (st.mark[id] !== tick) {
        st.mark[id] = tick;
        ids.push(id);
      }
    }
  }
  let before = 0;
  for (const id of ids) before += groupCrossing(G, id, proc);
  const old = moved.map((v) => proc[v]);
  moved.forEach((v, i) => (proc[v] = to[i]));
  let after = 0;
  for (const id of ids) after += groupCrossing(G, id, proc);
  moved.forEach((v, i) => (proc[v] = old[i]));
  return after - before;
}

/** Processors other than v's own that hold a task sharing a tensor with v (the only useful targets). */
function neighbourProcs(G: ReturnType<typeof tensorGroups>, proc: readonly number[], v: number): number[] {
  const out: number[] = [];
  for (const id of G.ofTask[v]) {
    const s = proc[G.src[id]];
    if (s !== proc[v] && !out.includes(s)) out.push(s);
    for (const d of G.dests[id]) if (proc[d] !== proc[v] && !out.includes(proc[d])) out.push(proc[d]);
  }
  return out.sort((a, b) => a - b);
}

/** Rank of a move: byte-saving moves first (most saved), then least added bytes per cycle saved. */
function moveRank(delta: number, saved: number): [number, number, number] {
  return delta <= 0 ? [0, delta, -saved] : [1, delta / saved, -saved];
}

function rankLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/** A resource that can set an assignment's period: a processor's load or a link's cycles. */
type Resource = { kind: 'proc'; p: number } | { kind: 'link'; k: number };

/**
 * Lower the assignment's period: without `m` the largest processor load (P||Cmax); with `m`
 * max(largest load, busiest link's cycles), the period the assignment needs (links as in
 * lib/model/metrics/communication.ts). Each step takes a resource at the maximum V (processors first,
 * then links by index) and applies, among the moves and swaps that bring it below V while no
 * other resource rises to V (one already at V may stay there), the one with the least added
 * crossing bytes per cycle saved. Each step lowers (V, number of resources at V)
 * lexicographically, so it terminates. Candidates: for a processor, moves of its tasks anywhere
 * and swaps with smaller tasks elsewhere; for a link p→q, moves and swaps of the tasks whose
 * tensors use it (senders on p, receivers on q). O(steps · k·(N + n)·deg) without links; with
 * links each trial adds O(deg) and each step O(N²).
 */
export function reduceMaxLoad(g: TaskGraph, proc0: readonly number[], procs: number, maxSteps = 20 * g.tasks.length, m?: Machine): number[] {
  const proc = proc0.slice();
  const c = g.tasks.map((t) => t.cycles);
  const n = c.length;
  const links = m ? new LinkLoads(g, { ...m, procs }, proc) : null;
  const G = tensorGroups(g);
  for (let step = 0; step < maxSteps; step++) {
    const load = processorLoads(g, proc, procs);
    const Lmax = Math.max(...load);
    const V = Math.max(Lmax, links ? links.maxCycles() : 0);
    const targets: Resource[] = [];
    for (let p = 0; p < procs; p++) if (load[p] === V) targets.push({ kind: 'proc', p });
    if (links) for (let k = 0; k < procs * procs; k++) if (links.bytes[k] > 0 && links.cycles(k) === V) targets.push({ kind: 'link', k });
    let best: { rank: [number, number, number]; moved: number[]; to: number[] } | null = null;
    const consider = (target: Resource, moved: number[], to: number[]) => {
      // Processor loads after the move (only the touched processors change).
      const newLoad = new Map<number, number>();
      moved.forEach((v, i) => {
        const a = proc[v];
        const b = to[i];
        newLoad.set(a, (newLoad.get(a) ?? load[a]) - c[v]);
        newLoad.set(b, (newLoad.get(b) ?? load[b]) + c[v]);
      });
      let targetAfter = target.kind === 'proc' ? (newLoad.get(target.p) ?? V) : V;
      for (const [p, l] of newLoad) if (l > V || (l === V && load[p] < V)) return;
      let bytesDelta: number;
      if (links) {
        const t = links.trial(proc, moved, to);
        for (const x of t.links) {
          const after = linkCycles(m!, x.bytes);
          const before = links.cycles(x.k);
          if (after > V || (after === V && before < V)) return;
          if (target.kind === 'link' && x.k === target.k) targetAfter = after;
        }
        bytesDelta = t.bytesDelta;
      } else bytesDelta = moveDelta(g, proc, moved, to);
      if (targetAfter >= V) return;
      const rank = moveRank(bytesDelta, V - targetAfter);
      if (!best || rankLess(rank, best.rank)) best = { rank, moved, to };
    };
    for (const target of targets) {
      if (target.kind === 'proc') {
        const pmax = target.p;
        for (let v = 0; v < n; v++) {
          if (proc[v] !== pmax || c[v] === 0) continue;
          for (let q = 0; q < procs; q++) if (q !== pmax) consider(target, [v], [q]);
          for (let u = 0; u < n; u++) {
            const q = proc[u];
            if (q === pmax || c[u] >= c[v]) continue;
            consider(target, [v, u], [q, pmax]);
          }
        }
      } else {
        const from = Math.floor(target.k / procs);
        const into = target.k % procs;
        // Tasks whose tensors use the link: senders on `from` with a receiver on `into`, and those receivers.
        const involved = new Set<number>();
        for (let id = 0; id < G.src.length; id++) {
          if (proc[G.src[id]] !== from) continue;
          const rx = G.dests[id].filter((d) => proc[d] === into);
          if (rx.length === 0) continue;
          involved.add(G.src[id]);
          for (const d of rx) involved.add(d);
        }
        for (const v of [...involved].sort((a, b) => a - b)) {
          for (let q = 0; q < procs; q++) if (q !== proc[v]) consider(target, [v], [q]);
          for (let u = 0; u < n; u++) if (proc[u] !== proc[v]) consider(target, [v, u], [proc[u], proc[v]]);
        }
      }
      if (best) break;
    }
    if (!best) break;
    const b: { moved: number[]; to: number[] } = best;
    if (links) links.apply(proc, b.moved, b.to);
    else b.moved.forEach((v, i) => (proc[v] = b.to[i]));
  }
  return proc;
}

/**
 * Lower the crossing bytes without any load exceeding `cap` (and, with `m`, without any link's
 * cycles rising above `cap`): best-improvement descent over single moves, swaps and moves of an
 * edge's two ends together. O(steps · (nN + k·n + E·N)·deg).
 */
export function reduceCrossing(g: TaskGraph, proc0: readonly number[], procs: number, cap: number, maxSteps = 10 * g.tasks.length, m?: Machine): number[] {
  const proc = proc0.slice();
  const c = g.tasks.map((t) => t.cycles);
  const n = c.length;
  const G = tensorGroups(g);
  const links = m ? new LinkLoads(g, { ...m, procs }, proc) : null;
  const pairs: [number, number][] = [];
  const seenPair = new Set<string>();
  for (const e of g.edges) {
    if (e.from === e.to) continue;
    const a = Math.min(e.from, e.to);
    const b = Math.max(e.from, e.to);
    const k = `${a},${b}`;
    if (!seenPair.has(k)) {
      seenPair.add(k);
      pairs.push([a, b]);
    }
  }
  /** Bytes delta of a move, or null when it would push a link above the cap. */
  const deltaOf = (moved: number[], to: number[]): number | null => {
    if (!links) return moveDelta(g, proc, moved, to);
    const t = links.trial(proc, moved, to);
    for (const x of t.links) {
      const after = linkCycles(m!, x.bytes);
      if (after > cap && after > links.cycles(x.k)) return null;
    }
    return t.bytesDelta;
  };
  for (let step = 0; step < maxSteps; step++) {
    const load = processorLoads(g, proc, procs);
    let best: { d: number; moved: number[]; to: number[] } | null = null;
    const consider = (moved: number[], to: number[]) => {
      const d = deltaOf(moved, to);
      if (d !== null && d < 0 && (!best || d < best.d)) best = { d, moved, to };
    };
    // Tasks touching a crossing tensor: only they can start an improving move.
    const hot: number[] = [];
    for (let v = 0; v < n; v++) {
      if (G.ofTask[v].some((id) => groupCrossing(G, id, proc) > 0)) hot.push(v);
    }
    // Moving v (or swapping it) helps only towards a processor holding a task it shares a
    // tensor with; pair moves likewise.
    for (const v of hot) {
      const targets = neighbourProcs(G, proc, v);
      for (const q of targets) {
        if (load[q] + c[v] > cap) continue;
        consider([v], [q]);
      }
      for (let u = 0; u < n; u++) {
        const pu = proc[u];
        const pv = proc[v];
        if (pu === pv || !targets.includes(pu)) continue;
        if (load[pu] - c[u] + c[v] > cap || load[pv] - c[v] + c[u] > cap) continue;
        consider([v, u], [pu, pv]);
      }
    }
    for (const [a, b] of pairs) {
      if (proc[a] !== proc[b]) continue;
      const targets = [...new Set([...neighbourProcs(G, proc, a), ...neighbourProcs(G, proc, b)])].sort((x, y) => x - y);
      for (const q of targets) {
        if (load[q] + c[a] + c[b] > cap) continue;
        consider([a, b], [q, q]);
      }
    }
    if (!best) break;
    const bb: { d: number; moved: number[]; to: number[] } = best;
    if (links) links.apply(proc, bb.moved, bb.to);
    else bb.moved.forEach((v, i) => (proc[v] = bb.to[i]));
  }
  return proc;
}

// ---------------------------------------------------------------------------------------------
// From an assignment to a legal placement.

export interface PlacedAssignment {
  placement: Placement;
  staleness: number[];
  /** How the offsets were made: 'modulo' (timing-aware) or 'packed' (back to back). */
  offsets: 'modulo' | 'packed';
}

export type PlaceResult = { ok: true; placed: PlacedAssignment } | { ok: false; binding: BindingCycle | null };

/**
 * Place a fixed assignment at period P (fails at once when a link of the assignment is busier
 * than P): (a) the modulo scheduler restricted to these processors
 * (starts right after the data arrive, so loops stay short), (b) back-to-back packing along the
 * data flow, then retiming. With free loops both are compacted and the smaller Σ d_l wins; with
 * fixed delays the first legal one is returned, else the binding cycle of (b).
 */
export function placeAt(g: TaskGraph, m: Machine, proc: readonly number[], P: number, freeLoops: boolean): PlaceResult {
  // A link busier than P cannot be fixed by timing: the assignment needs a longer period.
  if (linkPeriodBound(g, m, proc) > P) return { ok: false, binding: null };
  const options: PlacedAssignment[] = [];
  const mod = moduloPlaceAt(g, m, P, { freeLoops, proc });
  if (mod) options.push(finishPlacement(g, m, mod, freeLoops, 'modulo'));
  const order = dataflowOrder(g, freeLoops) ?? g.tasks.map((_, v) => v);
  const load = processorLoads(g, proc, m.procs);
  let binding: BindingCycle | null = null;
  if (Math.max(...load) <= P) {
    const off = packBackToBack(g, proc, m.procs, order);
    const r = retimeOffsets(g, m, [...proc], off, P, freeLoops);
    if (r.ok) options.push(finishPlacement(g, m, { period: P, proc: [...proc], start: r.start }, freeLoops, 'packed'));
    else binding = r.binding;
  }
  if (options.length === 0) return { ok: false, binding };
  options.sort((a, b) => sum(a.staleness) - sum(b.staleness));
  return { ok: true, placed: options[0] };
}

function finishPlacement(g: TaskGraph, m: Machine, pl: Placement, freeLoops: boolean, how: 'modulo' | 'packed'): PlacedAssignment {
  if (!freeLoops) return { placement: pl, staleness: stalenessFromGraph(g), offsets: how };
  const c = compactLoops(g, m, pl, true);
  return { placement: c, staleness: minimalStaleness(g, m, c), offsets: how };
}

function stalenessFromGraph(g: TaskGraph): number[] {
  const d = new Array<number>(g.layers).fill(0);
  for (const e of g.edges) if (e.loopLayer !== undefined) d[e.loopLayer - 1] = Math.max(d[e.loopLayer - 1], e.delay - 1);
  return d;
}

const sum = (a: readonly number[]) => a.reduce((x, y) => x + y, 0);

/**
 * Smallest period at which a fixed assignment places: with free loops its period
 * max(largest load, link bound) — the loops are free and the rest is a DAG, so packing and
 * retiming always succeed there; with fixed delays, steps of max(1, 2 %) from that value until
 * legal, then a binary search of the last step. Returns the binding cycle at the first value
 * when even `maxPeriod` fails.
 */
export function placeAssignment(
  g: TaskGraph,
  m: Machine,
  proc: readonly number[],
  freeLoops: boolean,
  maxPeriod = Infinity,
): PlaceResult & { firstBinding?: BindingCycle | null } {
  const P0 = Math.max(1, assignmentPeriod(g, m, proc), ...g.tasks.map((t) => t.cycles));
  const first = placeAt(g, m, proc, P0, freeLoops);
  if (first.ok || freeLoops) return first;
  const limit = Math.min(maxPeriod, P0 * (g.tasks.length + 2));
  let P = P0;
  let failed = P0;
  let found: PlacedAssignment | null = null;
  while (P < limit) {
    P = Math.min(limit, Math.max(P + 1, Math.ceil(P * 1.02)));
    const r = placeAt(g, m, proc, P, freeLoops);
    if (r.ok) {
      found = r.placed;
      break;
    }
    failed = P;
  }
  if (!found) return { ok: false, binding: first.binding, firstBinding: first.binding };
  let lo = failed + 1;
  let hi = found.placement.period;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const r = placeAt(g, m, proc, mid, freeLoops);
    if (r.ok) {
      hi = mid;
      found = r.placed;
    } else lo = mid + 1;
  }
  return { ok: true, placed: found, firstBinding: first.binding };
}

// ---------------------------------------------------------------------------------------------
// The solver.

export interface AssignOptions {
  freeLoops: boolean;
  /** Assignments to start from (e.g. PipeDream's stage assignment of the fine tasks). */
  seeds?: { name: string; proc: number[] }[];
  /** Branch-and-bound node limit (0 = skip the exact searches). */
  nodeLimit?: number;
  /**
   * Also keep assignments whose period is within this fraction above the best period (after a
   * crossing-bytes descent at that looser cap), for a caller that trades a little period for
   * fewer bytes. Default 0.
   */
  periodTolerance?: number;
  /** Crossing-bytes descents per cap, from the candidates with the fewest bytes (default 4). */
  descents?: number;
}

export interface AssignCandidate {
  name: string;
  maxLoad: number;
  /** The busiest link's cycles per iteration (the assignment's link bound). */
  linkCycles: number;
  bytes: number;
  period?: number;
  staleness?: number;
}

/** One assignment placed legally. */
export interface PlacedCandidate {
  name: string;
  placement: Placement;
  staleness: number[];
  quality: Quality;
}

export interface AssignResult {
  placement: Placement;
  staleness: number[];
  quality: Quality;
  /** Which candidate won. */
  name: string;
  /** Every candidate assignment considered (load, link and bytes; period and Σ d_l where placed). */
  candidates: AssignCandidate[];
  /** Every distinct assignment that was placed, best first. */
  placed: PlacedCandidate[];
  /**
   * P||Cmax bound of the task cycles on N processors (links ignored): the packing optimum when
   * `packingOptimal`, else max(ceil(W/N), longest task, pigeonhole). A valid LOWER bound on the
   * period of any schedule of the graph (every processor's load fits in the period), but no
   * longer the optimum once links are counted.
   */
  packingBound: number;
  packingOptimal: boolean;
  /** `linkAwareLowerBound`: the packing bound once tensors too heavy for a link are kept local. */
  linkBound: number;
  /**
   * Best proven lower bound on the period of any schedule of the graph on this machine, links
   * included: max(packingBound, linkBound, the link-aware assignment optimum when
   * `exactAssignment` finished). Equal to the best period when `periodOptimal`.
   */
  periodBound: number;
  /** With free loops: the best period found is proven minimal (packing or link-aware search finished and reached). */
  periodOptimal: boolean;
  /** Set when some candidate could not be placed at its load (fixed delays): the loop that binds. */
  binding?: BindingCycle;
}

/** Run the retiming-plus-assignment solver. Null only if no candidate could be placed at all. */
export function assignAndRetime(g: TaskGraph, m: Machine, opts: AssignOptions): AssignResult | null {
  const N = m.procs;
  const cycles = g.tasks.map((t) => t.cycles);
  const raw: { name: string; proc: number[] }[] = [];
  for (const s of opts.seeds ?? []) raw.push({ name: s.name, proc: s.proc.slice() });
  raw.push({ name: 'contiguous', proc: contiguousAssignment(cycles, layerMajorOrder(g), N) });
  raw.push({ name: 'lpt', proc: lptAssignment(cycles, N) });
  raw.push({ name: 'multifit', proc: multifitAssignment(cycles, N) });
  const pool: { name: string; proc: number[] }[] = [];
  for (const r of raw) {
    pool.push(r);
    pool.push({ name: `${r.name}+ls`, proc: reduceMaxLoad(g, r.proc, N, undefined, m) });
  }
  const loadOf = (p: readonly number[]) => Math.max(0, ...processorLoads(g, p, N));
  const periodOf = (p: readonly number[]) => assignmentPeriod(g, m, p);
  // The P||Cmax bound on the loads alone (a lower bound whatever the links).
  let bestLoad = Math.min(...pool.map((c) => loadOf(c.proc)));
  const pb = packingBounds(g, N);
  let packingBound = Math.max(pb.work, pb.longest, pb.pigeonhole);
  let packingOptimal = bestLoad <= packingBound;
  const nodeLimit = opts.nodeLimit ?? 200_000;
  if (!packingOptimal && nodeLimit > 0) {
    const ex = exactPacking(cycles, N, bestLoad, nodeLimit);
    if (ex.proc) {
      pool.push({ name: 'exact', proc: ex.proc });
      pool.push({ name: 'exact+ls', proc: reduceMaxLoad(g, ex.proc, N, undefined, m) });
      bestLoad = ex.value;
    }
    if (ex.optimal) {
      packingOptimal = true;
      packingBound = Math.max(packingBound, ex.value);
    }
  }
  if (packingOptimal) packingBound = Math.max(packingBound, bestLoad);
  // With links: when no candidate reaches the packing optimum, search assignments for the
  // period itself (loads and links together).
  let bestPeriod = Math.min(...pool.map((c) => periodOf(c.proc)));
  const linkBound = linkAwareLowerBound(g, m);
  let periodBound = Math.max(packingBound, linkBound);
  let periodOptimal = bestPeriod <= periodBound;
  if (!periodOptimal && packingOptimal && nodeLimit > 0) {
    const ex = exactAssignment(g, m, bestPeriod, nodeLimit);
    if (ex.proc) {
      pool.push({ name: 'exact-links', proc: ex.proc });
      bestPeriod = ex.value;
    }
    if (ex.optimal) {
      periodOptimal = true;
      periodBound = Math.max(periodBound, bestPeriod);
    }
  }
  if (periodOptimal) periodBound = Math.max(periodBound, bestPeriod);
  // Crossing-bytes descent at the best period, and at the tolerated period if that is larger.
  const caps = [bestPeriod];
  const loose = Math.floor(bestPeriod * (1 + (opts.periodTolerance ?? 0)));
  if (loose > bestPeriod) caps.push(loose);
  const finals: { name: string; proc: number[] }[] = [];
  const descents = opts.descents ?? 4;
  for (const c of pool) {
    if (!(opts.freeLoops && periodOf(c.proc) > caps[caps.length - 1])) finals.push(c);
  }
  // The descent is the costly step (O(n²) per move): run it from the `descents` distinct
  // assignments with the fewest bytes that fit each cap.
  for (const cap of caps) {
    const fit = pool
      .filter((c) => periodOf(c.proc) <= cap)
      .map((c) => ({ c, bytes: crossingBytes(g, c.proc) }))
      .sort((a, b) => a.bytes - b.bytes);
    const keys = new Set<string>();
    for (const { c } of fit) {
      const key = c.proc.join(',');
      if (keys.has(key)) continue;
      keys.add(key);
      if (keys.size > descents) break;
      finals.push({ name: `${c.name}+bytes${cap > bestPeriod ? '(tol)' : ''}`, proc: reduceCrossing(g, c.proc, N, cap, undefined, m) });
    }
  }
  const candidates: AssignCandidate[] = pool.map((c) => ({ name: c.name, maxLoad: loadOf(c.proc), linkCycles: linkPeriodBound(g, m, c.proc), bytes: crossingBytes(g, c.proc) }));
  const placed: PlacedCandidate[] = [];
  const seen = new Set<string>();
  let binding: BindingCycle | undefined;
  for (const c of finals) {
    const key = c.proc.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    const r = placeAssignment(g, m, c.proc, opts.freeLoops);
    if (!r.ok) {
      if (r.binding && !binding) binding = r.binding;
      continue;
    }
    if (r.firstBinding && !binding) binding = r.firstBinding;
    const q = qualityOf(g, r.placed.placement, r.placed.staleness);
    const entry = candidates.find((x) => x.name === c.name);
    if (entry) Object.assign(entry, { period: q.period, staleness: q.staleness });
    else candidates.push({ name: c.name, maxLoad: loadOf(c.proc), linkCycles: linkPeriodBound(g, m, c.proc), bytes: q.bytes, period: q.period, staleness: q.staleness });
    placed.push({ name: c.name, placement: r.placed.placement, staleness: r.placed.staleness, quality: q });
  }
  if (placed.length === 0) return null;
  placed.sort((a, b) => compareQuality(a.quality, b.quality));
  const best = placed[0];
  const out: AssignResult = {
    placement: best.placement,
    staleness: best.staleness,
    quality: best.quality,
    name: best.name,
    candidates,
    placed,
    packingBound,
    packingOptimal,
    linkBound,
    periodBound,
    periodOptimal: opts.freeLoops && periodOptimal && best.quality.period <= periodBound,
  };
  if (binding) out.binding = binding;
  return out;
}
