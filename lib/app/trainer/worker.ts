/**
 * Worker-thread side of the data-parallel trainer: hosts one ShardEngine per shard it was
 * given and answers `step` / `eval` requests, one at a time, in order. Weights, gradients and
 * the dataset live in SharedArrayBuffers shared with the main thread; messages carry only
 * sample indices and scalar results.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ShardEngine } from './engine';
import type { WorkerInit, WorkerReply, WorkerRequest } from './parallel';

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('trainer worker: no parent port');
  const init = workerData as WorkerInit;
  const engines = new Map<number, ShardEngine>();
  for (const s of init.shards) engines.set(s, new ShardEngine(init.plan, init.engine));
  let evalEngine: ShardEngine | null = null;
  const weightSet = (set: 'live' | 'recon'): Float32Array[] => (set === 'recon' && init.recon ? init.recon : init.live);
  port.on('message', (req: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      if (req.op === 'step') {
        const engine = engines.get(req.shard);
        if (!engine) throw new Error(`trainer worker: shard ${req.shard} is not mine`);
        const r = engine.step(req.iteration, init.x, init.y, req.indices, req.batchTotal, weightSet(req.set), init.grads[req.shard]);
        reply = { ok: true, lossSum: r.lossSum, correct: r.correct, gradLayers: r.gradLayers };
      } else {
        evalEngine ??= engines.values().next().value ?? new ShardEngine(init.plan, init.engine);
        const test = req.data === 'test';
        const r = evalEngine.evaluate(test ? init.testX : init.x, test ? init.testY : init.y, req.indices, weightSet(req.set));
        reply = { ok: true, lossSum: r.lossSum, correct: r.correct, gradLayers: [] };
      }
    } catch (err) {
      reply = { ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    }
    port.postMessage(reply);
  });
}

main();
