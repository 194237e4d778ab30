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
 *
 * The pieces: cycle-packing.ts (LPT, MULTIFIT, contiguous), exact-assignment.ts (branch and
 * bound, packing and link-aware bounds), local-search.ts (period and bytes descents),
 * place-assignment.ts (offsets and retiming of one assignment); this file runs them.
 */
import { isHeterogeneous, taskCycles } from '../../lib/model/durations';
import type { Machine, TaskGraph } from '../../lib/model/types';
import { linkPeriodBound } from '../../lib/model/metrics/communication';
import type { PeriodicPlacement } from '../../lib/model/schedule/placement';
import { assignmentPeriod, crossingBytes, processorLoads } from './assignment-cost';
import { compareQuality, qualityOf, type Quality } from './quality';
import { contiguousAssignment, layerMajorOrder, lptAssignment, multifitAssignment } from './cycle-packing';
import { exactAssignment, exactPacking, linkAwareLowerBound, packingBounds } from './exact-assignment';
import { reduceCrossing, reduceMaxLoad } from './local-search';
import { placeAssignment } from './place-assignment';
import type { BindingCycle } from './retiming';
import { maxOf, minOf } from '../../lib/model/extrema';

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
  /**
   * A communication budget: every assignment the search keeps crosses at most this many bytes
   * per iteration. Candidates above it are dropped, the period descents never cross it, the
   * one-processor assignment (0 bytes) is an extra start, and the link-aware branch and bound
   * searches within it (so a finished search proves the period optimal under the budget).
   */
  maxBytes?: number;
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
  placement: PeriodicPlacement;
  staleness: number[];
  quality: Quality;
}

export interface AssignResult {
  placement: PeriodicPlacement;
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
  /**
   * Whether `periodBound` accounts for the communication budget: true without one, or when the
   * branch and bound finished within it (or the best period meets the budget-blind bound);
   * otherwise `periodBound` is the budget-blind bound, valid but weaker.
   */
  boundUnderBudget: boolean;
  /** Set when some candidate could not be placed at its load (fixed delays): the loop that binds. */
  binding?: BindingCycle;
}

/**
 * Heterogeneous machines: tasks by decreasing smallest duration, each to the processor whose
 * load plus the task's duration there is smallest (LPT with earliest finish). O(n log n + nN).
 */
function earliestFinishAssignment(g: TaskGraph, m: Machine): number[] {
  const load = new Array<number>(m.procs).fill(0);
  const proc = new Array<number>(g.tasks.length).fill(0);
  const order = g.tasks.map((_, v) => v).sort((a, b) => g.tasks[b].cycles - g.tasks[a].cycles || a - b);
  for (const v of order) {
    let best = 0;
    for (let q = 1; q < m.procs; q++) if (load[q] + taskCycles(g.tasks[v], q, m) < load[best] + taskCycles(g.tasks[v], best, m)) best = q;
    proc[v] = best;
    load[best] += taskCycles(g.tasks[v], best, m);
  }
  return proc;
}

/** Run the retiming-plus-assignment solver. Null only if no candidate could be placed at all. */
export function assignAndRetime(g: TaskGraph, m: Machine, opts: AssignOptions): AssignResult | null {
  const N = m.procs;
  const cycles = g.tasks.map((t) => t.cycles);
  const maxBytes = opts.maxBytes ?? Infinity;
  const fits = (p: readonly number[]) => maxBytes === Infinity || crossingBytes(g, p) <= maxBytes;
  const raw: { name: string; proc: number[] }[] = [];
  for (const s of opts.seeds ?? []) raw.push({ name: s.name, proc: s.proc.slice() });
  raw.push({ name: 'contiguous', proc: contiguousAssignment(cycles, layerMajorOrder(g), N) });
  raw.push({ name: 'lpt', proc: lptAssignment(cycles, N) });
  raw.push({ name: 'multifit', proc: multifitAssignment(cycles, N) });
  const hetero = isHeterogeneous(g);
  if (hetero) raw.push({ name: 'lpt-eft', proc: earliestFinishAssignment(g, m) });
  // Under a budget, grow from everything on one processor (0 bytes) too.
  if (maxBytes < Infinity) raw.push({ name: 'one-processor', proc: new Array<number>(g.tasks.length).fill(0) });
  const pool: { name: string; proc: number[] }[] = [];
  for (const r of raw) {
    if (fits(r.proc)) pool.push(r);
    const ls = reduceMaxLoad(g, r.proc, N, undefined, m, maxBytes);
    if (fits(ls)) pool.push({ name: `${r.name}+ls`, proc: ls });
  }
  if (pool.length === 0) return null;
  const loadOf = (p: readonly number[]) => maxOf(processorLoads(g, p, N, m), 0);
  const periodOf = (p: readonly number[]) => assignmentPeriod(g, m, p);
  // The P||Cmax bound on the loads alone (a lower bound whatever the links).
  let bestLoad = minOf(pool.map((c) => loadOf(c.proc)));
  const pb = packingBounds(g, N);
  let packingBound = Math.max(pb.work, pb.longest, pb.pigeonhole);
  let packingOptimal = bestLoad <= packingBound;
  // The exact searches assume identical processors: skipped on per-processor durations, where
  // the packing bound of the smallest durations remains a valid lower bound (lib/model/bounds).
  const nodeLimit = hetero ? 0 : (opts.nodeLimit ?? 200_000);
  if (!packingOptimal && nodeLimit > 0) {
    const ex = exactPacking(cycles, N, bestLoad, nodeLimit);
    if (ex.proc) {
      if (fits(ex.proc)) pool.push({ name: 'exact', proc: ex.proc });
      const ls = reduceMaxLoad(g, ex.proc, N, undefined, m, maxBytes);
      if (fits(ls)) pool.push({ name: 'exact+ls', proc: ls });
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
  let bestPeriod = minOf(pool.map((c) => periodOf(c.proc)));
  const linkBound = linkAwareLowerBound(g, m);
  let periodBound = Math.max(packingBound, linkBound);
  let periodOptimal = bestPeriod <= periodBound;
  let boundUnderBudget = maxBytes === Infinity || periodOptimal;
  if (!periodOptimal && packingOptimal && nodeLimit > 0) {
    const ex = exactAssignment(g, m, bestPeriod, nodeLimit, maxBytes);
    if (ex.proc) {
      pool.push({ name: 'exact-links', proc: ex.proc });
      bestPeriod = ex.value;
    }
    if (ex.optimal) {
      periodOptimal = true;
      boundUnderBudget = true;
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
    boundUnderBudget,
  };
  if (binding) out.binding = binding;
  return out;
}
