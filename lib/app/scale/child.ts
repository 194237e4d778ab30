/**
 * Child-process entry of the scale benchmark: `node child.js '<ScaleCellInput as JSON>'` runs
 * one cell (./cell.ts) and prints its result as one JSON line on stdout.
 */
import { runScaleCell, type ScaleCellInput } from './cell';

if (require.main === module) {
  const input = JSON.parse(process.argv[2] ?? '{}') as ScaleCellInput;
  runScaleCell(input).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
