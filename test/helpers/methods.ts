/**
 * Running pipeline methods in tests: a cell (lib/app/pipeline/run.ts) whose options are the
 * test's, handed to every method that takes them (as the CLI's flags are), so one context
 * serves SpikePipe and the baselines it is compared with. Every run is validated, its recipe
 * checked and its schedule simulated by the cell.
 */
import type { HardwareSpec, ResolvedNetwork } from '../../lib/model/spec/types';
import type { Machine } from '../../lib/model/types';
import { defaultHardware, machineFromHardware } from '../../lib/model/spec/hardware';
import { pipelineCell, type PipelineCell } from '../../lib/app/pipeline/run';
import { listMethods, type AnyMethod } from '../../solvers/registry';
import type { PipelineResult } from '../../solvers/pipeline/method';

export interface TestCtx {
  net: ResolvedNetwork;
  hw: HardwareSpec;
  procs: number;
  machine: Machine;
  cell: PipelineCell;
}

/** A cell of `net` on `procs` processors; `options` go to every method that takes them. */
export function ctxOf(net: ResolvedNetwork, procs: number, options: Record<string, unknown> = {}, hw: HardwareSpec = defaultHardware(), iterations = 12): TestCtx {
  const perMethod: Record<string, Record<string, unknown>> = {};
  for (const m of listMethods()) {
    const mine = Object.fromEntries(Object.entries(options).filter(([k]) => k in m.options));
    if (Object.keys(mine).length > 0) perMethod[m.name] = mine;
  }
  return { net, hw, procs, machine: machineFromHardware(hw, procs), cell: pipelineCell({ net, hw, procs, options: perMethod, iterations }) };
}

/** The method's validated, simulated result on the cell. */
export async function run<D = Record<string, unknown>>(method: AnyMethod | string, ctx: TestCtx): Promise<PipelineResult<D>> {
  return (await ctx.cell.run(method)).result as PipelineResult<D>;
}
