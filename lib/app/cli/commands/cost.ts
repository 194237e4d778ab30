/**
 * `spikepipe cost <network> [--hw file] [--dataflow spec|best] [--batch n] [--memory-traffic] [--json]`:
 * the cycles of every training task of one iteration (lib/model/cost/tasks.ts costTable) and,
 * with --memory-traffic, the on-chip memory bytes each task reads and writes
 * (lib/model/cost/memory.ts). Opt-in, so the default output keeps its columns and fields.
 */
import type { Command } from 'commander';
import type { CliIO } from '../io';
import { printJson } from '../io';
import { fail } from '../../../model/errors';
import { countFromText, LIMITS } from '../../../model/limits';
import { loadNetwork } from '../../../model/spec/network';
import { loadHardware } from '../../../model/spec/hardware';
import { costTable } from '../../../model/cost/tasks';
import { costReportTable } from '../../../../reports/cost-table';
import { toText } from '../../../../reports/table';
import type { DataflowPolicy } from '../../../model/cost/gemm';

/** An option value that must be one of `allowed`, else a one-line InputError naming the flag. */
export function parseChoice<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) fail(flag, `must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

/** The largest value of each count flag (README, Limits and input checks). */
export const FLAG_MAX: Readonly<Record<string, number>> = {
  '--procs': LIMITS.processors,
  '--batch': LIMITS.batch,
  '--micro-batches': LIMITS.batch,
  '--iterations': LIMITS.iterations,
  '--workers': 256,
  '--epochs': 100000,
};

/** An option value that must be a positive integer (at most the flag's FLAG_MAX, else 2^53 − 1). */
export function parsePositiveInt(value: string | undefined, flag: string, max = FLAG_MAX[flag] ?? Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) fail(flag, `must be a positive integer, got "${value}"`);
  return countFromText(value, max, flag);
}

export const DATAFLOW_POLICIES: readonly DataflowPolicy[] = ['spec', 'best'];

interface CostCliOptions {
  hw?: string;
  dataflow?: string;
  batch?: string;
  json?: boolean;
}

export function register(program: Command, io: CliIO): void {
  program
    .command('cost')
    .description('cycles and on-chip memory bytes read and written of every training task of one iteration on the systolic-array cost model')
    .argument('<network>', 'network JSON file or shipped id (mnist-fc, fmnist-conv, cifar10-vgg, cifar100-vgg, tiny-fc)')
    .option('--hw <file>', 'hardware JSON file or shipped id (default: networks/hardware/default.json values)')
    .option('--dataflow <policy>', 'spec (dataflow named by the hardware) or best (cheapest per GEMM)')
    .option('--batch <n>', 'samples per minibatch (default: the network\'s)')
    .option('--json', 'print JSON')
    .action((network: string, opts: CostCliOptions) => {
      const dataflow = parseChoice(opts.dataflow, DATAFLOW_POLICIES, '--dataflow');
      const batch = parsePositiveInt(opts.batch, '--batch');
      const net = loadNetwork(network);
      const hw = loadHardware(opts.hw);
      const table = costTable(net, hw, { dataflow, batch, memoryTraffic: true });
      if (opts.json) printJson(io, table);
      else io.out(toText(costReportTable(table), { caption: true }));
    });
}
