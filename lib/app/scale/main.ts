/**
 * `npm run bench:scale [-- --networks a,b --procs 4,16,64 --methods m1,m2 --timeout s --out dir
 * --resume scale.json]`: the scale benchmark (./bench.ts) from the compiled tree; one line per
 * cell on stderr; --resume keeps the cells of an earlier run that did not fail.
 */
import { existsSync, readFileSync } from 'node:fs';
import { runScaleBenchmark, scaleMarkdown, writeScaleReport, SCALE_NETWORKS, SCALE_PROCS } from './bench';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const list = (s: string | undefined) => s?.split(',').map((x) => x.trim()).filter(Boolean);

if (require.main === module) {
  const out = arg('out') ?? 'out/scale';
  runScaleBenchmark({
    networks: list(arg('networks')) ?? SCALE_NETWORKS,
    procs: list(arg('procs'))?.map(Number) ?? SCALE_PROCS,
    methods: list(arg('methods')),
    timeoutSeconds: arg('timeout') ? Number(arg('timeout')) : undefined,
    previous: arg('resume') && existsSync(arg('resume')!) ? JSON.parse(readFileSync(arg('resume')!, 'utf8')).cells : undefined,
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
