/**
 * Running shards of a minibatch on worker threads.
 *
 * A minibatch is cut into a fixed number of shards; shard s runs on thread s mod W (thread
 * 0 is the main thread). Each shard's weight gradient lands in its own shared buffer and the
 * main thread adds them up in shard order, so the result depends on the number of shards,
 * never on the number of threads: `--workers 1` and `--workers 2` train bit-identically.
 *
 * The worker script is the compiled worker.js next to this file; when running from the
 * TypeScript sources (tests) it is loaded through ts-node's transpile-only hook.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EngineOptions } from './engine';
import type { NetPlan } from './plan';

export interface WorkerInit {
  plan: NetPlan;
  engine: EngineOptions;
  /** Shard ids this worker hosts. */
  shards: number[];
  x: Float32Array;
  y: Uint8Array;
  testX: Float32Array;
  testY: Uint8Array;
  live: Float32Array[];
  recon: Float32Array[] | null;
  /** Gradient buffers (float64) by shard id. */
  grads: Record<number, Float64Array[]>;
}

export type WorkerRequest =
  | { op: 'step'; shard: number; iteration: number; indices: Int32Array; batchTotal: number; set: 'live' | 'recon' }
  | { op: 'eval'; data: 'train' | 'test'; indices: Int32Array; set: 'live' | 'recon' };

export type WorkerReply =
  | { ok: true; lossSum: number; correct: number; gradLayers: boolean[] }
  | { ok: false; error: string };

/** A Float32Array of n values on a SharedArrayBuffer (visible to workers without copying). */
export function sharedF32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(4 * n));
}

/** A Float64Array of n values on a SharedArrayBuffer. */
export function sharedF64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * n));
}

export function sharedCopy<T extends Float32Array | Uint8Array>(a: T): T {
  const Ctor = a.constructor as { new (b: SharedArrayBuffer): T };
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  (out as unknown as { set(x: ArrayLike<number>): void }).set(a);
  return out;
}

function startWorker(init: WorkerInit): Worker {
  const js = join(__dirname, 'worker.js');
  if (existsSync(js)) return new Worker(js, { workerData: init });
  const ts = join(__dirname, 'worker.ts');
  const hook = require.resolve('ts-node/register/transpile-only');
  const code = `require(${JSON.stringify(hook)}); require(${JSON.stringify(ts)});`;
  return new Worker(code, { eval: true, workerData: init });
}

/** One worker thread with an in-order request queue. */
export class ShardWorker {
  private readonly worker: Worker;
  private readonly pending: { resolve: (r: WorkerReply & { ok: true }) => void; reject: (e: Error) => void }[] = [];
  private dead: Error | null = null;

  constructor(init: WorkerInit) {
    this.worker = startWorker(init);
    this.worker.on('message', (r: WorkerReply) => {
      const p = this.pending.shift();
      if (!p) return;
      if (r.ok) p.resolve(r);
      else p.reject(new Error(`trainer worker failed: ${r.error}`));
    });
    const fail = (err: Error): void => {
      this.dead = err;
      for (const p of this.pending.splice(0)) p.reject(err);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => {
      if (code !== 0) fail(new Error(`trainer worker exited with code ${code}`));
    });
  }

  request(req: WorkerRequest): Promise<WorkerReply & { ok: true }> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.worker.postMessage(req);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
