/**
 * One cell of the scale benchmark (README, Scale): one method on one network at N processors,
 * run through the pipeline cell (lib/app/pipeline/run.ts: validated and simulated, the seeds a
 * method uses computed in the same process), measured in the process that runs it. The
 * benchmark (./bench.ts) runs each cell in its own child process (./child.ts), so the time and
 * the peak resident memory are the cell's own.
 */
import { InputError } from '../../model/errors';
import { defaultHardware } from '../../model/spec/hardware';
import { maxUsefulProcs, pipelineCell, PipelineBugError } from '../pipeline/run';
import { resolveScaleNetwork } from './chain';

export interface ScaleCellInput {
  /** `chain-<L>`, a shipped network id or a path. */
  network: string;
  procs: number;
  method: string;
}

/**
 * valid: validated and simulated; declined: the method does not run on the cell (its reason);
 * failed: a bug (an invalid schedule, a disagreeing simulation, any other error); timeout and
 * out-of-memory: the child was stopped by the benchmark's limits.
 */
export type ScaleStatus = 'valid' | 'declined' | 'failed' | 'timeout' | 'out-of-memory';

export interface ScaleCellResult extends ScaleCellInput {
  status: ScaleStatus;
  layers: number | null;
  period: number | null;
  /** Wall seconds of the whole cell (method, its seeds, validation, simulation). */
  seconds: number;
  /** The method's own solver seconds (null unless valid). */
  solverSeconds: number | null;
  /** Peak resident set of the cell's process, MB (null when unknown). */
  peakMB: number | null;
  /** The reason of a declined or failed cell, or the limit a bounded search hit. */
  reason?: string;
  /** The method's notes (valid cells). */
  notes: string[];
}

/** Notes that say a search stopped at a limit or declined part of its work (the row's "bounded"). */
export const LIMIT_NOTE = /limit (hit|reached)|stopped at|declined|not proven|too large|heuristic result/i;

/** Run one cell in this process. Never throws: an error becomes a declined or failed result. */
export async function runScaleCell(input: ScaleCellInput): Promise<ScaleCellResult> {
  const t0 = performance.now();
  const peakMB = () => Math.round(process.resourceUsage().maxRSS / 1024);
  let layers: number | null = null;
  try {
    const net = resolveScaleNetwork(input.network);
    layers = net.weightLayers.length;
    const hw = defaultHardware();
    const cell = pipelineCell({ net, hw, procs: input.procs });
    const r = await cell.run(input.method);
    const notes = [...r.notes];
    const cap = maxUsefulProcs(net, hw);
    if (input.procs > cap) notes.unshift(`N = ${input.procs} exceeds the ${cap} tasks of the layer graph (compare and schedule refuse it; run here directly)`);
    const limit = r.result.notes.find((n: string) => LIMIT_NOTE.test(n));
    return {
      ...input,
      status: 'valid',
      layers,
      period: r.result.period,
      seconds: (performance.now() - t0) / 1000,
      solverSeconds: r.result.solverSeconds,
      peakMB: peakMB(),
      ...(limit ? { reason: limit } : {}),
      notes,
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const declined = err instanceof InputError || (!(err instanceof PipelineBugError) && /does not run|declin/i.test(message));
    return { ...input, status: declined ? 'declined' : 'failed', layers, period: null, seconds: (performance.now() - t0) / 1000, solverSeconds: null, peakMB: peakMB(), reason: message, notes: [] };
  }
}
