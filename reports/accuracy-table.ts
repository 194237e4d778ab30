/** The accuracy-with-delay table. */
import type { AccuracyRow } from './rows';
import { fmt, type Table } from './table';

export function accuracyReportTable(rows: AccuracyRow[], mode: string, skipped: string[] = []): Table {
  return {
    id: 'accuracy',
    caption: `Test accuracy without delay and with the per-layer staleness of the PipeDream and SpikePipe schedules (${mode})`,
    columns: [
      { key: 'network', title: 'network' },
      { key: 'dataset', title: 'dataset' },
      { key: 'label', title: 'delays from' },
      { key: 'staleness', title: 'd_l' },
      { key: 'mode', title: 'weights' },
      { key: 'data', title: 'train / test', align: 'r' },
      { key: 'epochs', title: 'epochs', align: 'r' },
      { key: 'acc', title: 'test accuracy %', align: 'r' },
      { key: 'delta', title: 'Δ vs no delay (points)', align: 'r' },
    ],
    rows: rows.map((r) => ({
      network: r.network,
      dataset: r.dataset + (r.note ? ' *' : ''),
      label: r.label,
      staleness: r.staleness.join(','),
      mode: r.mode,
      data: `${r.trainSamples} / ${r.testSamples}`,
      epochs: String(r.epochs),
      acc: fmt(100 * r.testAccuracy, 2),
      delta: r.deltaVsNoDelay === null ? '–' : fmt(100 * r.deltaVsNoDelay, 2),
    })),
    notes: [
      'Paper\'s claim: no accuracy loss on small networks, < 10 % on large ones. Weights `stash`: the update computed on weight version k − d_l is applied d_l iterations late (PipeDream semantics).',
      ...[...new Set(rows.filter((r) => r.note).map((r) => `* ${r.note}`))],
      ...skipped.map((s) => `Skipped: ${s}`),
    ],
  };
}

/** Every trained row for the terminal (`spikepipe accuracy`): data, epochs, accuracy, Δ, speed. */
export function accuracyRowsTable(rows: AccuracyRow[]): Table {
  const pct = (x: number): string => (100 * x).toFixed(2);
  return {
    id: 'accuracy-rows',
    caption: 'Test accuracy without delay and with pipeline staleness',
    columns: [
      { key: 'network', title: 'network' },
      { key: 'dataset', title: 'dataset' },
      { key: 'delays', title: 'delays' },
      { key: 'mode', title: 'mode' },
      { key: 'label', title: 'label' },
      { key: 'train', title: 'train', align: 'r' },
      { key: 'test', title: 'test', align: 'r' },
      { key: 'epochs', title: 'epochs', align: 'r' },
      { key: 'acc', title: 'accuracy %', align: 'r' },
      { key: 'delta', title: 'Δ pts', align: 'r' },
      { key: 'speed', title: 'samples/s', align: 'r' },
    ],
    rows: rows.map((r) => ({
      network: r.network,
      dataset: r.dataset,
      delays: r.staleness.join(','),
      mode: r.mode,
      label: r.label,
      train: String(r.trainSamples),
      test: String(r.testSamples),
      epochs: String(r.epochs),
      acc: pct(r.testAccuracy),
      delta: r.deltaVsNoDelay === null ? '-' : (r.deltaVsNoDelay >= 0 ? '+' : '') + pct(r.deltaVsNoDelay),
      speed: r.trainSamplesPerSecond.toFixed(1),
    })),
    notes: [...new Set(rows.filter((r) => r.note).map((r) => `note: ${r.dataset}: ${r.note}`))],
  };
}
