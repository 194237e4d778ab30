/**
 * Check a torch schedule grid (one row per rank, one cell per step) against the micro-batch chunk
 * graph, as torch's validator does and a little more, and list EVERY violation at once.
 *
 * torch (pytorch torch/distributed/pipelining/schedules.py, `_validate_schedule`, called by
 * `_load_csv`) checks: as many ranks as the pipeline group; per stage, in rank-then-step order, a
 * B or I only after the F of its micro-batch and a W only after its I; each stage on one rank
 * (the stage → rank mapping is read off the schedule: "Stage s is assigned to both rank r and
 * rank r'"); per stage #F = n_microbatches, #I = #W and #B + (#I + #W)/2 = n_microbatches. It
 * counts sets, so it misses a repeated action, and it stops at the first error. Here, besides:
 * a repeated action is named, a B and an I/W for the same stage and micro-batch are named (what
 * torch's count rule catches), missing actions are named one by one, and an unknown cell is
 * named by row and column. A stage may mix B for some micro-batches with I and W for others, as
 * torch's `_merge_bw` produces (B is then I and W back to back).
 *
 * Stages are the chunks in pipeline order, 0..(largest stage index); micro-batches
 * 0..(largest micro-batch index), or 0..m−1 with --micro-batches m. Non-compute cells (SEND/RECV,
 * UNSHARD/RESHARD, REDUCE_GRAD: a "compute_comms" dump) are skipped and counted.
 */
import { formatAction, parseTorchCell, type Action } from '../../../solvers/pipeline/actions';
import { maxOf } from '../../model/extrema';

export interface GridCheckOptions {
  /** Ranks the schedule must have (one row each). */
  procs: number;
  /** Micro-batches per minibatch (default: the largest index in the grid + 1). */
  microBatches?: number;
  /** Require whole backwards (B only). */
  wholeBackward?: boolean;
}

export interface CheckedGrid {
  /** Each rank's compute actions in step order (empty cells and non-compute ones dropped). */
  orders: Action[][];
  stages: number;
  microBatches: number;
  /** Rank of every stage. */
  rankOf: number[];
  /** Whether the grid splits the backward (uses I/W): the chunk graph to time it on. */
  splitW: boolean;
  /** Non-compute cells skipped. */
  skipped: number;
  /** Every violation, one line each (empty: the grid is a schedule of the chunk graph). */
  violations: string[];
}

interface Placed {
  a: Action;
  row: number;
  col: number;
}

const at = (p: { row: number; col: number }) => `row ${p.row + 1}, column ${p.col + 1}`;

export function checkGrid(rows: readonly (readonly string[])[], o: GridCheckOptions): CheckedGrid {
  const cellViolations: { row: number; col: number; text: string }[] = [];
  const cellError = (p: { row: number; col: number }, what: string) => cellViolations.push({ row: p.row, col: p.col, text: `${at(p)}: ${what}` });
  const placed: Placed[] = [];
  let skipped = 0;
  rows.forEach((cells, row) =>
    cells.forEach((text, col) => {
      const c = parseTorchCell(text);
      if ('action' in c) placed.push({ a: c.action, row, col });
      else if ('skip' in c) skipped++;
      else if ('error' in c) cellError({ row, col }, c.error);
    }),
  );
  const head: string[] = [];
  if (rows.length !== o.procs) head.push(`${rows.length} row${rows.length === 1 ? '' : 's'} (one per rank), but --procs is ${o.procs}`);
  const empty: CheckedGrid = { orders: rows.map(() => []), stages: 0, microBatches: 0, rankOf: [], splitW: false, skipped, violations: [] };
  if (placed.length === 0) {
    const tail = cellViolations.length === 0 ? ['no actions'] : [];
    return { ...empty, violations: [...head, ...cellViolations.map((v) => v.text), ...tail] };
  }
  const C = maxOf(placed.map((p) => p.a.stage)) + 1;
  const m = o.microBatches ?? maxOf(placed.map((p) => p.a.micro)) + 1;
  const kept = placed.filter((p) => {
    if (p.a.micro < m) return true;
    cellError(p, `${formatAction(p.a)}: micro-batch ${p.a.micro} is not below --micro-batches ${m}`);
    return false;
  });
  if (o.wholeBackward) for (const p of kept) if (p.a.kind === 'I' || p.a.kind === 'W') cellError(p, `${formatAction(p.a)}: --whole-backward takes whole backwards (B) only`);

  // Stage → rank: the first action of a stage (rank by rank, step by step, as torch walks) fixes it.
  const home: (Placed | undefined)[] = new Array(C).fill(undefined);
  const reported = new Set<string>();
  for (const p of kept) {
    const h = home[p.a.stage];
    if (!h) home[p.a.stage] = p;
    else if (h.row !== p.row && !reported.has(`${p.a.stage}/${p.row}`)) {
      reported.add(`${p.a.stage}/${p.row}`);
      cellError(p, `${formatAction(p.a)} puts stage ${p.a.stage} on rank ${p.row}, but ${formatAction(h.a)} at ${at(h)} put it on rank ${h.row} (a stage runs on one rank)`);
    }
  }
  // One of each action; the first occurrence is the one kept.
  const first = new Map<string, Placed>();
  const orders: Action[][] = rows.map(() => []);
  for (const p of kept) {
    const key = formatAction(p.a);
    const f = first.get(key);
    if (f) cellError(p, `${key} repeated (first at ${at(f)})`);
    else {
      first.set(key, p);
      orders[p.row].push(p.a);
    }
  }
  const get = (s: number, kind: Action['kind'], j: number) => first.get(`${s}${kind}${j}`);
  const tail: string[] = [];
  for (let s = 0; s < C; s++) {
    if (!home[s]) {
      tail.push(`stage ${s} has no actions (the stages are 0..${C - 1}, up to the largest stage index)`);
      continue;
    }
    for (let j = 0; j < m; j++) {
      const [f, b, i, w] = (['F', 'B', 'I', 'W'] as const).map((k) => get(s, k, j));
      if (!f) tail.push(`${s}F${j} missing (every stage runs F for micro-batches 0..${m - 1})`);
      if (b && (i || w)) {
        const later = [i, w].filter((x): x is Placed => x !== undefined).concat(b).sort((x, y) => x.row - y.row || x.col - y.col);
        const last = later[later.length - 1];
        const other = later[0];
        cellError(last, `${formatAction(last.a)} and ${formatAction(other.a)} (${at(other)}) are both backwards of stage ${s}, micro-batch ${j} (B is I and W together)`);
      }
      if (!b && !i && !w) tail.push(`${s}B${j} missing (stage ${s}, micro-batch ${j} has no backward: B, or I and W)`);
      else if (!b && i && !w) tail.push(`${s}W${j} missing (${s}I${j} has no W)`);
      else if (!b && w && !i) tail.push(`${s}I${j} missing (${s}W${j} has no I)`);
      // Order on the rank (torch: "without first running Forward" / "without first running Backward Input").
      for (const x of [b, i]) if (x && f && x.row === f.row && x.col < f.col) cellError(x, `${formatAction(x.a)} before its forward ${formatAction(f.a)} (column ${f.col + 1})`);
      if (w && i && w.row === i.row && w.col < i.col) cellError(w, `${formatAction(w.a)} before its input backward ${formatAction(i.a)} (column ${i.col + 1})`);
    }
  }
  cellViolations.sort((x, y) => x.row - y.row || x.col - y.col);
  const violations = [...head, ...cellViolations.map((v) => v.text), ...tail];
  const splitW = !o.wholeBackward && kept.some((p) => p.a.kind === 'I' || p.a.kind === 'W');
  return { orders, stages: C, microBatches: m, rankOf: home.map((h) => (h ? h.row : -1)), splitW, skipped, violations };
}
