/** The Pareto front of a sweep: its table (Markdown/CSV/LaTeX/text) and its scatter plot. */
import type { ParetoResult } from './rows';
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
      memory: fmt(p.peakMemoryBytes / 1e6, 2),
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
  const onFront = new Set(r.points.map((p) => p.schedule));
  const classOf = (s: number) => sums.indexOf(s);
  const points = r.evaluated.map((p) => ({
    x: 100 * p.commOverhead,
    y: p.period,
    cls: classOf(p.stalenessSum),
    highlight: onFront.has(p.schedule),
    label: onFront.has(p.schedule) ? `d=${p.staleness.join(',')}${p.proven ? ' ✓' : ''}` : undefined,
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
