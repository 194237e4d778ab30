/**
 * HiGHS backend (npm `highs`: HiGHS compiled to WebAssembly, single-threaded).
 *
 * The model goes over as arrays (CSR rows, column bounds, integrality) through the persistent
 * API — no LP text to parse — and a MIP start goes in with setSolution. What we read back
 * (deps.md §3): the model status, the primal values only when a primal solution exists, and
 * `mip_dual_bound` as the proven bound.
 *
 * Time limits. HiGHS checks `time_limit` and our interrupt callbacks only at some points:
 * measured here, root cut separation on a 9,600-row time-indexed model ran 4.4 s without a
 * single callback, and presolve of a 53,000-row model 8 s. So the solve runs in a worker
 * thread (one per process, reused, loaded once): the worker interrupts itself at the limit
 * through the callbacks and streams every improving solution and better bound to this
 * thread; if it has not answered shortly after the limit (5 % or 0.1 s of grace), it is
 * terminated and the last streamed incumbent and bound are the answer (status feasible or
 * timeout). A fresh worker is started for the next solve. The main thread never blocks, so
 * progress output keeps moving.
 *
 * `loadHighs()` gives the in-thread runtime too (LP text solves in tests, quick LPs).
 */
import { Worker } from 'node:worker_threads';
import type { Highs } from 'highs';
import type { MilpBackend, MilpModel, MilpResult, MilpSolveOptions } from './model';

let runtime: Promise<Highs> | null = null;

/** The in-thread HiGHS runtime (loaded on first use). */
export function loadHighs(): Promise<Highs> {
  if (!runtime) {
    runtime = import('highs').then((mod) => {
      const load = (mod as unknown as { default: (o?: object) => Promise<Highs> }).default;
      return load();
    });
  }
  return runtime;
}

/** What the worker receives: the model as HiGHS arrays. */
interface Job {
  id: number;
  numCols: number;
  numRows: number;
  minimize: boolean;
  colCost: Float64Array;
  colLower: Float64Array;
  colUpper: Float64Array;
  rowLower: Float64Array;
  rowUpper: Float64Array;
  starts: Int32Array;
  indices: Int32Array;
  values: Float64Array;
  integrality: Int32Array;
  options: Record<string, number | string | boolean>;
  start: Float64Array | null;
  timeLimitMs: number;
  log: boolean;
}

type WorkerMsg =
  | { kind: 'incumbent'; id: number; objective: number; x: Float64Array }
  | { kind: 'bound'; id: number; bound: number }
  | { kind: 'log'; id: number; line: string }
  | {
      kind: 'done';
      id: number;
      status: number;
      statusName: string;
      primal: boolean;
      objective: number;
      x: Float64Array | null;
      bound: number;
      nodes: number;
      error?: string;
    };

/** The worker, as plain JavaScript (eval mode: works from the TS sources and from dist/). */
function workerSource(highsPath: string): string {
  return `'use strict';
const { parentPort } = require('node:worker_threads');
const load = require(${JSON.stringify(highsPath)});
let highsP = null;
parentPort.on('message', async (job) => {
  const id = job.id;
  try {
    const highs = await (highsP = highsP || load());
    const C = highs.constants.callbackType;
    const S = highs.constants.modelStatus;
    const inf = highs.infinity;
    const fix = (a) => { for (let i = 0; i < a.length; i++) { if (a[i] === Infinity) a[i] = inf; else if (a[i] === -Infinity) a[i] = -inf; } return a; };
    const deadline = Date.now() + job.timeLimitMs;
    let bestBound = job.minimize ? -Infinity : Infinity;
    const result = highs.withModel((hm) => {
      hm.options.set(job.options);
      hm.passModel({
        numCols: job.numCols, numRows: job.numRows,
        sense: job.minimize ? highs.constants.objectiveSense.minimize : highs.constants.objectiveSense.maximize,
        colCost: job.colCost, colLower: fix(job.colLower), colUpper: fix(job.colUpper),
        rowLower: fix(job.rowLower), rowUpper: fix(job.rowUpper),
        matrix: { format: 'csr', numRows: job.numRows, numCols: job.numCols, starts: job.starts, indices: job.indices, values: job.values },
        integrality: job.integrality,
      });
      if (job.start) hm.setSolution({ colValue: job.start });
      const bound = (d) => {
        const b = d && d.mip_dual_bound;
        if (typeof b === 'number' && Number.isFinite(b) && (job.minimize ? b > bestBound : b < bestBound)) {
          bestBound = b;
          parentPort.postMessage({ kind: 'bound', id, bound: b });
        }
      };
      const stop = (ev) => { bound(ev.data); if (Date.now() > deadline) ev.interrupt(); return undefined; };
      const cbs = {
        [C.simplexInterrupt]: stop,
        [C.ipmInterrupt]: stop,
        [C.mipInterrupt]: stop,
        [C.mipImprovingSolution]: (ev) => {
          const d = ev.data;
          if (d.mip_solution) parentPort.postMessage({ kind: 'incumbent', id, objective: d.objective_function_value, x: Float64Array.from(d.mip_solution) });
          return undefined;
        },
      };
      if (job.log) cbs[C.logging] = (ev) => { parentPort.postMessage({ kind: 'log', id, line: String(ev.message).trimEnd() }); return undefined; };
      const status = hm.run(cbs).modelStatus;
      const primal = Number(hm.info.get('primal_solution_status')) === highs.constants.solutionStatus.feasible;
      const objective = primal ? hm.getObjectiveValue() : NaN;
      const x = primal && Number.isFinite(objective) ? Float64Array.from(hm.getSolution().colValue) : null;
      let b = NaN, nodes = 0;
      try { b = Number(hm.info.get('mip_dual_bound')); nodes = Number(hm.info.get('mip_node_count')); } catch (e) { /* an LP */ }
      const statusName = Object.keys(S).find((k) => S[k] === status) || String(status);
      return { kind: 'done', id, status, statusName, primal: x !== null, objective, x, bound: b, nodes };
    });
    parentPort.postMessage(result);
  } catch (err) {
    parentPort.postMessage({ kind: 'done', id, status: -1, statusName: 'error', primal: false, objective: NaN, x: null, bound: NaN, nodes: 0, error: String(err && err.message || err) });
  }
});
`;
}

let worker: Worker | null = null;
let nextId = 1;

function getWorker(): Worker {
  if (!worker) {
    worker = new Worker(workerSource(require.resolve('highs')), { eval: true });
    worker.unref();
  }
  return worker;
}

/** The model as HiGHS arrays (±Infinity kept; the worker maps them to HiGHS's infinity). */
function toJob(model: MilpModel, opts: MilpSolveOptions, id: number): Job {
  const n = model.vars.length;
  const colCost = new Float64Array(n);
  for (let k = 0; k < model.objIdx.length; k++) colCost[model.objIdx[k]] += model.objCoef[k];
  const colLower = new Float64Array(n);
  const colUpper = new Float64Array(n);
  const integrality = new Int32Array(n);
  model.vars.forEach((v, j) => {
    colLower[j] = v.lb;
    colUpper[j] = v.ub;
    integrality[j] = v.type === 'continuous' ? 0 : 1;
  });
  const m = model.rows.length;
  const rowLower = new Float64Array(m);
  const rowUpper = new Float64Array(m);
  let nnz = 0;
  for (const r of model.rows) nnz += r.idx.length;
  const starts = new Int32Array(m + 1);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let k = 0;
  model.rows.forEach((r, i) => {
    rowLower[i] = r.sense === '<=' ? -Infinity : r.rhs;
    rowUpper[i] = r.sense === '>=' ? Infinity : r.rhs;
    starts[i] = k;
    for (let q = 0; q < r.idx.length; q++, k++) {
      indices[k] = r.idx[q];
      values[k] = r.coef[q];
    }
  });
  starts[m] = k;
  const limit = Math.max(0.01, opts.timeLimitSeconds);
  return {
    id,
    numCols: n,
    numRows: m,
    minimize: model.sense === 'min',
    colCost,
    colLower,
    colUpper,
    rowLower,
    rowUpper,
    starts,
    indices,
    values,
    integrality,
    options: {
      output_flag: opts.onLog !== undefined,
      time_limit: limit,
      mip_rel_gap: 0,
      ...(opts.absGap !== undefined ? { mip_abs_gap: opts.absGap } : {}),
      presolve: (opts.presolve ?? m <= 20_000) ? 'choose' : 'off',
    },
    start: opts.start ? Float64Array.from(opts.start) : null,
    timeLimitMs: limit * 1000,
    log: opts.onLog !== undefined,
  };
}

/** Solves run one at a time (one worker): each waits for the previous one. */
let queue: Promise<unknown> = Promise.resolve();

export const highsBackend: MilpBackend = {
  name: 'highs',
  solve(model: MilpModel, opts: MilpSolveOptions): Promise<MilpResult> {
    const run = queue.then(() => solveInWorker(model, opts));
    queue = run.catch(() => undefined);
    return run;
  },
};

function solveInWorker(model: MilpModel, opts: MilpSolveOptions): Promise<MilpResult> {
  const t0 = performance.now();
  const id = nextId++;
  const job = toJob(model, opts, id);
  const minimize = job.minimize;
  const mip = model.vars.some((v) => v.type !== 'continuous');
  const w = getWorker();
  w.ref();
  return new Promise<MilpResult>((resolve) => {
    let inc: { objective: number; x: Float64Array } | null = null;
    let bound = minimize ? -Infinity : Infinity;
    const seconds = () => (performance.now() - t0) / 1000;
    const finish = (r: MilpResult) => {
      clearTimeout(timer);
      w.off('message', onMessage);
      w.off('error', onError);
      if (worker === w) w.unref();
      resolve(r);
    };
    const onMessage = (msg: WorkerMsg) => {
      if (msg.id !== id) return;
      if (msg.kind === 'incumbent') {
        if (!inc || (minimize ? msg.objective < inc.objective : msg.objective > inc.objective)) inc = { objective: msg.objective, x: msg.x };
      } else if (msg.kind === 'bound') {
        bound = minimize ? Math.max(bound, msg.bound) : Math.min(bound, msg.bound);
      } else if (msg.kind === 'log') opts.onLog?.(msg.line);
      else finish(fromDone(msg, mip, minimize, bound, inc, opts, seconds()));
    };
    const onError = (err: Error) => {
      if (worker === w) worker = null;
      finish({ status: 'error', objective: null, values: null, bound, seconds: seconds(), message: err.message });
    };
    // Hard stop: the worker did not answer within the grace period after its limit.
    const grace = Math.max(100, 0.05 * job.timeLimitMs);
    const timer = setTimeout(() => {
      if (worker === w) worker = null;
      void w.terminate();
      const have = inc !== null;
      finish({
        status: have ? 'feasible' : 'timeout',
        objective: have ? inc!.objective : null,
        values: have ? inc!.x : null,
        bound,
        seconds: seconds(),
        message: 'HiGHS did not stop at its time limit; its worker was terminated',
      });
    }, job.timeLimitMs + grace);
    w.on('message', onMessage);
    w.on('error', onError);
    w.postMessage(job);
  });
}

function fromDone(
  msg: Extract<WorkerMsg, { kind: 'done' }>,
  mip: boolean,
  minimize: boolean,
  streamed: number,
  inc: { objective: number; x: Float64Array } | null,
  opts: MilpSolveOptions,
  seconds: number,
): MilpResult {
  const unknown = minimize ? -Infinity : Infinity;
  if (msg.error) return { status: 'error', objective: null, values: null, bound: unknown, seconds, message: msg.error };
  let x = msg.primal ? msg.x : null;
  let objective = x ? msg.objective : NaN;
  if (!x && inc) {
    x = inc.x;
    objective = inc.objective;
  }
  const have = x !== null && Number.isFinite(objective);
  let bound = streamed;
  if (mip && Number.isFinite(msg.bound)) bound = minimize ? Math.max(bound, msg.bound) : Math.min(bound, msg.bound);
  const name = msg.statusName;
  let status: MilpResult['status'];
  if (name === 'optimal') {
    status = have ? 'optimal' : 'error';
    if (have) bound = mip ? (minimize ? Math.max(bound, objective - (opts.absGap ?? 0)) : Math.min(bound, objective + (opts.absGap ?? 0))) : objective;
  } else if (name === 'infeasible') status = 'infeasible';
  else if (name === 'timeLimit' || name === 'interrupted' || name === 'iterationLimit' || name === 'solutionLimit') {
    status = have ? 'feasible' : 'timeout';
  } else status = have ? 'feasible' : 'error';
  return {
    status,
    objective: have ? objective : null,
    values: have ? x : null,
    bound: status === 'infeasible' ? unknown : bound,
    seconds,
    nodes: mip ? msg.nodes : undefined,
    message: status === 'error' ? `HiGHS model status ${name}` : undefined,
  };
}
