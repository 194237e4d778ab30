/**
 * `npm run accuracy:anchor [-- --samples 20000 --epochs 3 --threads 2 --compare file.json
 * --anchor FILE --python FILE]`: the PyTorch anchor (./anchor.ts) on the accuracy rows' budget;
 * prints its test accuracy, and with --compare (`spikepipe accuracy --json` output or
 * reproduce's summary.json) our no-delay fmnist-conv row against it. When the anchor, python,
 * torch or the data is missing: one line saying so, exit 0. Bad flags: one line, exit 2.
 */
import { parseArgs } from 'node:util';
import { anchorUnavailable, compareLine, DEFAULT_PYTHON, defaultAnchorPath, ourNoDelayRow, runAnchor } from './anchor';

const USAGE = 'usage: npm run accuracy:anchor [-- --samples 20000 --epochs 3 --threads 2 --compare accuracy.json|out/summary.json --anchor FILE --python FILE]';

function options() {
  const { values } = parseArgs({
    options: {
      samples: { type: 'string' },
      epochs: { type: 'string' },
      threads: { type: 'string' },
      compare: { type: 'string' },
      anchor: { type: 'string' },
      python: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  const int = (s: string | undefined, what: string, dflt: number) => {
    if (s === undefined) return dflt;
    if (!/^\d+$/.test(s.trim()) || Number(s) < 1) throw new Error(`--${what}: must be a positive integer, got ${JSON.stringify(s)}`);
    return Number(s);
  };
  return {
    help: values.help === true,
    samples: int(values.samples, 'samples', 20000),
    epochs: int(values.epochs, 'epochs', 3),
    threads: int(values.threads, 'threads', 2),
    compare: values.compare,
    anchor: values.anchor ?? defaultAnchorPath(),
    python: values.python ?? DEFAULT_PYTHON,
  };
}

if (require.main === module) {
  let o: ReturnType<typeof options>;
  try {
    o = options();
  } catch (err) {
    process.stderr.write(`accuracy:anchor: ${(err as Error).message} (--help for the usage)\n`);
    process.exit(2);
  }
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  let ours: ReturnType<typeof ourNoDelayRow> = null;
  try {
    ours = o.compare !== undefined ? ourNoDelayRow(o.compare) : null;
  } catch (err) {
    process.stderr.write(`accuracy:anchor: ${o.compare}: ${(err as Error).message}\n`);
    process.exit(2);
  }
  if (o.compare !== undefined && !ours) {
    process.stderr.write(`accuracy:anchor: ${o.compare}: no fmnist-conv no-delay row with mean accuracy\n`);
    process.exit(2);
  }
  const why = anchorUnavailable(o.anchor, o.python);
  if (why) {
    process.stdout.write(`accuracy:anchor: skipped: ${why}\n`);
    process.exit(0);
  }
  process.stderr.write(`accuracy:anchor: ${o.python} ${o.anchor} ${o.samples} ${o.epochs} ${o.threads}\n`);
  const t0 = performance.now();
  runAnchor({ ...o, onEpoch: (e) => process.stderr.write(`  epoch ${e.epoch}: test accuracy ${(100 * e.test_accuracy).toFixed(2)} %, ${e.train_samples_per_s} training samples/s\n`) }).then(
    (epochs) => {
      const last = epochs[epochs.length - 1];
      if (!last) throw new Error('the anchor printed no epoch');
      process.stdout.write(
        `PyTorch anchor (snn_conv_torch.py, fmnist-conv): ${(100 * last.test_accuracy).toFixed(2)} % test accuracy after ${last.epoch} epochs on the first ${o.samples} training images ` +
          `(first 2,000 test images, torch seed 0, ${o.threads} threads, ${((performance.now() - t0) / 1000).toFixed(0)} s)\n`,
      );
      if (ours) process.stdout.write(compareLine(ours, last.test_accuracy, { samples: o.samples, epochs: o.epochs }) + '\n');
    },
  ).catch((err: unknown) => {
    process.stderr.write(`accuracy:anchor: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
