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

/** `{stage}{F|I|W|B}{micro}` (surrounding blanks ignored, as torch's `_Action.from_str` strips), or null. */
export function tryParseAction(text: string): Action | null {
  const m = /^(\d+)([FIWB])(\d+)$/.exec(text.trim());
  return m ? { stage: Number(m[1]), kind: m[2] as ActionKind, micro: Number(m[3]) } : null;
}

/** What parseAction says of a string that is not an action. */
export function notAnAction(text: string): string {
  return `not an action "${text}" (expected {stage}{F|I|W|B}{microbatch}, e.g. 0F3 or 2I0)`;
}

/** Parse `{stage}{F|I|W|B}{micro}`; anything else is an InputError at `where`. */
export function parseAction(text: string, where: string): Action {
  const a = tryParseAction(text);
  if (!a) fail(where, notAnAction(text));
  return a;
}

/**
 * torch's action types that are not computations (pytorch torch/distributed/pipelining/schedules.py,
 * `_ComputationType` and `_action_regex`): the transfers its lowering pass `_add_send_recv` inserts,
 * FSDP's UNSHARD/RESHARD and REDUCE_GRAD. A "compute_comms" CSV carries them; our cost model times
 * transfers itself and has no FSDP, so they carry nothing a schedule here needs.
 */
const TORCH_NON_COMPUTE = /^(\d+)(UNSHARD|RESHARD|REDUCE_GRAD|SEND_F|RECV_F|SEND_B|RECV_B)(\d*)$/;

/** One cell of a torch schedule CSV: idle, a compute action, a non-compute one (skipped), or not an action. */
export type TorchCell = { idle: true } | { action: Action } | { skip: string } | { error: string };

export function parseTorchCell(text: string): TorchCell {
  const t = text.trim();
  if (t === '') return { idle: true };
  const a = tryParseAction(t);
  if (a) return { action: a };
  if (TORCH_NON_COMPUTE.test(t)) return { skip: t };
  if (/^\(.*\)OVERLAP_F_B$/.test(t)) return { error: `"${t}" is torch's overlapped forward and backward (OVERLAP_F_B), which is not taken here: write its sub-actions in two cells` };
  return { error: notAnAction(text) };
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

/**
 * Each rank's actions read off start times (ties by task index): F_c^j → `cFj`, B_c^j → `cIj` on
 * a split graph and `cBj` on a whole-backward one, W_c^j → `cWj`. The updates are left out: torch
 * has no update action (its optimizer step follows the schedule). `proc` is every task's rank.
 */
export function ordersOfStarts(cg: ChunkGraph, proc: ArrayLike<number>, start: ArrayLike<number>, ranks: number): Action[][] {
  const items: { v: number; a: Action }[] = [];
  const add = (rows: number[][], kind: ActionKind) => rows.forEach((row, c) => row.forEach((v, j) => items.push({ v, a: act(c, kind, j) })));
  add(cg.F, 'F');
  add(cg.B, cg.splitW ? 'I' : 'B');
  add(cg.W, 'W');
  items.sort((x, y) => start[x.v] - start[y.v] || x.v - y.v);
  const out: Action[][] = Array.from({ length: ranks }, () => []);
  for (const { v, a } of items) out[proc[v]].push(a);
  return out;
}

/** A rank that cannot go on: its next action and one input of it that never comes. */
export interface StuckRank {
  rank: number;
  action: string;
  waitsFor: string;
  /** Rank of `waitsFor` (the same rank when the list puts it later). */
  waitsOnRank: number;
}

/**
 * Whether the lists can run at all: every rank runs its next task once all its zero-delay inputs
 * have run, on any rank (torch's `_simulate_comms_compute` dry-runs a schedule the same way and
 * stops with "Schedule is not progressing"). Null when every rank finishes; otherwise the ranks
 * that wait on each other, each with its next action and an input it waits for. Tasks are named by
 * the action that runs them (a B on a split graph names its I and W part), an update `U{stage}`.
 * O(R·(V + E)).
 */
export function orderDeadlock(cg: ChunkGraph, rankOf: readonly number[], orders: readonly (readonly Action[])[]): StuckRank[] | null {
  const g = cg.graph;
  const label: string[] = g.tasks.map((t) => t.id);
  cg.U.forEach((u, c) => (label[u] = `U${c}`));
  for (const list of orders) {
    for (const a of list) {
      const j = a.micro;
      const tasks = a.kind === 'F' ? [cg.F[a.stage][j]] : a.kind === 'W' ? [cg.W[a.stage][j]] : a.kind === 'I' || !cg.splitW ? [cg.B[a.stage][j]] : [cg.B[a.stage][j], cg.W[a.stage][j]];
      for (const v of tasks) label[v] = formatAction(a);
    }
  }
  const sequences = sequencesOf(cg, rankOf, orders);
  const inputs: number[][] = g.tasks.map(() => []);
  for (const e of g.edges) if (e.delay === 0 && e.from !== e.to) inputs[e.to].push(e.from);
  const done = new Uint8Array(g.tasks.length);
  const next = sequences.map(() => 0);
  for (let progress = true; progress; ) {
    progress = false;
    sequences.forEach((seq, r) => {
      while (next[r] < seq.length && inputs[seq[next[r]]].every((u) => done[u])) {
        done[seq[next[r]++]] = 1;
        progress = true;
      }
    });
  }
  const stuck: StuckRank[] = [];
  sequences.forEach((seq, r) => {
    if (next[r] >= seq.length) return;
    const v = seq[next[r]];
    const u = inputs[v].find((x) => !done[x])!;
    stuck.push({ rank: r, action: label[v], waitsFor: label[u], waitsOnRank: cg.proc[u] });
  });
  return stuck.length > 0 ? stuck : null;
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
