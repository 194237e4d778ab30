/**
 * The rows of the accuracy table, from real schedules: for each network, no delay, and the
 * per-layer staleness of the PipeDream and SpikePipe schedules at N processors (SpikePipe with
 * minimal delays, with stashing and with EMA reconstruction, and at the paper's operating point:
 * overhead ≤ 0.5 %, d_l ≤ PipeDream's). SpikePipe under the 'pipedream' delay rule has
 * PipeDream's staleness by construction, so its accuracy is PipeDream's row.
 */
import type { HardwareSpec } from '../../model/spec/types';
import { loadNetwork } from '../../model/spec/network';
import type { AccuracyRowSpec } from '../trainer/accuracy';
import { pipelineCell } from './run';
import { PAPER_POINT_OPTIONS } from '../reproduce/plan';

export async function scheduleAccuracyRows(networks: string[], procs: number, hw: HardwareSpec): Promise<AccuracyRowSpec[]> {
  const rows: AccuracyRowSpec[] = [];
  for (const network of networks) {
    const net = loadNetwork(network);
    const cell = pipelineCell({ net, hw, procs });
    const pd = await cell.run('pipedream');
    const sp = await cell.run('spikepipe');
    const op = await cell.run('spikepipe', { ...PAPER_POINT_OPTIONS });
    rows.push({ network, label: 'no delay', staleness: new Array<number>(net.weightLayers.length).fill(0), mode: 'stash' });
    rows.push({ network, label: `PipeDream schedule (N=${procs}); = SpikePipe with d ≤ PipeDream`, staleness: pd.result.staleness, mode: 'stash' });
    rows.push({ network, label: `SpikePipe schedule (N=${procs})`, staleness: sp.result.staleness, mode: 'stash' });
    rows.push({ network, label: `SpikePipe schedule (N=${procs}), EMA weights`, staleness: sp.result.staleness, mode: 'ema' });
    rows.push({ network, label: `SpikePipe at the paper's operating point (N=${procs}: overhead ≤ 0.5 %, d ≤ PipeDream's)`, staleness: op.result.staleness, mode: 'stash' });
  }
  return rows;
}
