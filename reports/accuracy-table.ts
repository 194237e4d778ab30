/**
 * The accuracy-with-delay table, one row per (network, delays, weights) over its seeds: the
 * mean final test accuracy and its min … max over the seeds, the difference to the no-delay
 * row taken seed by seed (mean, min … max), and the no-delay row's own max − min beside it —
 * a difference inside that noise is not evidence of anything.
 */
import type { AccuracySummaryRow, Spread } from './rows';
import { fmt, type Table } from './table';

const pts = (x: number): string => fmt(100 * x, 2);
const signed = (x: number): string => (x > 0 ? '+' : '') + pts(x);
/** Points with a typographic minus (a range cell then starts with no '-' or '+' for CSV's formula guard). */
const minus = (x: number): string => (x < 0 ? '−' + pts(-x) : pts(x));
/** `min … max` in points; '–' for a single value. */
const range = (s: Spread, n: number): string => (n > 1 ? `${minus(s.min)} … ${minus(s.max)}` : '–');
const isNoDelay = (r: AccuracySummaryRow): boolean => r.staleness.every((d) => d === 0);

/** The caption's verdict: quick runs are a smoke test of the machinery, nothing more. */
export function accuracyRunKind(mode: string): string {
  return mode === 'quick' ? 'smoke test, not evidence' : mode;
}

function cells(r: AccuracySummaryRow): Record<string, string> {
  const n = r.seeds.length;
  return {
    network: r.network,
    dataset: r.dataset + (r.note ? ' *' : ''),
    label: r.label,
    staleness: r.staleness.join(','),
    mode: r.mode,
    data: `${r.trainSamples} / ${r.testSamples}`,
    epochs: String(r.epochs),
    seeds: r.seeds.join(','),
    acc: pts(r.accuracy.mean),
    accRange: range(r.accuracy, n),
    delta: r.delta === null || isNoDelay(r) ? '–' : signed(r.delta.mean),
    deltaRange: r.delta === null || isNoDelay(r) ? '–' : range(r.delta, r.delta.n),
    noise: r.noise === null || n < 2 ? '–' : pts(r.noise),
  };
}

const COLUMNS: Table['columns'] = [
  { key: 'network', title: 'network' },
  { key: 'dataset', title: 'dataset' },
  { key: 'label', title: 'delays from' },
  { key: 'staleness', title: 'd_l' },
  { key: 'mode', title: 'weights' },
  { key: 'data', title: 'train / test', align: 'r' },
  { key: 'epochs', title: 'epochs', align: 'r' },
  { key: 'seeds', title: 'seeds', align: 'r' },
  { key: 'acc', title: 'test accuracy % (mean)', align: 'r' },
  { key: 'accRange', title: 'min … max', align: 'r' },
  { key: 'delta', title: 'Δ vs no delay, points (mean)', align: 'r' },
  { key: 'deltaRange', title: 'Δ per seed min … max', align: 'r' },
  { key: 'noise', title: 'noise: no-delay max − min', align: 'r' },
];

const SPREAD_NOTE =
  'Spread is min … max over the seeds (not a standard deviation). Δ is taken seed by seed against the no-delay row (same seed: same data subset, initial weights and minibatch order); the noise column is the no-delay row\'s own max − min over the seeds — a Δ inside it is run-to-run noise.';

export function accuracyReportTable(rows: AccuracySummaryRow[], mode: string, skipped: string[] = []): Table {
  const smoke = mode === 'quick';
  return {
    id: 'accuracy',
    caption: smoke
      ? 'Smoke test, not evidence: test accuracy without delay and with the per-layer staleness of the PipeDream and SpikePipe schedules (quick: one seed, one epoch)'
      : `Test accuracy without delay and with the per-layer staleness of the PipeDream and SpikePipe schedules (${mode}: mean and min … max over seeds)`,
    columns: [...COLUMNS, { key: 'run', title: 'run' }],
    rows: rows.map((r) => ({ ...cells(r), run: accuracyRunKind(mode) })),
    notes: [
      ...(smoke ? ['Smoke test, not evidence: `reproduce --quick` checks that the trainer runs with the schedules\' delays; its differences are noise. The evidence is `spikepipe reproduce --full` (or `spikepipe accuracy`).'] : []),
      SPREAD_NOTE,
      'Paper\'s claim: no accuracy loss on small networks, < 10 % on large ones. Weights `stash`: the update computed on weight version k − d_l is applied d_l iterations late (PipeDream semantics).',
      ...[...new Set(rows.filter((r) => r.note).map((r) => `* ${r.note}`))],
      ...skipped.map((s) => `Skipped: ${s}`),
    ],
  };
}

/** The rows for the terminal (`spikepipe accuracy`): the report's columns and training speed. */
export function accuracyRowsTable(rows: AccuracySummaryRow[], opts: { smoke?: boolean } = {}): Table {
  return {
    id: 'accuracy-rows',
    caption: (opts.smoke ? 'Smoke test, not evidence: ' : '') + 'Test accuracy without delay and with pipeline staleness (mean and min … max over seeds)',
    columns: [...COLUMNS, { key: 'speed', title: 'samples/s', align: 'r' }],
    rows: rows.map((r) => ({ ...cells(r), speed: r.trainSamplesPerSecond.toFixed(1) })),
    notes: [
      ...(opts.smoke ? ['smoke test, not evidence (--quick)'] : []),
      SPREAD_NOTE,
      ...new Set(rows.filter((r) => r.note).map((r) => `note: ${r.dataset}: ${r.note}`)),
    ],
  };
}
