/**
 * `npm run bench:scale [-- --networks a,b --procs 4,16,64 --methods m1,m2 --timeout s --out dir
 * --resume scale.json]`: the scale benchmark (./bench.ts) from the compiled tree; one line per
 * cell on stderr; --resume keeps the cells of an earlier run that did not fail.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runScaleBenchmark, scaleMarkdown, writeScaleReport, SCALE_NETWORKS, SCALE_PROCS } from './bench';

const USAGE = 'usage: npm run bench:scale [-- --networks a,b --procs 4,16,64 --methods m1,m2 --timeout s --out dir --resume scale.json]';

/** The options, strictly parsed: an unknown flag or a bad number is one line and exit 2. */
function options() {
  const { values } = parseArgs({
    options: {
      networks: { type: 'string' },
      procs: { type: 'string' },
      methods: { type: 'string' },
      timeout: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  const list = (s: string | undefined) => s?.split(',').map((x) => x.trim()).filter(Boolean);
  const positive = (s: string, what: string) => {
    const n = Number(s);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${what}: must be a positive number, got ${JSON.stringify(s)}`);
    return n;
  };
  return {
    help: values.help === true,
    out: values.out ?? 'out/scale',
    networks: list(values.networks) ?? SCALE_NETWORKS,
    procs: list(values.procs)?.map((x) => positive(x, 'procs')) ?? SCALE_PROCS,
    methods: list(values.methods),
    timeoutSeconds: values.timeout !== undefined ? positive(values.timeout, 'timeout') : undefined,
    resume: values.resume,
  };
}

if (require.main === module) {
  let o: ReturnType<typeof options>;
  try {
    o = options();
  } catch (err) {
    process.stderr.write(`bench:scale: ${(err as Error).message} (--help for the usage)\n`);
    process.exit(2);
  }
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const out = o.out;
  runScaleBenchmark({
    networks: o.networks,
    procs: o.procs,
    methods: o.methods,
    timeoutSeconds: o.timeoutSeconds,
    previous: o.resume && existsSync(o.resume) ? JSON.parse(readFileSync(o.resume, 'utf8')).cells : undefined,
    onCell: (c, done, total) =>
      process.stderr.write(`[${done}/${total}] ${c.network} N=${c.procs} ${c.method}: ${c.status} ${c.seconds.toFixed(1)} s ${c.peakMB ?? '?'} MB${c.reason ? ` (${c.reason.slice(0, 160)})` : ''}\n`),
  }).then(
    (r) => {
      writeScaleReport(r, out);
      process.stdout.write(scaleMarkdown(r));
      process.stderr.write(`written ${out}/scale.md and scale.json\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
