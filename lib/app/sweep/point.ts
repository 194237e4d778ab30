/**
 * One sweep point, run in a worker thread (or in-process): the method on the network and
 * hardware at N processors, validated and simulated by runMethod. A bad point (InputError)
 * fails the sweep; a method bug becomes a failed cell, so the grid goes on.
 */
import { InputError } from '../../model/errors';
import { loadNetwork } from '../../model/spec/network';
import { machineFromHardware } from '../../model/spec/hardware';
import { runMethod, trainingCommunication } from '../pipeline/run';
import { cellFromRun, failedCell, type Cell } from '../pipeline/cells';
import type { SweepPoint } from './spec';
import { variantHardware } from './hardware';

export async function handle(point: SweepPoint): Promise<Cell> {
  const net = loadNetwork(point.network);
  const hw = variantHardware(point.hardware);
  const usesRule = point.method === 'spikepipe' || point.method === 'spikepipe-ilp';
  const key = {
    network: net.spec.name,
    hardware: point.hardwareLabel,
    procs: point.procs,
    method: point.method,
    ...(usesRule ? { delayRule: point.delayRule } : {}),
  };
  const t0 = performance.now();
  try {
    const run = await runMethod(point.method, {
      net,
      hw,
      machine: machineFromHardware(hw, point.procs),
      procs: point.procs,
      options: {
        seed: point.seed,
        ...(point.timeLimitSeconds !== undefined ? { timeLimitSeconds: point.timeLimitSeconds } : {}),
        ...(usesRule ? { delayRule: point.delayRule } : {}),
      },
    }, { totalCommunication: trainingCommunication(net, hw) });
    return cellFromRun(key, run);
  } catch (err) {
    if (err instanceof InputError) throw err;
    return failedCell(key, err instanceof Error ? err.message : String(err), (performance.now() - t0) / 1000);
  }
}
