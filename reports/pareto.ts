/** The Pareto front of a sweep: its table (Markdown/CSV/LaTeX/text) and its scatter plot. */
import type { ParetoPoint, ParetoResult } from './rows';
import { fmt, fmtInt, fmtPercent, type Table } from './table';
import { scatterSvg } from './svg/scatter';

const capText = (c: unknown) => (c === null ? '∞' : Array.isArray(c) ? c.join(',') : String(c));

export function paretoTable(r: ParetoResult): Table {
  return {
    id: `pareto-${r.network}-p${r.procs}`,
    caption: `SpikePipe's non-dominated schedules on ${r.network}, ${r.procs} processors (${r.hardware}): ${r.axes.join(', ')}`,
    columns: [
      { key: 'period', title: 'period', align: 'r' },
      { key: 'xPD', title: '×PipeDream', align: 'r' },
      { key: 'xGP', title: '×GPipe', align: 'r' },
      { key: 'comm', title: 'comm. overhead', align: 'r' },
      { key: 'staleness', title: 'd_l' },
      { key: 'memory', title: 'peak memory (MB)', align: 'r' },
      { key: 'bound', title: 'lower bound', align: 'r' },
      { key: 'proven', title: 'proven' },
      { key: 'budget', title: 'budget (comm ≤, d ≤)' },
    ],
    rows: r.points.map((p) => ({
      period: fmtInt(p.period),
      xPD: `${fmt(p.speedupVsPipeDream, 2)}×`,
      xGP: `${fmt(p.speedupVsGPipe, 2)}×`,
      comm: fmtPercent(p.commOverhead, 3),
      staleness: p.staleness.join(','),
      memory: fmt(p.peakMemoryBytes / 1e6, 3),
      bound: fmtInt(p.lowerBound),
      proven: p.proven ? 'yes' : 'no',
      budget: `${p.budget.maxCommOverhead === null ? '∞' : fmtPercent(p.budget.maxCommOverhead, 2)}, ${capText(p.budget.maxStaleness)}`,
    })),
    notes: [
      `PipeDream: period ${r.pipedream.period}, d = ${r.pipedream.staleness.join(',')}; GPipe: period ${r.gpipe.period}. Overhead = (crossing − PipeDream's ${r.pipedream.crossingBytes} B) / ${r.totalCommunication} B (all communication of training, edges and weights). ${r.runs} solver runs, ${r.evaluated.length} distinct schedules, every one validated and simulated.`,
      'Proven: the period is optimal under the point\'s budget (the period MILP or an exhaustive assignment search closed the gap); otherwise the lower bound may ignore the budget.',
    ],
  };
}

/** Period against overhead; marker shape and colour by Σ d_l; filled: the front. */
export function paretoSvg(r: ParetoResult): string {
  const sums = [...new Set(r.evaluated.map((p) => p.stalenessSum))].sort((a, b) => a - b);
  // Front membership by value: the result may have been read back from JSON (reproduce's cache).
  const keyOf = (p: ParetoPoint) => `${p.period}|${p.crossingBytes}|${p.staleness.join(',')}`;
  const front = new Set(r.points.map(keyOf));
  const classOf = (s: number) => sums.indexOf(s);
  const points = r.evaluated.map((p) => ({
    x: 100 * p.commOverhead,
    y: p.period,
    cls: classOf(p.stalenessSum),
    highlight: front.has(keyOf(p)),
    label: front.has(keyOf(p)) ? `d=${p.staleness.join(',')}${p.proven ? ' ✓' : ''}` : undefined,
    title: `period ${p.period}, overhead ${(100 * p.commOverhead).toFixed(3)} %, d = ${p.staleness.join(',')}, peak ${p.peakMemoryBytes} B`,
  }));
  return scatterSvg(points, {
    title: `${r.network} on ${r.procs} processors: SpikePipe period against communication overhead`,
    xLabel: 'communication overhead vs PipeDream (% of all communication of training, symlog)',
    yLabel: 'period (cycles per minibatch)',
    classes: sums.map((s) => `Σ d_l = ${s}`),
    xScale: 'symlog',
    xLinear: 0.1,
    xTick: (x) => `${x} %`,
    hLines: [
      { y: r.pipedream.period, label: `PipeDream ${r.pipedream.period} (d = ${r.pipedream.staleness.join(',')})` },
      { y: r.gpipe.period, label: `GPipe ${r.gpipe.period}` },
    ],
    vLines: [{ x: 0.5, label: 'paper: < 0.5 %' }],
  });
}

/** Every front of a reproduce run in one table: network, N, then the front's points. */
export function paretoSummaryTable(results: ParetoResult[], mode: string): Table {
  const rows: Record<string, string>[] = [];
  for (const r of results) {
    const t = paretoTable(r);
    for (const row of t.rows) rows.push({ network: r.network, procs: String(r.procs), ...row });
  }
  const one = results[0] ? paretoTable(results[0]) : paretoTable({ network: '', hardware: '', procs: 0, axes: [], points: [], evaluated: [], pipedream: { period: 0, staleness: [], crossingBytes: 0 }, gpipe: { period: 0 }, totalCommunication: 0, runs: 0 });
  return {
    id: 'pareto',
    caption: `SpikePipe's non-dominated schedules (period, communication overhead, staleness) per network and N (${mode})`,
    columns: [{ key: 'network', title: 'network' }, { key: 'procs', title: 'N', align: 'r' }, ...one.columns],
    rows,
    notes: [
      'An ε-constraint sweep over communication and staleness budgets (lib/app/pareto/pareto.ts): every point a validated, simulated SpikePipe schedule that is best within its budget as far as the solver knows; "proven" where the period MILP or the exhaustive assignment search closed the gap under that budget. The figures are figures/pareto-<network>-p<N>.svg.',
      ...(mode === 'quick' ? ['Quick mode: a coarse grid (caps 0, 0.5, 5, 20 %, none × d ≤ PipeDream, none) and no MILP proofs; `reproduce --full` sweeps a finer grid and proves the fronts of the small graphs.'] : []),
    ],
  };
}
