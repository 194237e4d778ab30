/**
 * Zero Bubble pipeline orders (Qi, Wan, Huang, Lin, "Zero Bubble (Almost) Pipeline Parallelism",
 * ICLR'24, arXiv 2401.10241; sail-sg/zero-bubble-pipeline-parallelism): one chunk per rank, the
 * backward split into I (input gradient, our Ba1 + Ba2) and W (weight gradient, our Bw). I is on
 * the critical path (I on rank r needs only I on rank r + 1), W only needs its own I, so W's are
 * deferred into the idle slots. One family, parameterised by a memory limit K: the micro-batches
 * of activation a rank may hold (forward run, W not yet run: W reads the forward's input spikes
 * and I's δI, which on our graphs weigh as much as the membrane state I frees). K = S is ZB-H1
 * (1F1B's peak, ZB1P), K = 2S − 1 ZB-H2 (the paper's (2p − 1)·M_B, ZB2P). The rules are the
 * paper's handcrafted schedules (§2) as the repository's heuristic builds them
 * (`Graph.manual_order` in `megatron/core/pipeline_parallel/zerobubble/scheduler/zb.py`; its
 * `--zero-bubble-max-pending-backward` K·f_mem is our K) with T_F = T_B = T_W, the paper's
 * handcrafted assumption:
 *
 * - warm-up: rank r runs w_r = min(m, K − r, 2(S − r) − 1) forwards (at least 1) before its
 *   first I: 2(S − r) − 1 arrive before that I can (unit time: S forwards down, S − 1 − r I's
 *   back); K − r leaves room for the r W's rank r keeps deferred in the steady state (torch's
 *   ZB1P starts rank r's W's after r steps). This is the repository's count (forwards that fit
 *   before the first B and in memory, strictly fewer than the rank before) in unit time, except
 *   when m ≤ S, where the repository lets a rank run all m and torch (min(m, S − r), taken here)
 *   does not; non-increasing in r, so no rank waits on a forward that waits on its own I;
 * - then I and F alternate as in 1F1B (I first: it is on the critical path), then the last I's;
 * - W's fill the rest: in a unit-time run of all ranks, a rank whose next I/F is not ready, or
 *   whose next F would exceed K, runs its oldest pending W (the repository inserts a W wherever
 *   it ends before the next pass's input arrives, and before an F that would break the memory
 *   limit); the W's left at the end close the list.
 *
 * With K = S this is 1F1B's warm-up (w_r = min(m, S − r)) with rank r deferring its first r W's:
 * the paper's ZB-H1 ("all stages have the same number of in-flight micro-batches"), action for
 * action torch's `ScheduleInterleavedZeroBubble` with one stage per rank (test/zero-bubble.test.ts).
 * With K = 2S − 1 the warm-up is 2(S − r) − 1, ZB-H2's, and the tail's W's fill the drain (the
 * parallelogram); with F = I = W the period is then m·(F + I + W) once m ≥ 2S − 1.
 * The order is computed in unit time; actions.ts times it on the real costs (as torch and the
 * repository's fixed handcrafted schedules do), so unequal F/I/W or transfers leave bubbles the
 * unit-time run did not see.
 */
import { defineOptions } from '../options';
import type { PipelineContext, PipelineResult } from './method';
import { act, type Action } from './actions';
import { microBatchChoices } from './micro-batches';
import { searchSync, syncResult, type SyncCandidate, type SyncDetails, type SyncShape } from './sync-search';
import { peakMemory } from './budget';
import { fail, InputError } from '../../lib/model/errors';

/** Forwards before the first I on each rank (see the module comment). */
export function zbWarmup(S: number, m: number, K: number): number[] {
  const w: number[] = [];
  for (let r = 0; r < S; r++) w.push(Math.max(1, Math.min(m, K - r, 2 * (S - r) - 1)));
  return w;
}

/** Each rank's F/I/W actions for S ranks, m micro-batches and at most K in flight per rank. */
export function zeroBubbleOrders(S: number, m: number, K: number): Action[][] {
  if (!(K >= 1)) throw new Error(`zero bubble: memory limit ${K} < 1 micro-batch (bug)`);
  const warm = zbWarmup(S, m, K);
  // The F/I skeleton of each rank: w_r forwards, then I, F alternately, then the last I's.
  const skeleton = warm.map((w) => {
    const seq: ('F' | 'I')[] = new Array<'F' | 'I'>(w).fill('F');
    for (let j = w; j < m; j++) seq.push('I', 'F');
    for (let j = m - w; j < m; j++) seq.push('I');
    return seq;
  });
  // Unit-time run: end times of F and I per rank and micro-batch (Infinity: not run yet).
  const endF = warm.map(() => new Array<number>(m).fill(Infinity));
  const endI = warm.map(() => new Array<number>(m).fill(Infinity));
  const nf = new Array<number>(S).fill(0);
  const ni = new Array<number>(S).fill(0);
  const nw = new Array<number>(S).fill(0);
  const pos = new Array<number>(S).fill(0);
  const out: Action[][] = warm.map(() => []);
  let left = 3 * S * m;
  for (let t = 0; left > 0; t++) {
    if (t > 3 * S * m + 2 * S) throw new Error(`zero bubble: S=${S} m=${m} K=${K} does not progress (bug)`);
    const done: [number, 'F' | 'I', number][] = [];
    for (let r = 0; r < S; r++) {
      const next = skeleton[r][pos[r]];
      let ready = false;
      if (next === 'F') ready = nf[r] - nw[r] < K && (r === 0 || endF[r - 1][nf[r]] <= t);
      else if (next === 'I') ready = r === S - 1 ? endF[r][ni[r]] <= t : endI[r + 1][ni[r]] <= t;
      if (ready) {
        const j = next === 'F' ? nf[r]++ : ni[r]++;
        out[r].push(act(r, next!, j));
        done.push([r, next!, j]);
        pos[r]++;
        left--;
      } else if (nw[r] < ni[r] && endI[r][nw[r]] <= t) {
        out[r].push(act(r, 'W', nw[r]++));
        left--;
      }
    }
    for (const [r, k, j] of done) (k === 'F' ? endF : endI)[r][j] = t + 1;
  }
  return out;
}

/** The largest number of micro-batches each rank holds along its order: forward run, backward (W, or a whole B) not yet. */
export function inFlightPeaks(orders: readonly (readonly Action[])[]): number[] {
  return orders.map((list) => {
    let held = 0;
    let peak = 0;
    for (const a of list) {
      if (a.kind === 'F') peak = Math.max(peak, ++held);
      else if (a.kind === 'W' || a.kind === 'B') held--;
    }
    return peak;
  });
}

/** The largest number of micro-batches each rank holds awaiting their input gradient (forward run, I or B not yet). */
export function pendingBackwardPeaks(orders: readonly (readonly Action[])[]): number[] {
  return orders.map((list) => {
    let held = 0;
    let peak = 0;
    for (const a of list) {
      if (a.kind === 'F') peak = Math.max(peak, ++held);
      else if (a.kind === 'I' || a.kind === 'B') held--;
    }
    return peak;
  });
}

/** The options both Zero Bubble methods take. */
export const ZB_OPTIONS = defineOptions({
  microBatches: { type: 'integer', min: 1, description: 'micro-batches per minibatch (must divide the batch); default: the best of 1, 2, 4, …, 32 dividing it, every rank count tried' },
  maxInFlight: {
    type: 'integer',
    min: 1,
    description: 'micro-batches of activation a rank may hold (forward run, weight gradient not yet), for every rank count tried; default: the method\'s (ZB-H1 S, ZB-H2 2S − 1)',
  },
  maxMemoryBytes: {
    type: 'integer',
    min: 1,
    description: 'memory budget: peak bytes per processor as the simulator counts them; the limit on micro-batches in flight is lowered until the peak fits (the budget option SpikePipe takes too)',
  },
});

export interface ZeroBubbleDetails extends SyncDetails {
  /** The memory limit K of the best shape (micro-batches per rank). */
  maxInFlight: number;
  /** Per rank, the most micro-batches held at once along its order (≤ maxInFlight). */
  inFlight: number[];
}

/** Search every shape with the memory limit `options.maxInFlight`, or `defaultLimit(S)`; see the module comment. */
export function runZeroBubble(
  method: string,
  ctx: PipelineContext,
  options: { microBatches?: number; maxInFlight?: number; maxMemoryBytes?: number },
  defaultLimit: (S: number) => number,
): PipelineResult<ZeroBubbleDetails> {
  const t0 = performance.now();
  const micro = microBatchChoices(ctx.net.spec.batch, options.microBatches);
  const budget = options.maxMemoryBytes;
  // Under a memory budget the limit K on micro-batches in flight is lowered step by step (the
  // schedules' memory parameter, as Zero Bubble's own scheduler takes it) and every shape's
  // simulated peak is checked; the fastest shape that fits over all K wins.
  const lowerings = budget === undefined || options.maxInFlight !== undefined ? [0] : Array.from({ length: 2 * ctx.procs }, (_, d) => d);
  let found: { s: ReturnType<typeof searchSync>; limit: (S: number) => number } | null = null;
  let smallest = Infinity;
  for (const d of lowerings) {
    const limit = (S: number) => options.maxInFlight ?? Math.max(1, defaultLimit(S) - d);
    const rules = {
      splitW: true,
      rankOf: (c: number) => c,
      orders: ({ ranks, micro: m }: SyncShape) => zeroBubbleOrders(ranks, m, limit(ranks)),
      accept: (c: SyncCandidate) => {
        if (budget === undefined) return null;
        const peak = peakMemory(c.cg.graph, ctx.machine, c.timed.schedule);
        smallest = Math.min(smallest, peak);
        return peak <= budget ? null : 'peak memory above the budget';
      },
    };
    let s: ReturnType<typeof searchSync>;
    try {
      s = searchSync(ctx, method, rules, micro);
    } catch (err) {
      if (budget === undefined || !(err instanceof InputError)) throw err;
      continue;
    }
    if (!found || s.best.timed.period < found.s.best.timed.period) found = { s, limit };
  }
  if (!found) fail('maxMemoryBytes', `no ${method} schedule within ${budget} B per processor; the smallest peak found is ${smallest} B`);
  const r = syncResult(method, ctx, found.s, t0);
  return { ...r, details: { ...r.details, maxInFlight: found.limit(found.s.best.ranks), inFlight: inFlightPeaks(found.s.best.orders) } };
}
