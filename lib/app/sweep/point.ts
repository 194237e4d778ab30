/**
 * One sweep point, run in a worker thread (or in-process): the method on the network and
 * hardware at N processors, validated and simulated by runMethod. A bad point (InputError)
 * fails the sweep; a method bug becomes a failed cell, so the grid goes on.
 */
import { loadNetwork } from '../../model/spec/network';
import { pipelineCell } from '../pipeline/run';
import { attempt } from '../pipeline/compare';
import type { Cell } from '../pipeline/cells';
import type { SweepPoint } from './spec';
import { variantHardware } from './hardware';

export async function handle(point: SweepPoint): Promise<Cell> {
  const net = loadNetwork(point.network);
  const hw = variantHardware(point.hardware);
  const key = {
    network: net.spec.name,
    hardware: point.hardwareLabel,
    procs: point.procs,
    method: point.method,
    ...(point.delayRule !== undefined ? { delayRule: point.delayRule } : {}),
    ...(point.variant !== undefined ? { variant: point.variant } : {}),
  };
  return attempt(key, pipelineCell({ net, hw, procs: point.procs, options: point.options }));
}
