/**
 * The pipeline tables of the paper: speedup (periods, speedups over the baselines, bound and
 * gap) and communication (bytes crossing processors, overhead against PipeDream), built from
 * compare rows. Pure: rows in, Table out.
 */
import { listMethods, methodNames } from '../solvers/registry';
import type { CompareRow } from './rows';
import { fmt, fmtInt, fmtPercent, type Table } from './table';
import { maxOf } from '../lib/model/extrema';

/** Methods in catalogue order (solvers/registry.ts): the tables' column and row order. */
const methodOrder = (): string[] => methodNames();

/** A method's title in the tables (its descriptor's), or its name for one not in the catalogue. */
export function methodTitle(name: string): string {
  return listMethods().find((m) => m.name === name)?.title ?? name;
}

/** The paper's claims (README, The model), set beside ours. */
export const PAPER = {
  meanSpeedup: '1.6–1.7×',
  maxSpeedup: '≥ 2×',
  commOverhead: '< 0.5 %',
};

/** `spikepipe` for the default (minimal) delays, `spikepipe:2S`, `spikepipe:pipedream` for the others. */
export function methodKey(r: { method: string; delayRule?: string; variant?: string }): string {
  if (r.variant) return `${r.method}@${r.variant}`;
  return r.delayRule && r.delayRule !== 'minimal' ? `${r.method}:${r.delayRule}` : r.method;
}

export interface Cellwise {
  network: string;
  hardware: string;
  procs: number;
  byMethod: Map<string, CompareRow>;
}

/** Group rows by (network, hardware, N), in first-seen network order, then N, then hardware. */
export function groupCells(rows: CompareRow[]): Cellwise[] {
  const nets: string[] = [];
  for (const r of rows) if (!nets.includes(r.network)) nets.push(r.network);
  const groups = new Map<string, Cellwise>();
  for (const r of rows) {
    const k = `${r.network}|${r.hardware}|${r.procs}`;
    if (!groups.has(k)) groups.set(k, { network: r.network, hardware: r.hardware, procs: r.procs, byMethod: new Map() });
    groups.get(k)!.byMethod.set(methodKey(r), r);
  }
  return [...groups.values()].sort(
    (a, b) => nets.indexOf(a.network) - nets.indexOf(b.network) || a.procs - b.procs || (a.hardware < b.hardware ? -1 : a.hardware > b.hardware ? 1 : 0),
  );
}

export interface Headline {
  cells: number;
  meanVsPipeDream: number | null;
  maxVsPipeDream: number | null;
  meanVsGPipe: number | null;
  maxVsGPipe: number | null;
  /** Against the faster of GPipe and PipeDream in each cell. */
  meanVsBestStandard: number | null;
  maxVsBestStandard: number | null;
  maxCommOverhead: number | null;
  meanCommOverhead: number | null;
  /** The largest overhead in the second reading of total communication (with memory traffic). */
  maxCommOverheadTraffic: number | null;
  maxGap: number | null;
  invalidRows: number;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const max = (xs: number[]) => (xs.length ? maxOf(xs) : null);

/** SpikePipe against the standard pipelines over every cell where all three ran. */
export function headline(rows: CompareRow[], method = 'spikepipe'): Headline {
  const cells = groupCells(rows);
  const vsPd: number[] = [];
  const vsGp: number[] = [];
  const vsBest: number[] = [];
  const comm: number[] = [];
  const commTraffic: number[] = [];
  const gaps: number[] = [];
  for (const c of cells) {
    const s = c.byMethod.get(method);
    const pd = c.byMethod.get('pipedream');
    const gp = c.byMethod.get('gpipe');
    if (!s?.period || !pd?.period || !gp?.period) continue;
    vsPd.push(pd.period / s.period);
    vsGp.push(gp.period / s.period);
    vsBest.push(Math.min(pd.period, gp.period) / s.period);
    if (s.commOverhead !== null) comm.push(s.commOverhead);
    if (s.commOverheadTraffic !== null && s.commOverheadTraffic !== undefined) commTraffic.push(s.commOverheadTraffic);
    if (s.gap !== null) gaps.push(s.gap);
  }
  return {
    cells: vsPd.length,
    meanVsPipeDream: mean(vsPd),
    maxVsPipeDream: max(vsPd),
    meanVsGPipe: mean(vsGp),
    maxVsGPipe: max(vsGp),
    meanVsBestStandard: mean(vsBest),
    maxVsBestStandard: max(vsBest),
    maxCommOverhead: max(comm),
    meanCommOverhead: mean(comm),
    maxCommOverheadTraffic: max(commTraffic),
    maxGap: max(gaps),
    invalidRows: rows.filter((r) => !r.valid).length,
  };
}

const x = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${fmt(v, 2)}×`);

/** The sweep variant of SpikePipe at the paper's operating point (lib/app/reproduce/plan.ts). */
export const PAPER_POINT = 'spikepipe@paper';
/** The same with the 0.5 % of the second reading of total communication (with memory traffic). */
export const PAPER_POINT_TRAFFIC = 'spikepipe@paper-traffic';

export function headlineTable(rows: CompareRow[]): Table {
  const h = headline(rows);
  const c = headline(rows, 'spikepipe:pipedream');
  const op = headline(rows, PAPER_POINT);
  const opT = headline(rows, PAPER_POINT_TRAFFIC);
  return {
    id: 'headline',
    caption: 'SpikePipe against standard pipelining: the paper\'s claims and ours (mean over all network × N cells)',
    columns: [
      { key: 'source', title: 'source' },
      { key: 'vs', title: 'against' },
      { key: 'mean', title: 'mean speedup', align: 'r' },
      { key: 'max', title: 'max speedup', align: 'r' },
      { key: 'comm', title: 'comm. overhead', align: 'r' },
    ],
    rows: [
      { source: 'paper (claimed)', vs: 'GPipe / PipeDream', mean: PAPER.meanSpeedup, max: PAPER.maxSpeedup, comm: PAPER.commOverhead },
      { source: 'ours', vs: 'PipeDream', mean: x(h.meanVsPipeDream), max: x(h.maxVsPipeDream), comm: `max ${fmtPercent(h.maxCommOverhead)}` },
      { source: 'ours', vs: 'GPipe', mean: x(h.meanVsGPipe), max: x(h.maxVsGPipe), comm: '' },
      { source: 'ours', vs: 'faster of the two per cell', mean: x(h.meanVsBestStandard), max: x(h.maxVsBestStandard), comm: `mean ${fmtPercent(h.meanCommOverhead)}` },
      ...(c.cells > 0
        ? [
            { source: 'ours, no staler than PipeDream', vs: 'PipeDream', mean: x(c.meanVsPipeDream), max: x(c.maxVsPipeDream), comm: `max ${fmtPercent(c.maxCommOverhead)}` },
            { source: 'ours, no staler than PipeDream', vs: 'GPipe', mean: x(c.meanVsGPipe), max: x(c.maxVsGPipe), comm: `mean ${fmtPercent(c.meanCommOverhead)}` },
          ]
        : []),
      ...(op.cells > 0
        ? [
            { source: "ours at the paper's operating point (overhead ≤ 0.5 %, d_l ≤ PipeDream's)", vs: 'PipeDream', mean: x(op.meanVsPipeDream), max: x(op.maxVsPipeDream), comm: `max ${fmtPercent(op.maxCommOverhead)}` },
            { source: "ours at the paper's operating point (overhead ≤ 0.5 %, d_l ≤ PipeDream's)", vs: 'GPipe', mean: x(op.meanVsGPipe), max: x(op.maxVsGPipe), comm: `mean ${fmtPercent(op.meanCommOverhead)}` },
          ]
        : []),
      ...(opT.cells > 0
        ? [
            { source: 'the same, 0.5 % of total communication with memory traffic', vs: 'PipeDream', mean: x(opT.meanVsPipeDream), max: x(opT.maxVsPipeDream), comm: `max ${fmtPercent(opT.maxCommOverheadTraffic)} (that reading)` },
            { source: 'the same, 0.5 % of total communication with memory traffic', vs: 'GPipe', mean: x(opT.meanVsGPipe), max: x(opT.maxVsGPipe), comm: `max ${fmtPercent(opT.maxCommOverhead)} (edges)` },
          ]
        : []),
    ],
    notes: [
      `${h.cells} cells; every schedule validated and simulated (${h.invalidRows} invalid rows). Speedup = P_baseline / P_SpikePipe, periods in cycles per minibatch on one cost model.`,
      '"ours": SpikePipe with the smallest per-layer delays its schedule needs (often staler than PipeDream); "no staler than PipeDream": SpikePipe with each layer\'s delay fixed to PipeDream\'s at the same N; "at the paper\'s operating point": SpikePipe under both budgets at once, enforced by its solvers (the three claims at one schedule); "with memory traffic": the 0.5 % taken of the second, larger reading of total communication (README, Model choices).',
    ],
  };
}

export function speedupTable(rows: CompareRow[]): Table {
  const cells = groupCells(rows);
  const present = methodOrder().filter((m) => cells.some((c) => c.byMethod.has(m)));
  const h = headline(rows);
  const columns = [
    { key: 'network', title: 'network' },
    { key: 'procs', title: 'N', align: 'r' as const },
    ...present.map((m) => ({ key: m, title: methodTitle(m), align: 'r' as const })),
    { key: 'vsGPipe', title: 'SpikePipe ×GPipe', align: 'r' as const },
    { key: 'vsPipeDream', title: 'SpikePipe ×PipeDream', align: 'r' as const },
    ...(cells.some((c) => c.byMethod.get('spikepipe')?.bestSync !== undefined)
      ? [
          { key: 'vsSync', title: '×best sync', align: 'r' as const },
          { key: 'vsAsync', title: '×best async', align: 'r' as const },
        ]
      : []),
    { key: 'bound', title: 'lower bound', align: 'r' as const },
    { key: 'gap', title: 'gap', align: 'r' as const },
    { key: 'staleness', title: 'SpikePipe d_l' },
    ...(cells.some((c) => c.byMethod.has(PAPER_POINT))
      ? [
          { key: 'paper', title: 'at ≤ 0.5 %, d ≤ PD', align: 'r' as const },
          { key: 'paperX', title: '×PipeDream', align: 'r' as const },
          { key: 'paperGap', title: 'gap', align: 'r' as const },
        ]
      : []),
  ];
  const out: Record<string, string>[] = [
    { network: 'paper (claimed, mean / max)', procs: '', vsGPipe: `${PAPER.meanSpeedup} / ${PAPER.maxSpeedup}`, vsPipeDream: `${PAPER.meanSpeedup} / ${PAPER.maxSpeedup}` },
    {
      network: 'ours (mean / max)',
      procs: '',
      vsGPipe: `${x(h.meanVsGPipe)} / ${x(h.maxVsGPipe)}`,
      vsPipeDream: `${x(h.meanVsPipeDream)} / ${x(h.maxVsPipeDream)}`,
      gap: h.maxGap === null ? '–' : `≤ ${fmtPercent(h.maxGap, 1)}`,
    },
  ];
  const multiHw = new Set(cells.map((c) => c.hardware)).size > 1;
  for (const c of cells) {
    const r: Record<string, string> = { network: multiHw ? `${c.network} (${c.hardware})` : c.network, procs: String(c.procs) };
    for (const m of present) {
      const row = c.byMethod.get(m);
      r[m] = row?.period ? fmtInt(row.period) + (row.microBatches ? ` (m=${row.microBatches}${row.chunksPerRank ? `, v=${row.chunksPerRank}` : ''})` : '') : row ? 'failed' : '';
    }
    const s = c.byMethod.get('spikepipe');
    r.vsGPipe = x(s?.speedupVsGPipe);
    r.vsPipeDream = x(s?.speedupVsPipeDream);
    r.vsSync = s?.bestSync ? `${x(s.speedupVsBestSync)} (${methodTitle(s.bestSync)})` : '–';
    r.vsAsync = s?.bestAsync ? `${x(s.speedupVsBestAsync)} (${methodTitle(s.bestAsync)})` : '–';
    r.bound = fmtInt(s?.lowerBound);
    r.gap = fmtPercent(s?.gap, 1);
    r.staleness = s ? s.staleness.join(',') : '';
    const op = c.byMethod.get(PAPER_POINT);
    if (op) {
      r.paper = op.period ? fmtInt(op.period) : 'failed';
      r.paperX = x(op.speedupVsPipeDream);
      // A gap against a bound that ignores the budget is marked: it overstates how far from optimal.
      r.paperGap = fmtPercent(op.gap, 1) + (op.boundUnderBudget === false ? ' *' : '');
    }
    out.push(r);
  }
  return {
    id: 'speedup',
    caption: 'Period (cycles per minibatch) by method, SpikePipe speedups, lower bound and gap',
    columns,
    rows: out,
    notes: [
      'Lower bound = max(iteration bound, ceil(work/N), longest task, proven packing bound) of SpikePipe\'s graph; gap = (period − bound)/bound. At the paper\'s operating point, * marks a gap against a bound that ignores the budget (a proven budget-aware bound where none is marked).',
      'GPipe and the synchronous pipelines of today (1F1B with a flush and after it) run at their best stage count, micro-batch count m ∈ {1, 2, 4, …, 32} dividing B (one list for every micro-batched method) and chunks per rank; PipeDream is the straight 1F1B pipeline; PipeDream+repl. adds stage replication (data parallelism) when N > L. Best sync / async: the fastest baseline of the cell whose staleness is zero / not zero.',
    ],
  };
}

/** Method keys of a cell in table order: each catalogue method, then its sweep variants. */
function keysInOrder(c: Cellwise, withVariants: boolean): string[] {
  const out: string[] = [];
  for (const m of methodOrder()) {
    if (c.byMethod.has(m)) out.push(m);
    if (withVariants) out.push(...[...c.byMethod.keys()].filter((k) => k.startsWith(`${m}@`)).sort());
  }
  return out;
}

const keyTitle = (k: string) => (k === PAPER_POINT ? "SpikePipe at the paper's point" : k === PAPER_POINT_TRAFFIC ? "SpikePipe at the paper's point (traffic reading)" : k.includes('@') ? `${methodTitle(k.split('@')[0])} @${k.split('@')[1]}` : methodTitle(k));

export function commTable(rows: CompareRow[]): Table {
  const cells = groupCells(rows);
  const out: Record<string, string>[] = [];
  const MB = (b: number | null | undefined) => (b === null || b === undefined ? '–' : fmt(b / 1e6, 3));
  for (const c of cells) {
    for (const m of keysInOrder(c, true)) {
      const r = c.byMethod.get(m)!;
      if (m === 'sequential') continue;
      out.push({
        network: c.network,
        procs: String(c.procs),
        method: keyTitle(m),
        crossing: MB(r.crossingBytes),
        total: MB(r.totalCommunication),
        overhead: fmtPercent(r.commOverhead, 2),
        traffic: fmtPercent(r.commOverheadTraffic, 3),
      });
    }
  }
  return {
    id: 'communication',
    caption: 'Bytes crossing processors per minibatch (MB) and overhead against PipeDream (share of all communication of training, two readings)',
    columns: [
      { key: 'network', title: 'network' },
      { key: 'procs', title: 'N', align: 'r' },
      { key: 'method', title: 'method' },
      { key: 'crossing', title: 'crossing (MB)', align: 'r' },
      { key: 'total', title: 'total comm. (MB)', align: 'r' },
      { key: 'overhead', title: 'overhead vs PipeDream', align: 'r' },
      { key: 'traffic', title: 'overhead, with memory traffic', align: 'r' },
    ],
    rows: out,
    notes: [
      `Paper's claim: ${PAPER.commOverhead} of all communication of training. Total communication = bytes on every edge of one iteration of the SpikePipe task graph plus one read and one write of every weight (lib/model/metrics/communication.ts). Second reading ("with memory traffic"): that plus every task's SRAM reads and writes as SCALE-Sim counts them per dataflow (lib/model/metrics/memory-traffic.ts), several times larger. Neither was chosen to meet the paper.`,
    ],
  };
}

/** SpikePipe under its three delay rules: minimal, no staler than PipeDream, LayerPipe2's 2S. */
export function delayRuleTable(rows: CompareRow[]): Table {
  const out: Record<string, string>[] = [];
  for (const c of groupCells(rows)) {
    const m = c.byMethod.get('spikepipe');
    if (!m) continue;
    const pd = c.byMethod.get('pipedream');
    const r: Record<string, string> = { network: c.network, procs: String(c.procs), pd: pd ? `${fmtInt(pd.period)} [${pd.staleness.join(',')}]` : '–' };
    for (const [key, rule] of [
      ['minimal', 'spikepipe'],
      ['capped', 'spikepipe:pipedream'],
      ['twoS', 'spikepipe:2S'],
    ] as const) {
      const x = c.byMethod.get(rule);
      r[key] = x ? (x.period ? `${fmtInt(x.period)} [${x.staleness.join(',')}]` : 'failed') : '–';
      r[`${key}X`] = x?.period && pd?.period ? `${fmt(pd.period / x.period, 2)}×` : '–';
    }
    out.push(r);
  }
  return {
    id: 'delay-rules',
    caption: 'SpikePipe period [d_l] under three delay rules, and speedup over PipeDream',
    columns: [
      { key: 'network', title: 'network' },
      { key: 'procs', title: 'N', align: 'r' },
      { key: 'pd', title: 'PipeDream [d_l]', align: 'r' },
      { key: 'minimal', title: 'minimal d [d_l]', align: 'r' },
      { key: 'minimalX', title: '×PD', align: 'r' },
      { key: 'capped', title: 'd ≤ PipeDream [d_l]', align: 'r' },
      { key: 'cappedX', title: '×PD', align: 'r' },
      { key: 'twoS', title: '2S rule [d_l]', align: 'r' },
      { key: 'twoSX', title: '×PD', align: 'r' },
    ],
    rows: out,
    notes: [
      'Minimal: delays read off the schedule (the smallest that legalise it). d ≤ PipeDream: each layer\'s delay fixed to PipeDream\'s at the same N. 2S: LayerPipe2\'s d_l = 2·(stages after l) on PipeDream\'s partition.',
    ],
  };
}

/**
 * Every row of a comparison, one line each, for the terminal (`spikepipe compare`): period,
 * bound, gap, whether the simulation reproduced the period, speedups, overhead, staleness,
 * memory, micro-batches; each row's notes numbered below the table.
 */
export function compareRowsTable(rows: CompareRow[]): Table {
  const num = (v: number | null, digits = 0) => (v === null ? '-' : digits === 0 ? String(v) : v.toFixed(digits));
  const pct = (v: number | null, digits = 1) => (v === null ? '-' : `${(100 * v).toFixed(digits)}%`);
  const notes: string[] = [];
  const out = rows.map((r) => {
    const refs = r.notes.map((n) => {
      notes.push(`[${notes.length + 1}] ${r.network} N=${r.procs} ${r.method}: ${n}`);
      return `[${notes.length}]`;
    });
    return {
      network: r.network,
      procs: String(r.procs),
      method: r.method,
      period: num(r.period),
      bound: num(r.lowerBound),
      gap: pct(r.gap) + (r.boundUnderBudget === false ? '*' : ''),
      sim: r.valid ? (r.simulatedPeriod === r.period ? 'ok' : num(r.simulatedPeriod)) : 'INVALID',
      xSeq: num(r.speedupVsSequential, 2),
      xGPipe: num(r.speedupVsGPipe, 2),
      xPD: num(r.speedupVsPipeDream, 2),
      comm: pct(r.commOverhead, 3),
      staleness: r.staleness.join(','),
      mem: r.peakMemoryBytes === null ? '-' : (r.peakMemoryBytes / 2 ** 20).toFixed(1),
      m: r.microBatches === undefined ? '' : String(r.microBatches),
      notes: refs.join(''),
    };
  });
  const col = (key: string, title: string, align?: 'r') => ({ key, title, ...(align ? { align } : {}) });
  return {
    id: 'compare',
    caption: 'Pipelining methods compared: period, bound, speedups, communication, staleness, memory',
    columns: [
      col('network', 'network'),
      col('procs', 'N', 'r'),
      col('method', 'method'),
      col('period', 'period', 'r'),
      col('bound', 'bound', 'r'),
      col('gap', 'gap', 'r'),
      col('sim', 'sim'),
      col('xSeq', 'xSeq', 'r'),
      col('xGPipe', 'xGPipe', 'r'),
      col('xPD', 'xPD', 'r'),
      col('comm', 'comm+', 'r'),
      col('staleness', 'staleness'),
      col('mem', 'mem MB', 'r'),
      col('m', 'm', 'r'),
      col('notes', 'notes'),
    ],
    rows: out,
    notes: [...notes, ...(rows.some((r) => r.boundUnderBudget === false) ? ['* gap against a lower bound that ignores the budget (valid, but weaker)'] : [])],
  };
}

/**
 * Memory per row (simulated peaks on the busiest processor): the activations held (micro-batches
 * in flight), the weight versions held (stashes, double buffers), both together.
 */
export function memoryTable(rows: CompareRow[]): Table {
  const MB = (b: number | null | undefined) => (b === null || b === undefined ? '–' : fmt(b / 1e6, 2));
  const out: Record<string, string>[] = [];
  for (const c of groupCells(rows)) {
    for (const m of keysInOrder(c, true)) {
      const r = c.byMethod.get(m)!;
      out.push({
        network: c.network,
        procs: String(c.procs),
        method: keyTitle(m),
        period: r.period ? fmtInt(r.period) + (r.microBatches ? ` (m=${r.microBatches})` : '') : 'failed',
        staleness: r.staleness.join(','),
        activations: MB(r.peakActivationBytes),
        weights: MB(r.peakWeightBytes),
        total: MB(r.peakMemoryBytes),
      });
    }
  }
  return {
    id: 'memory',
    caption: 'Peak memory per processor (MB, busiest processor, simulated): activations held and weight versions held',
    columns: [
      { key: 'network', title: 'network' },
      { key: 'procs', title: 'N', align: 'r' },
      { key: 'method', title: 'method' },
      { key: 'period', title: 'period', align: 'r' },
      { key: 'staleness', title: 'd_l' },
      { key: 'activations', title: 'activations', align: 'r' },
      { key: 'weights', title: 'weights', align: 'r' },
      { key: 'total', title: 'together (peak)', align: 'r' },
    ],
    rows: out,
    notes: [
      'Activations: every tensor from its producer\'s end until its last reader on that processor ends (weight gradients accumulate in one buffer per update); weights: every version from its arrival until its last reader ends (PipeDream\'s stashes, 2BW\'s double buffer). Peaks are of one processor at one time, not sums of separate peaks.',
    ],
  };
}
