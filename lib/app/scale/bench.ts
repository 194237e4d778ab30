/**
 * The scale benchmark (README, Scale): every registered pipeline method on every network at
 * every N, each cell in its own child process (./child.ts) so that its wall time and peak
 * resident memory are its own, under a hard wall-clock timeout, a V8 heap cap
 * (--max-old-space-size) and a resident-memory watchdog, so one bad cell cannot take the
 * machine down. Cells run one after another. Writes scale.json (every cell) and scale.md (the
 * table: seconds and peak MB per cell, the cells above the goal and every declined or bounded
 * cell with its reason). Networks that do not exist (a file not added yet) are skipped with a
 * note. Needs the compiled tree (`npm run build`): `npm run bench:scale`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { shippedFile } from '../../model/spec/paths';
import { methodNames } from '../../../solvers/registry';
import { CHAIN_ID } from './chain';
import type { ScaleCellInput, ScaleCellResult } from './cell';

export const SCALE_NETWORKS = ['chain-8', 'chain-16', 'chain-32', 'chain-50', 'resnet18-snn'];
export const SCALE_PROCS = [4, 16, 64];
/** The goal of every cell. */
export const GOAL = { seconds: 30, peakMB: 1024 };

export interface ScaleBenchOptions {
  networks?: string[];
  procs?: number[];
  /** Default: every registered method, in table order. */
  methods?: string[];
  /** Hard wall-clock limit per cell (the child is killed). */
  timeoutSeconds?: number;
  /** V8 heap cap of a child, MB. */
  heapMB?: number;
  /** Resident-memory watchdog: a child above this is killed, MB. */
  rssCapMB?: number;
  onCell?: (r: ScaleCellResult, done: number, total: number) => void;
  /** Cells of an earlier run kept as they are (resume), except failed ones, which run again. */
  previous?: ScaleCellResult[];
}

export interface ScaleBenchResult {
  cells: ScaleCellResult[];
  skipped: { network: string; reason: string }[];
  seconds: number;
  machine: string;
  options: { timeoutSeconds: number; heapMB: number; rssCapMB: number };
}

/** Whether `network` can be loaded: a chain id, an existing path or a shipped id. */
export function networkAvailable(network: string): boolean {
  return CHAIN_ID.test(network) || existsSync(network) || (/^[a-z0-9][a-z0-9-]*$/.test(network) && existsSync(shippedFile('networks', `${network}.json`)));
}

/** Peak (VmHWM) and current (VmRSS) resident memory of a live process, MB, from /proc (Linux). */
function procMemory(pid: number): { hwm: number; rss: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0);
    return { hwm: Math.round(kb('VmHWM') / 1024), rss: Math.round(kb('VmRSS') / 1024) };
  } catch {
    return null;
  }
}

/**
 * Run one cell in a child process under the limits; a child that cannot load its modules (the
 * tree being rebuilt or reinstalled meanwhile) is retried up to three times, 15 s apart.
 */
export async function runCellInChild(input: ScaleCellInput, limits: { timeoutSeconds: number; heapMB: number; rssCapMB: number }): Promise<ScaleCellResult> {
  for (let attempt = 0; ; attempt++) {
    const r = await runChildOnce(input, limits);
    if (r.status !== 'failed' || !/Cannot find module|cjs\/loader/.test(r.reason ?? '') || attempt >= 3) return r;
    await new Promise((ok) => setTimeout(ok, 15_000));
  }
}

function runChildOnce(input: ScaleCellInput, limits: { timeoutSeconds: number; heapMB: number; rssCapMB: number }): Promise<ScaleCellResult> {
  const child = join(__dirname, 'child.js');
  if (!existsSync(child)) throw new Error(`${child} is missing: run \`npm run build\` first`);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [`--max-old-space-size=${limits.heapMB}`, child, JSON.stringify(input)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let peak = 0;
    let killed: 'timeout' | 'out-of-memory' | null = null;
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    const watch = setInterval(() => {
      const m = p.pid ? procMemory(p.pid) : null;
      if (!m) return;
      peak = Math.max(peak, m.hwm);
      if (m.rss > limits.rssCapMB && !killed) {
        killed = 'out-of-memory';
        p.kill('SIGKILL');
      }
    }, 200);
    const timer = setTimeout(() => {
      if (!killed) killed = 'timeout';
      p.kill('SIGKILL');
    }, limits.timeoutSeconds * 1000);
    p.on('close', (code, signal) => {
      clearInterval(watch);
      clearTimeout(timer);
      const seconds = (performance.now() - t0) / 1000;
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) {
        const r = JSON.parse(line) as ScaleCellResult;
        resolve({ ...r, seconds, peakMB: Math.max(r.peakMB ?? 0, peak) });
        return;
      }
      const oom = killed === 'out-of-memory' || /heap out of memory|Allocation failed/i.test(err);
      const status = killed === 'timeout' ? 'timeout' : oom ? 'out-of-memory' : 'failed';
      const reason =
        status === 'timeout'
          ? `killed after the ${limits.timeoutSeconds} s limit`
          : status === 'out-of-memory'
            ? `out of memory (heap cap ${limits.heapMB} MB, resident cap ${limits.rssCapMB} MB)`
            : `child exited with ${signal ?? code}: ${err.trim().split('\n').slice(0, 5).join(' ')}`;
      resolve({ ...input, status, layers: null, period: null, seconds, solverSeconds: null, peakMB: peak || null, reason, notes: [] });
    });
  });
}

/** Run the whole grid, one cell at a time. */
export async function runScaleBenchmark(o: ScaleBenchOptions = {}): Promise<ScaleBenchResult> {
  const t0 = performance.now();
  const limits = { timeoutSeconds: o.timeoutSeconds ?? 120, heapMB: o.heapMB ?? 2048, rssCapMB: o.rssCapMB ?? 3072 };
  const networks = o.networks ?? SCALE_NETWORKS;
  const skipped = networks.filter((n) => !networkAvailable(n)).map((network) => ({ network, reason: `no file ${network} or networks/${network}.json yet: skipped` }));
  const nets = networks.filter(networkAvailable);
  const procs = o.procs ?? SCALE_PROCS;
  const methods = o.methods ?? methodNames();
  const total = nets.length * procs.length * methods.length;
  const cells: ScaleCellResult[] = [];
  for (const network of nets) {
    for (const method of methods) {
      for (const N of procs) {
        const old = o.previous?.find((c) => c.network === network && c.procs === N && c.method === method && c.status !== 'failed');
        const r = old ?? (await runCellInChild({ network, procs: N, method }, limits));
        cells.push(r);
        o.onCell?.(r, cells.length, total);
      }
    }
  }
  const cpu = cpus();
  const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.versions.node}`;
  return { cells, skipped, seconds: (performance.now() - t0) / 1000, machine, options: limits };
}

/** Whether a cell misses the goal (time, memory or no schedule). */
export function missesGoal(c: ScaleCellResult): boolean {
  return c.status === 'timeout' || c.status === 'out-of-memory' || c.status === 'failed' || c.seconds > GOAL.seconds || (c.peakMB ?? 0) > GOAL.peakMB;
}

const MARK: Record<ScaleCellResult['status'], string> = { valid: '', declined: ' declined', failed: ' FAILED', timeout: ' TIMEOUT', 'out-of-memory': ' OOM' };

/** The Markdown report: one row per (network, method), one column per N: seconds / peak MB. */
export function scaleMarkdown(r: ScaleBenchResult): string {
  const procs = [...new Set(r.cells.map((c) => c.procs))].sort((a, b) => a - b);
  const rows = new Map<string, Map<number, ScaleCellResult>>();
  for (const c of r.cells) {
    const k = `${c.network}|${c.method}`;
    if (!rows.has(k)) rows.set(k, new Map());
    rows.get(k)!.set(c.procs, c);
  }
  const cellText = (c: ScaleCellResult | undefined): string => {
    if (!c) return '';
    const t = `${c.seconds.toFixed(1)} s / ${c.peakMB ?? '?'} MB${MARK[c.status]}`;
    const bounded = c.status === 'valid' && c.reason ? ' †' : '';
    return missesGoal(c) ? `**${t}**${bounded}` : `${t}${bounded}`;
  };
  const lines = [
    `| network | method | ${procs.map((p) => `N = ${p}`).join(' | ')} |`,
    `| --- | --- | ${procs.map(() => '---:').join(' | ')} |`,
    ...[...rows.entries()].map(([k, m]) => {
      const [network, method] = k.split('|');
      return `| ${network} | ${method} | ${procs.map((p) => cellText(m.get(p))).join(' | ')} |`;
    }),
  ];
  const valid = r.cells.filter((c) => c.status === 'valid').length;
  const over = r.cells.filter(missesGoal);
  const reasons = r.cells.filter((c) => c.reason && c.status !== 'valid');
  const bounded = r.cells.filter((c) => c.reason && c.status === 'valid');
  const cellName = (c: ScaleCellResult) => `${c.network} · ${c.method} · N = ${c.procs}`;
  const out = [
    `${r.cells.length} cells, ${valid} valid and simulated, ${reasons.length} declined or failed, ${over.length} above the goal (${GOAL.seconds} s, ${GOAL.peakMB} MB; bold); † = a search stopped at a limit and kept its incumbent. Whole run ${(r.seconds / 60).toFixed(1)} min on ${r.machine}; limits per cell: ${r.options.timeoutSeconds} s, heap ${r.options.heapMB} MB, resident ${r.options.rssCapMB} MB.`,
    '',
    ...lines,
  ];
  if (r.skipped.length) out.push('', ...r.skipped.map((s) => `* ${s.network}: ${s.reason}`));
  const excess = (c: ScaleCellResult) =>
    [c.seconds > GOAL.seconds ? `${c.seconds.toFixed(1)} s > ${GOAL.seconds} s` : '', (c.peakMB ?? 0) > GOAL.peakMB ? `${c.peakMB} MB > ${GOAL.peakMB} MB` : '', c.status === 'valid' ? '' : c.status].filter(Boolean).join(', ');
  if (over.length) out.push('', 'Above the goal:', '', ...over.map((c) => `* ${cellName(c)}: ${excess(c)}${c.reason ? ` (${c.reason})` : ''}`));
  if (reasons.length) out.push('', 'Declined or failed:', '', ...reasons.map((c) => `* ${cellName(c)}: ${c.reason}`));
  if (bounded.length) out.push('', 'Bounded (†):', '', ...bounded.map((c) => `* ${cellName(c)}: ${c.reason}`));
  return `${out.join('\n')}\n`;
}

/** Write scale.json and scale.md into `dir`. */
export function writeScaleReport(r: ScaleBenchResult, dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'scale.json'), `${JSON.stringify(r, null, 1)}\n`);
  writeFileSync(join(dir, 'scale.md'), scaleMarkdown(r));
}
