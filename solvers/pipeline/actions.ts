/**
 * Pipeline schedules as per-rank action lists — the representation of torch.distributed.pipelining
 * (an `_Action` is a stage index, a computation type and a micro-batch index, written
 * `{stage}{F|I|W|B}{microbatch}`, e.g. `2I5`): F forward, I backward for the input (our B_c^j),
 * W backward for the weights (our W_c^j), B a full backward (on a split graph I then W; on a
 * whole-backward graph the one task whose gradient leaves when it ends). Stages here are the chunks
 * of a ChunkGraph in pipeline order; micro-batches are 0-based as in torch.
 *
 * `actionSchedule` turns the lists into a periodic schedule of the chunk graph: each rank runs its
 * actions in order, then the updates U_c of its chunks; every task starts as soon as its inputs
 * (plus transfers) and its rank allow (ASAP along the sequences); the period is the smallest that
 * fits every rank's busy window and the flush loops (U_c → next minibatch's F_c^j, B_c^j), and at
 * least the link bound. A flushed pipeline needs no staleness: any other outcome is a bug.
 */
import type { Machine } from '../../lib/model/types';
import { fail } from '../../lib/model/errors';
import { linkPeriodBound } from '../../lib/model/metrics/communication';
import { minimalStaleness, periodicSchedule } from '../../lib/model/schedule/placement';
import type { ChunkGraph } from '../../lib/model/graph/chunks';
import { asapAlongSequences, periodForStarts } from './stage-timing';
import type { TimedStageSchedule } from './gpipe';

export type ActionKind = 'F' | 'I' | 'W' | 'B';

export interface Action {
  /** Chunk (torch stage) index, 0-based, in pipeline order. */
  stage: number;
  kind: ActionKind;
  /** Micro-batch index, 0-based. */
  micro: number;
}

export const act = (stage: number, kind: ActionKind, micro: number): Action => ({ stage, kind, micro });

export function formatAction(a: Action): string {
  return `${a.stage}${a.kind}${a.micro}`;
}

/** Parse `{stage}{F|I|W|B}{micro}`; anything else is an InputError at `where`. */
export function parseAction(text: string, where: string): Action {
  const m = /^(\d+)([FIWB])(\d+)$/.exec(text.trim());
  if (!m) fail(where, `not an action "${text}" (expected {stage}{F|I|W|B}{microbatch}, e.g. 0F3 or 2I0)`);
  return { stage: Number(m[1]), kind: m[2] as ActionKind, micro: Number(m[3]) };
}

/** Task indices each rank runs, in order: its actions (B = I then W), then the updates of its chunks. */
export function sequencesOf(cg: ChunkGraph, rankOf: readonly number[], orders: readonly (readonly Action[])[]): number[][] {
  return orders.map((list, r) => {
    const seq: number[] = [];
    for (const a of list) {
      if (rankOf[a.stage] !== r) throw new Error(`actions: ${formatAction(a)} on rank ${r}, but chunk ${a.stage} runs on rank ${rankOf[a.stage]} (bug)`);
      const j = a.micro;
      if (a.kind === 'F') seq.push(cg.F[a.stage][j]);
      else if (a.kind === 'B') seq.push(...(cg.splitW ? [cg.B[a.stage][j], cg.W[a.stage][j]] : [cg.B[a.stage][j]]));
      else if (!cg.splitW) throw new Error(`actions: ${formatAction(a)} needs the backward split into I and W (bug: a whole-backward graph)`);
      else seq.push(a.kind === 'I' ? cg.B[a.stage][j] : cg.W[a.stage][j]);
    }
    cg.chunks.forEach((_, c) => {
      if (rankOf[c] === r) seq.push(cg.U[c]);
    });
    return seq;
  });
}

/** The periodic schedule of per-rank action lists (see the module comment). O(m·(V + E)). */
export function actionSchedule(cg: ChunkGraph, m: Machine, procs: number, rankOf: readonly number[], orders: readonly (readonly Action[])[], method: string): TimedStageSchedule {
  const g = cg.graph;
  const sequences = sequencesOf(cg, rankOf, orders);
  const seen = new Int32Array(g.tasks.length);
  for (const seq of sequences) for (const v of seq) seen[v]++;
  const wrong = g.tasks.findIndex((_, v) => seen[v] !== 1);
  if (wrong >= 0) throw new Error(`${method}: task ${g.tasks[wrong].id} is scheduled ${seen[wrong]} times (bug)`);
  const proc = cg.proc;
  const start = asapAlongSequences(g, m, proc, sequences);
  const period = Math.max(1, periodForStarts(g, m, proc, start), linkPeriodBound(g, m, proc));
  const placement = { period, proc: [...proc], start };
  const staleness = minimalStaleness(g, m, placement);
  if (staleness.some((d) => d !== 0)) throw new Error(`${method}: a flushed pipeline needs no staleness (bug)`);
  return { schedule: periodicSchedule(g, placement, { procs, method, staleness }), period, staleness };
}

/** Share of the processors' time idle in one period, over the ranks that run something. */
export function bubbleFraction(cg: ChunkGraph, period: number): number {
  const ranks = new Set(cg.proc).size;
  const work = cg.graph.tasks.reduce((a, t) => a + t.cycles, 0);
  return 1 - work / (period * ranks);
}
