/** STG benchmark tables: per solver over the 50-task set, and the three application graphs. */
import * as fs from 'node:fs';
import { summarize, type StgRow } from '../lib/app/stg/benchmark';
import { fmtInt, fmtPercent, type Table } from './table';

const ORDER = ['hlfet', 'etf', 'heft', 'cpop', 'peft', 'ilp'];

export function stgTable(rows: StgRow[]): Table {
  const summary = summarize(rows, ORDER);
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

interface AppBound {
  trivialLb: number;
  bestKnown: number;
}

/** app/bounds.csv of the STG folder: graph,…,procs,trivial_lb,best_found_by_list_sched,… */
function readAppBounds(file: string): Map<string, AppBound> {
  const out = new Map<string, AppBound>();
  if (!fs.existsSync(file)) return out;
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const head = lines[0].split(',');
  const col = (name: string) => head.indexOf(name);
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    out.set(`${f[col('graph')]}|${f[col('procs')]}`, { trivialLb: Number(f[col('trivial_lb')]), bestKnown: Number(f[col('best_found_by_list_sched')]) });
  }
  return out;
}

export function stgAppTable(rows: StgRow[], boundsCsv: string): Table {
  const bounds = readAppBounds(boundsCsv);
  const cases = new Map<string, StgRow[]>();
  for (const r of rows) {
    const k = `${r.graph}|${r.procs}`;
    if (!cases.has(k)) cases.set(k, []);
    cases.get(k)!.push(r);
  }
  const out: Record<string, string>[] = [];
  for (const [k, rs] of cases) {
    const valid = rs.filter((r) => r.valid && r.makespan !== null);
    const list = valid.filter((r) => r.solver !== 'ilp');
    const bestList = list.reduce<StgRow | null>((a, r) => (!a || r.makespan! < a.makespan! ? r : a), null);
    const ilp = rs.find((r) => r.solver === 'ilp');
    const lb = Math.max(...rs.map((r) => r.lowerBound));
    const best = Math.min(...valid.map((r) => r.makespan!));
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
