/**
 * A small worker_threads pool: each worker loads one module that exports `handle(input)`
 * and answers one job at a time. With `workers <= 1` jobs run in this thread (same code path,
 * easier to debug and test). Results arrive in completion order; callers sort by key when they
 * need a fixed order.
 *
 * From TypeScript sources (tests, ts-node) the workers register ts-node's transpile-only hook;
 * from the compiled dist/ they load plain JavaScript.
 */
import * as fs from 'node:fs';
import { shippedFile } from '../../model/spec/paths';
import { Worker } from 'node:worker_threads';
import { InputError } from '../../model/errors';

export interface PoolJob<I> {
  key: string;
  input: I;
}

export interface PoolOptions<R> {
  /** Absolute path of the worker module (without extension is fine: resolved like require). */
  module: string;
  workers: number;
  onResult: (key: string, result: R) => void;
  /** Called when a job throws: the error is re-thrown after all workers stop. */
  onError?: (key: string, message: string) => void;
}

type Handler<I, R> = (input: I) => Promise<R> | R;

/** The module's file: as require would find it, or with a .ts/.js extension (vitest's require does not know .ts). */
function resolveModule(mod: string): string {
  for (const ext of ['', '.js', '.ts']) if (fs.existsSync(mod + ext) && fs.statSync(mod + ext).isFile()) return mod + ext;
  return require.resolve(mod);
}

/**
 * The worker's bootstrap, as source (eval mode works the same for .ts and .js modules):
 * require the job module and answer {key, input} messages with {key, ok, result | error}.
 */
function workerSource(file: string, isTs: boolean): string {
  return [
    "'use strict';",
    isTs ? "require('ts-node').register({ transpileOnly: true, project: " + JSON.stringify(shippedFile('tsconfig.json')) + ' });' : '',
    "const { parentPort } = require('node:worker_threads');",
    `const mod = require(${JSON.stringify(file)});`,
    'parentPort.on("message", async (msg) => {',
    '  try {',
    '    const result = await mod.handle(msg.input);',
    '    parentPort.postMessage({ key: msg.key, ok: true, result });',
    '  } catch (err) {',
    "    const input = !!err && err.name === 'InputError';",
    "    const detail = input ? '' : (err && err.stack) || '';",
    "    parentPort.postMessage({ key: msg.key, ok: false, input, where: input ? String(err.where) : undefined, error: (err && err.message ? err.message : String(err)) + (detail ? '\\n' + detail : '') });",
    '  }',
    '});',
  ].join('\n');
}

export async function runPool<I, R>(jobs: PoolJob<I>[], opts: PoolOptions<R>): Promise<void> {
  const file = resolveModule(opts.module);
  if (opts.workers <= 1 || jobs.length <= 1) {
    // import() rather than require(): under vitest it goes through the TS transform.
    const handle = ((await import(file)) as { handle: Handler<I, R> }).handle;
    for (const job of jobs) opts.onResult(job.key, await handle(job.input));
    return;
  }
  const isTs = file.endsWith('.ts');
  const queue = [...jobs];
  let failure: Error | null = null;
  const n = Math.min(opts.workers, jobs.length);
  await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<void>((resolve) => {
        const w = new Worker(workerSource(file, isTs), { eval: true });
        let current: PoolJob<I> | undefined;
        const next = () => {
          current = failure ? undefined : queue.shift();
          if (!current) {
            void w.terminate().then(() => resolve());
            return;
          }
          w.postMessage({ key: current.key, input: current.input });
        };
        w.on('message', (msg: { key: string; ok: boolean; result?: R; error?: string; input?: boolean; where?: string }) => {
          if (msg.ok) opts.onResult(msg.key, msg.result as R);
          else {
            opts.onError?.(msg.key, msg.error ?? 'unknown error');
            // A worker's input error stays an input error (one line for the user), as in-process.
            const text = msg.error ?? 'unknown error';
            const where = msg.where ?? '';
            failure ??= msg.input ? new InputError(where, where && text.startsWith(`${where}: `) ? text.slice(where.length + 2) : text) : new Error(`${msg.key}: ${text}`);
          }
          next();
        });
        w.on('error', (err) => {
          failure ??= err;
          resolve();
        });
        next();
      }),
    ),
  );
  if (failure) throw failure;
}
