/**
 * `spikepipe reproduce`: the paper's tables and figures from the shipped defaults
 * (lib/app/reproduce/plan.ts). Each step keeps its finished results in <out>/.cache/*.jsonl, so a
 * killed run resumes where it stopped; tables, figures, traces and summary.json are written
 * atomically at the end from those results. Wall times go to timings.csv only, so the tables
 * are byte-identical from run to run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resumeJsonl, type RowCheck } from '../../model/io/jsonl';
import { checkOutputDir, type OutputFile } from '../../model/io/output';
import { runSweep } from '../sweep/run';
import { joinCells, type CompareRow } from '../pipeline/cells';
import { loadNetwork } from '../../model/spec/network';
import { defaultHardware } from '../../model/spec/hardware';
import { pipelineCell, runMethod } from '../pipeline/run';
import { toChromeTrace } from '../../model/io/trace';
import { runStgBenchmark, summarize, type StgRow, type StgSummary } from '../stg/benchmark';
import { loadAppBounds } from '../../model/io/optima';
import { solverNames } from '../../../solvers/registry';
import { runAccuracyJobs, summarizeAccuracy, type AccuracyJob, type AccuracyRow } from '../trainer/accuracy';
import { scheduleAccuracyRows } from '../pipeline/accuracy-rows';
import { ganttSvg } from '../../../reports/svg/gantt';
import { lineChartSvg } from '../../../reports/svg/line-chart';
import { commTable, delayRuleTable, headline, headlineTable, memoryTable, methodTitle, PAPER_POINT, speedupTable } from '../../../reports/pipeline-tables';
import { stgAppTable, stgTable } from '../../../reports/stg-tables';
import { accuracyReportTable } from '../../../reports/accuracy-table';
import { tablesDocument, writeTableFiles } from '../../../reports/write';
import { paretoSummaryTable, paretoSvg } from '../../../reports/pareto';
import { pareto, type ParetoResult } from '../pareto/pareto';
import type { Table } from '../../../reports/table';
import { ACCURACY_CACHE_VERSION, accuracyPlan, CACHE_VERSION, paretoPlan, FIGURE_PROCS, GANTTS, NETWORKS, pipelineSweep, stgPlan, type ReproduceMode } from './plan';

export interface ReproduceOptions {
  out: string;
  mode: ReproduceMode;
  workers: number;
  /** Seeds of the accuracy rows (default: the plan's). */
  seeds?: number[];
  /** Directory of the STG set (50/, app/, optimal/); the STG tables are skipped when absent. */
  stgDir: string;
  /** Progress per step: (step, done, total, what). */
  onProgress?: (step: string, done: number, total: number, what?: string) => void;
  /** Warnings (a torn cache line cut, …). */
  onWarning?: (message: string) => void;
  /** A line worth a log (a long job finished); shown where no progress bar is drawn. */
  onNote?: (message: string) => void;
  /** One line per step started / finished. */
  onStep?: (step: string, state: 'start' | 'done' | 'skipped', detail?: string) => void;
}

export interface ReproduceResult {
  files: string[];
  headline: ReturnType<typeof headline>;
  timings: { step: string; seconds: number }[];
}

function timed<T>(timings: { step: string; seconds: number }[], step: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  return f().finally(() => timings.push({ step, seconds: (performance.now() - t0) / 1000 }));
}

/** The shape of a cache row: `{key, <field>: {…}}`. */
function keyed(field: string): RowCheck {
  return (r) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) return 'row: must be an object';
    const o = r as Record<string, unknown>;
    if (typeof o.key !== 'string') return 'row: /key: must be a string';
    if (typeof o[field] !== 'object' || o[field] === null) return `row: /${field}: must be an object`;
    return null;
  };
}

/** The pipeline grid (sweep machinery: worker threads, resumable). */
async function pipelineStep(o: ReproduceOptions, cache: string): Promise<CompareRow[]> {
  const spec = pipelineSweep(o.mode);
  const rows = await runSweep(spec, {
    workers: o.workers,
    jsonl: path.join(cache, `pipeline-${o.mode}-v${CACHE_VERSION}.jsonl`),
    onWarning: o.onWarning,
    onProgress: (d, t, k) => o.onProgress?.('pipeline', d, t, k),
  });
  return joinCells(rows.map((r) => r.result));
}

async function stgStep(o: ReproduceOptions, cache: string): Promise<{ rows: StgRow[]; summary: StgSummary[]; app: StgRow[] } | null> {
  const dir50 = path.join(o.stgDir, '50');
  const optima = path.join(o.stgDir, 'optimal');
  if (!fs.existsSync(dir50) || !fs.existsSync(optima)) return null;
  const plan = stgPlan(o.mode);
  const list = await runStgBenchmark({
    inputs: [dir50],
    procs: plan.procs,
    solvers: plan.listSolvers,
    restarts: plan.restarts,
    seed: 1,
    optimaDir: optima,
    jsonl: path.join(cache, 'stg-list.jsonl'),
    onRow: (_r, d, t) => o.onProgress?.('stg (list)', d, t),
    onWarning: o.onWarning,
  });
  const exactInputs = plan.exactGraphs === 'all' ? [dir50] : plan.exactGraphs.map((f) => path.join(dir50, f));
  const exact = await runStgBenchmark({
    inputs: exactInputs,
    procs: plan.exactProcs,
    solvers: [plan.exactSolver],
    timeLimitSeconds: plan.exactTimeLimitSeconds,
    optimaDir: optima,
    jsonl: path.join(cache, `stg-exact-${o.mode}.jsonl`),
    onRow: (_r, d, t) => o.onProgress?.('stg (exact)', d, t),
    onWarning: o.onWarning,
  });
  const appDir = path.join(o.stgDir, 'app');
  let app: StgRow[] = [];
  if (fs.existsSync(appDir)) {
    app = (
      await runStgBenchmark({
        inputs: [appDir],
        procs: plan.procs,
        solvers: [...plan.listSolvers, plan.exactSolver],
        restarts: plan.restarts,
        seed: 1,
        timeLimitSeconds: plan.exactTimeLimitSeconds,
        optimaDir: null,
        jsonl: path.join(cache, 'stg-app.jsonl'),
        onRow: (_r, d, t) => o.onProgress?.('stg (app)', d, t),
        onWarning: o.onWarning,
      })
    ).rows;
  }
  const rows = [...list.rows, ...exact.rows];
  return { rows, summary: summarize(rows, solverNames()), app };
}

/**
 * The accuracy rows: every (row, seed) of the plan is one job, cached on its own line of
 * <out>/.cache/accuracy-<mode>-v4.jsonl under a key that includes the seed, so a killed run
 * resumes seed by seed. Seed-major order: after the first seed's jobs a complete one-seed
 * table exists.
 */
async function accuracyStep(o: ReproduceOptions, cache: string, skipped: string[]): Promise<AccuracyRow[]> {
  const jobs: AccuracyJob[] = [];
  for (const plan of accuracyPlan(o.mode)) {
    const specs = await scheduleAccuracyRows(plan.networks, FIGURE_PROCS, defaultHardware());
    for (const seed of o.seeds ?? plan.seeds) {
      for (const spec of specs) jobs.push({ spec, seed, epochs: plan.epochs, limit: plan.limit, testLimit: plan.testLimit });
    }
  }
  let current = '';
  let index = 0;
  return runAccuracyJobs({
    jobs,
    workers: o.workers,
    cache: path.join(cache, `accuracy-${o.mode}-v${ACCURACY_CACHE_VERSION}.jsonl`),
    onWarning: o.onWarning,
    onJob: (done, total, job, cached) => {
      index = done;
      current = job ? `${job.spec.network}: ${job.spec.label}, seed ${job.seed}${cached ? ' (cached)' : ''}` : '';
      o.onProgress?.('accuracy', done, total, current);
    },
    onStep: (p, job) => {
      o.onProgress?.('accuracy', index, jobs.length, `${current} — epoch ${p.epoch}/${job.epochs}, step ${p.step}/${p.steps}`);
    },
    onRow: (row, job, seconds) => {
      if (seconds !== null) o.onNote?.(`accuracy ${index + 1}/${jobs.length}: ${job.spec.network}: ${job.spec.label}, seed ${job.seed}: ${(100 * row.testAccuracy).toFixed(2)} % in ${seconds.toFixed(0)} s`);
    },
    onSkip: (network, reason) => {
      o.onStep?.('accuracy', 'skipped', `${network}: ${reason}`);
      skipped.push(`${network}: ${reason}`);
    },
  });
}

/** The Pareto fronts of the plan, each cached as one JSONL row once finished. */
async function paretoStep(o: ReproduceOptions, cache: string): Promise<ParetoResult[]> {
  const plan = paretoPlan(o.mode);
  const file = path.join(cache, `pareto-${o.mode}-v${CACHE_VERSION}.jsonl`);
  const have = new Map<string, ParetoResult>();
  const resumed = resumeJsonl<{ key: string; result: ParetoResult }>(file, keyed('result'), (m) => o.onWarning?.(m));
  for (const r of resumed.rows) have.set(r.key, r.result);
  const hw = defaultHardware();
  const writer = resumed.writer;
  const out: ParetoResult[] = [];
  const total = plan.networks.length * plan.procs.length;
  try {
    for (const network of plan.networks) {
      for (const procs of plan.procs) {
        const key = `${network}|p${procs}`;
        o.onProgress?.('pareto', out.length, total, key);
        let r = have.get(key);
        if (!r) {
          r = await pareto({ network, hw, procs, commCaps: plan.commCaps, stalenessCaps: plan.stalenessCaps, prove: plan.prove, timeLimitSeconds: plan.timeLimitSeconds });
          writer.append({ key, result: r });
        }
        out.push(r);
      }
    }
    o.onProgress?.('pareto', total, total);
  } finally {
    writer.close();
  }
  return out;
}

/** Gantt charts (one per method on one network) and the SpikePipe trace of every network. */
async function figuresStep(o: ReproduceOptions, rows: CompareRow[]): Promise<OutputFile[]> {
  const files: OutputFile[] = [];
  const hw = defaultHardware();
  const figDir = path.join(o.out, 'figures');
  for (const { network, methods } of GANTTS) {
    const gantt = pipelineCell({ net: loadNetwork(network), hw, procs: FIGURE_PROCS });
    for (const method of methods) {
      const run = await gantt.run(method);
      const title = `${methodTitle(method)}: ${network} on ${FIGURE_PROCS} processors, period ${run.result.period} cycles`;
      const file = path.join(figDir, `gantt-${network}-${method}.svg`);
      files.push({ file, data: ganttSvg(run.result.graph, run.result.schedule, { title }) });
    }
  }
  for (const [key, label] of [
    ['speedupVsPipeDream', 'PipeDream'],
    ['speedupVsGPipe', 'GPipe'],
  ] as const) {
    const series = NETWORKS.map((n) => ({
      label: n,
      points: rows
        .filter((r) => r.network === n && r.method === 'spikepipe' && (r.delayRule ?? 'minimal') === 'minimal' && r[key] !== null)
        .map((r) => ({ x: r.procs, y: r[key] as number })),
    })).filter((s) => s.points.length > 0);
    const file = path.join(figDir, `speedup-vs-${label.toLowerCase()}.svg`);
    files.push({
      file,
      data: lineChartSvg(series, {
        title: `SpikePipe speedup over ${label} against processor count`,
        xLabel: 'processors N',
        yLabel: `P_${label} / P_SpikePipe`,
        references: [
          { y: 1.6, label: 'paper: 1.6× mean' },
          { y: 2, label: 'paper: 2× best' },
        ],
      }),
    });
  }
  for (const n of NETWORKS) {
    const netN = loadNetwork(n);
    const run = await runMethod('spikepipe', { net: netN, hw, procs: FIGURE_PROCS });
    const file = path.join(o.out, 'traces', `${n}-spikepipe-p${FIGURE_PROCS}.json`);
    files.push({ file, data: JSON.stringify(toChromeTrace(run.result.graph, run.result.schedule, { iterations: 4, clockHz: hw.clockHz })) + '\n' });
  }
  return files;
}

export async function reproduce(o: ReproduceOptions): Promise<ReproduceResult> {
  checkOutputDir(o.out);
  const cache = path.join(o.out, '.cache');
  const timings: { step: string; seconds: number }[] = [];
  const step = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    o.onStep?.(name, 'start');
    const r = await timed(timings, name, f);
    o.onStep?.(name, 'done');
    return r;
  };

  const pipeline = await step('pipeline', () => pipelineStep(o, cache));
  const stg = await step('stg', () => stgStep(o, cache));
  if (!stg) o.onStep?.('stg', 'skipped', `no STG set at ${o.stgDir}`);
  const skipped: string[] = [];
  const accuracy = await step('accuracy', () => accuracyStep(o, cache, skipped));
  const accuracySummary = summarizeAccuracy(accuracy);
  const fronts = await step('pareto', () => paretoStep(o, cache));
  const figures = await step('figures', () => figuresStep(o, pipeline));
  for (const r of fronts) {
    const file = path.join(o.out, 'figures', `pareto-${r.network}-p${r.procs}.svg`);
    figures.push({ file, data: paretoSvg(r) });
  }

  const tables: Table[] = [headlineTable(pipeline), speedupTable(pipeline), commTable(pipeline), memoryTable(pipeline), delayRuleTable(pipeline), paretoSummaryTable(fronts, o.mode), accuracyReportTable(accuracySummary, o.mode, skipped)];
  if (stg) tables.push(stgTable(stg.summary), stgAppTable(stg.app, loadAppBounds(path.join(o.stgDir, 'app', 'bounds.csv'))));
  const doc = tablesDocument(`SpikePipe toolkit: reproduced tables (${o.mode})`, tables, [
    'Generated by `spikepipe reproduce`. Every period comes from a schedule that passed the validator and whose simulation reproduced its period and staleness.',
  ]);
  const extra: OutputFile[] = [...figures, { file: path.join(o.out, 'tables.md'), data: doc }];
  const h = headline(pipeline);
  const summary = {
    mode: o.mode,
    headline: h,
    pipeline: pipeline.map(({ solverSeconds: _s, ...r }) => r),
    accuracy: accuracySummary.map(({ trainSamplesPerSecond: _t, ...r }) => r),
    accuracyRuns: accuracy.map(({ trainSamplesPerSecond: _t, ...r }) => r),
    stg: stg ? { summary: stg.summary, app: stg.app } : null,
    headlineAtPaperPoint: headline(pipeline, PAPER_POINT),
    pareto: fronts.map((r) => ({ ...r, points: r.points.map(({ schedule: _s, ...p }) => p), evaluated: r.evaluated.length })),
  };
  extra.push({ file: path.join(o.out, 'summary.json'), data: JSON.stringify(summary, null, 2) + '\n' });
  const timingRows = ['step,seconds', ...timings.map((t) => `${t.step},${t.seconds.toFixed(2)}`)];
  for (const r of accuracy) timingRows.push(`accuracy ${r.network} ${JSON.stringify(r.label)} seed ${r.seed} samples/s,${r.trainSamplesPerSecond.toFixed(1)}`);
  extra.push({ file: path.join(o.out, 'timings.csv'), data: timingRows.join('\n') + '\n' });
  // One set: the tables, figures, traces, summary and timings are all written, or none is changed.
  const files = writeTableFiles(o.out, tables, extra);
  return { files, headline: h, timings };
}
