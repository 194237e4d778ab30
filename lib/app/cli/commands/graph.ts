/**
 * `spikepipe graph <network> [--variant spikepipe|pipedream] [--granularity layer|timestep]
 *  [--delays none|2S:N|d1,d2,…] [--hw file] [--dataflow spec|best] [--batch n] [--dot] [--json]`:
 * the training task graph (lib/model/graph/training.ts buildTrainingGraph) as a summary, JSON or DOT.
 */
import type { Command } from 'commander';
import type { CliIO } from '../io';
import { printJson } from '../io';
import { fail } from '../../../model/errors';
import type { TaskGraph } from '../../../model/types';
import { loadNetwork } from '../../../model/spec/network';
import { loadHardware } from '../../../model/spec/hardware';
import { buildTrainingGraph, GRANULARITIES, VARIANTS } from '../../../model/graph/training';
import { parseDelays } from '../../../model/graph/delays';
import { totalWork } from '../../../model/graph/taskgraph';
import { totalCommunication } from '../../../model/cost/bytes';
import { toDot } from '../../../model/io/dot';
import { DATAFLOW_POLICIES, parseChoice, parsePositiveInt } from './cost';
import { maxOf } from '../../../model/extrema';

interface GraphCliOptions {
  hw?: string;
  variant?: string;
  granularity?: string;
  delays?: string;
  dataflow?: string;
  batch?: string;
  dot?: boolean;
  json?: boolean;
}

/** Human-readable listing: a header, every task with its cycles, every edge with bytes and delay. */
export function formatGraph(g: TaskGraph): string {
  const lines = [
    `${g.name}: ${g.tasks.length} tasks, ${g.edges.length} edges (${g.edges.filter((e) => e.delay > 0).length} with delay), ` +
      `work ${totalWork(g)} cycles, communication ${totalCommunication(g)} bytes`,
    'tasks:',
  ];
  const w = maxOf(g.tasks.map((t) => t.id.length));
  for (const t of g.tasks) lines.push(`  ${t.id.padEnd(w)}  ${String(t.cycles).padStart(10)} cycles  (gemm ${t.gemmCycles}, vector ${t.vectorCycles})`);
  lines.push('edges:');
  for (const e of g.edges) {
    const from = g.tasks[e.from].id;
    const to = g.tasks[e.to].id;
    lines.push(`  ${from} → ${to}  ${e.bytes} B  ${e.data ?? ''}${e.delay > 0 ? `  delay ${e.delay}` : ''}`);
  }
  return lines.join('\n') + '\n';
}

export function register(program: Command, io: CliIO): void {
  program
    .command('graph')
    .description('the training task graph of a network (F, Ba1, Ba2, Bw, U per layer, Loss)')
    .argument('<network>', 'network JSON file or shipped id')
    .option('--hw <file>', 'hardware JSON file or shipped id (default hardware otherwise)')
    .option('--variant <variant>', 'spikepipe (F, Ba1, Ba2, Bw, U) or pipedream (F, B)')
    .option('--granularity <g>', 'layer or timestep')
    .option('--delays <rule>', 'extra staleness per layer: none, 2S:N (N stages) or a comma list d1,…,dL')
    .option('--dataflow <policy>', 'spec or best')
    .option('--batch <n>', 'samples per minibatch (default: the network\'s)')
    .option('--dot', 'print Graphviz DOT')
    .option('--json', 'print JSON')
    .action((network: string, opts: GraphCliOptions) => {
      const variant = parseChoice(opts.variant, VARIANTS, '--variant');
      const granularity = parseChoice(opts.granularity, GRANULARITIES, '--granularity');
      const dataflow = parseChoice(opts.dataflow, DATAFLOW_POLICIES, '--dataflow');
      const batch = parsePositiveInt(opts.batch, '--batch');
      if (opts.dot && opts.json) fail('--dot', 'choose one of --dot and --json');
      const net = loadNetwork(network);
      const staleness = opts.delays === undefined ? undefined : parseDelays(opts.delays, net.weightLayers.length, '--delays');
      const hw = loadHardware(opts.hw);
      const g = buildTrainingGraph(net, hw, { variant, granularity, dataflow, batch, staleness });
      if (opts.json) printJson(io, g);
      else if (opts.dot) io.out(toDot(g));
      else io.out(formatGraph(g));
    });
}
