/**
 * The cost table of a network: one row per training task (GEMM shape, dataflow, folds, cycles)
 * and a total; with the memory traffic counted (costTable's `memoryTraffic`), two more columns,
 * the on-chip memory bytes each task reads and writes (lib/model/cost/memory.ts), and their totals.
 */
import type { CostTable } from '../lib/model/cost/tasks';
import type { Column, Table } from './table';

export function costReportTable(t: CostTable): Table {
  const memory = t.totalMemoryReadBytes !== undefined && t.totalMemoryWriteBytes !== undefined;
  const rows: Record<string, string>[] = t.tasks.map((r) => ({
    task: r.id,
    kind: r.kind,
    layer: String(r.layer),
    gemm: r.gemm ? `${r.gemm.M}×${r.gemm.K}×${r.gemm.N}` : '-',
    flow: r.gemm ? r.gemm.dataflow : '-',
    folds: r.gemm ? String(r.gemm.folds) : '-',
    gemmCycles: String(r.gemmCycles),
    vectorCycles: String(r.vectorCycles),
    cycles: String(r.cycles),
    ...(memory ? { memoryReadBytes: String(r.memoryReadBytes), memoryWriteBytes: String(r.memoryWriteBytes) } : {}),
  }));
  rows.push({
    task: 'total', kind: '', layer: '', gemm: '', flow: '', folds: '', gemmCycles: '', vectorCycles: '', cycles: String(t.totalCycles),
    ...(memory ? { memoryReadBytes: String(t.totalMemoryReadBytes), memoryWriteBytes: String(t.totalMemoryWriteBytes) } : {}),
  });
  const columns: Column[] = [
    { key: 'task', title: 'task' },
    { key: 'kind', title: 'kind' },
    { key: 'layer', title: 'layer', align: 'r' },
    { key: 'gemm', title: 'GEMM M×K×N', align: 'r' },
    { key: 'flow', title: 'flow' },
    { key: 'folds', title: 'folds', align: 'r' },
    { key: 'gemmCycles', title: 'gemmCycles', align: 'r' },
    { key: 'vectorCycles', title: 'vectorCycles', align: 'r' },
    { key: 'cycles', title: 'cycles', align: 'r' },
  ];
  if (memory) {
    columns.push({ key: 'memoryReadBytes', title: 'memoryReadBytes', align: 'r' }, { key: 'memoryWriteBytes', title: 'memoryWriteBytes', align: 'r' });
  }
  return {
    id: 'cost',
    caption: `${t.network} on ${t.hardware}: B = ${t.batch}, T = ${t.timesteps}, dataflow ${t.dataflow}`,
    columns,
    rows,
  };
}
