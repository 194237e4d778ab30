/**
 * STG benchmark tables: one row per case (the `stg` command), the summary per solver (the
 * command and `reproduce`), and the three application graphs. Solver kinds come from the
 * catalogue (solvers/registry.ts).
 */
import type { AppBound } from '../lib/model/io/optima';
import { listSolvers } from '../solvers/registry';
import type { StgRow, StgSummary } from './rows';
import { fmtInt, fmtPercent, type Table } from './table';
import { maxOf, minOf } from '../lib/model/extrema';

const pctOrDash = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(2)} %`);
const num = (x: number | null) => (x === null ? '–' : String(x));
const published = (r: StgRow) => (r.publishedOpt !== null ? String(r.publishedOpt) : r.publishedUb !== null ? `${r.publishedLb}…${r.publishedUb}` : '–');

/** One row per (graph, processors, solver), as the `stg` command prints them. */
export function stgRowsTable(rows: StgRow[]): Table {
  return {
    id: 'stg-rows',
    caption: 'STG benchmark: one row per (graph, processors, solver)',
    columns: [
      { key: 'graph', title: 'graph' },
      { key: 'procs', title: 'p', align: 'r' },
      { key: 'solver', title: 'solver' },
      { key: 'makespan', title: 'makespan', align: 'r' },
      { key: 'lowerBound', title: 'lower bound', align: 'r' },
      { key: 'published', title: 'published', align: 'r' },
      { key: 'gap', title: 'gap', align: 'r' },
      { key: 'status', title: 'status' },
    ],
    rows: rows.map((r) => ({
      graph: r.graph,
      procs: String(r.procs),
      solver: r.solver,
      makespan: num(r.makespan),
      lowerBound: String(r.lowerBound),
      published: published(r),
      gap: pctOrDash(r.gap),
      status: r.status,
    })),
  };
}

/** The summary per solver with every count, as the `stg` command prints it. */
export function stgSummaryTable(summary: StgSummary[]): Table {
  return {
    id: 'stg-summary',
    caption: 'STG summary (cases = rows with a published optimum; best = best solver per case)',
    columns: [
      { key: 'solver', title: 'solver' },
      { key: 'cases', title: 'cases', align: 'r' },
      { key: 'reachedOptimum', title: 'reached optimum', align: 'r' },
      { key: 'provenOptimal', title: 'proven optimal', align: 'r' },
      { key: 'invalid', title: 'invalid', align: 'r' },
      { key: 'meanGap', title: 'mean gap', align: 'r' },
      { key: 'open', title: 'open', align: 'r' },
      { key: 'improvedUpperBound', title: 'improved UB', align: 'r' },
      { key: 'openProven', title: 'open proven', align: 'r' },
    ],
    rows: summary.map((s) => ({
      solver: s.solver,
      cases: String(s.cases),
      reachedOptimum: s.cases > 0 ? `${s.reachedOptimum} (${((100 * s.reachedOptimum) / s.cases).toFixed(1)} %)` : '0',
      provenOptimal: String(s.provenOptimal),
      invalid: String(s.invalid),
      meanGap: pctOrDash(s.meanGap),
      open: String(s.open),
      improvedUpperBound: String(s.improvedUpperBound),
      openProven: String(s.openProven),
    })),
  };
}

/** The paper-style summary of `reproduce` (50-task set). */
export function stgTable(summary: StgSummary[]): Table {
  const pct = (a: number, b: number) => (b > 0 ? fmtPercent(a / b, 1) : '–');
  return {
    id: 'stg',
    caption: 'Standard Task Graph Set, 50-task graphs, p = 2, 4, 8, 16: published optima reached, proven, mean gap',
    columns: [
      { key: 'solver', title: 'solver' },
      { key: 'rows', title: 'cases run', align: 'r' },
      { key: 'cases', title: 'with published optimum', align: 'r' },
      { key: 'reached', title: 'optimum reached', align: 'r' },
      { key: 'proven', title: 'proven optimal', align: 'r' },
      { key: 'gap', title: 'mean gap', align: 'r' },
      { key: 'open', title: 'open cases', align: 'r' },
      { key: 'improved', title: 'improved published UB', align: 'r' },
      { key: 'invalid', title: 'invalid', align: 'r' },
    ],
    rows: summary.map((s) => ({
      solver: s.solver,
      rows: String(s.cases + s.open),
      cases: String(s.cases),
      reached: `${s.reachedOptimum} (${pct(s.reachedOptimum, s.cases)})`,
      proven: String(s.provenOptimal),
      gap: fmtPercent(s.meanGap, 2),
      open: String(s.open),
      improved: String(s.improvedUpperBound),
      invalid: String(s.invalid),
    })),
    notes: [
      'Gap = (makespan − published optimum) / published optimum. Proven = optimality certified by this run (lower bound met). The exact solver runs on a subset in quick mode (see lib/app/reproduce/plan.ts); `best` is the best of the solvers run, per case.',
    ],
  };
}

/** The solvers of a kind in the catalogue. */
const ofKind = (kind: 'list' | 'exact') => new Set(listSolvers(kind).map((x) => x.name));

export function stgAppTable(rows: StgRow[], bounds: ReadonlyMap<string, AppBound>): Table {
  const list = ofKind('list');
  const exact = ofKind('exact');
  const cases = new Map<string, StgRow[]>();
  for (const r of rows) {
    const k = `${r.graph}|${r.procs}`;
    if (!cases.has(k)) cases.set(k, []);
    cases.get(k)!.push(r);
  }
  const out: Record<string, string>[] = [];
  for (const [k, rs] of cases) {
    const valid = rs.filter((r) => r.valid && r.makespan !== null);
    const bestList = valid.filter((r) => list.has(r.solver)).reduce<StgRow | null>((a, r) => (!a || r.makespan! < a.makespan! ? r : a), null);
    const ilp = rs.find((r) => exact.has(r.solver));
    const lb = maxOf(rs.map((r) => r.lowerBound));
    const best = minOf(valid.map((r) => r.makespan!));
    const b = bounds.get(k);
    out.push({
      graph: rs[0].graph,
      procs: String(rs[0].procs),
      list: bestList ? `${bestList.makespan} (${bestList.solver})` : '–',
      ilp: ilp?.makespan != null ? `${ilp.makespan} (${ilp.status})` : ilp ? ilp.status : '–',
      lb: fmtInt(lb),
      gap: fmtPercent(lb > 0 ? (best - lb) / lb : null, 1),
      known: b ? `${b.trivialLb} … ${b.bestKnown}` : '–',
    });
  }
  return {
    id: 'stg-app',
    caption: 'STG application graphs (robot 88, sparse 96, fpppp 334 tasks): best list schedule, exact solver, proven bound',
    columns: [
      { key: 'graph', title: 'graph' },
      { key: 'procs', title: 'p', align: 'r' },
      { key: 'list', title: 'best list (solver)', align: 'r' },
      { key: 'ilp', title: 'exact (status)', align: 'r' },
      { key: 'lb', title: 'lower bound', align: 'r' },
      { key: 'gap', title: 'gap to bound', align: 'r' },
      { key: 'known', title: 'dataset bounds (LB … best known)', align: 'r' },
    ],
    rows: out,
  };
}
