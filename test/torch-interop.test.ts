// Interop with torch.distributed.pipelining's schedule CSV (lib/app/torch): export a synchronous
// schedule, import it back, time hand-written torch schedules, and refuse bad ones with every
// violation (pytorch torch/distributed/pipelining/schedules.py, `_dump_csv`, `_load_csv`,
// `_validate_schedule`).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actionSchedule, formatAction } from '../solvers/pipeline/actions';
import { oneFOneBOrders } from '../solvers/pipeline/1f1b';
import { checkTorchCsv } from '../lib/app/torch/import';
import { exportTorch, exportTorchCsv } from '../lib/app/torch/export';
import { parseCsv } from '../lib/app/torch/csv';
import { unitChunks } from './sync-helpers';
import { cli } from './helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'spikepipe-torch-'));
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

/**
 * torch's Schedule1F1B for 2 stages and 4 micro-batches, written out by hand from its
 * `_get_pipeline_order` (schedules.py): rank r idles r steps, runs S − 1 − r warm-up forwards,
 * idles 2·(S − 1 − r) steps, alternates F and B, then in the cool-down an idle step before each
 * remaining B.
 */
const TORCH_1F1B_2x4 = '0F0,,,0F1,0B0,0F2,0B1,0F3,0B2,,0B3\n,1F0,1B0,1F1,1B1,1F2,1B2,1F3,1B3\n';

describe('CSV as Python writes it', () => {
  it('rows, empty cells, empty rows, quotes, CRLF', () => {
    expect(parseCsv('0F0,,1B0\r\n\r\n"0F1",x\n', 'f')).toEqual([['0F0', '', '1B0'], [], ['0F1', 'x']]);
    expect(parseCsv('a,\n', 'f')).toEqual([['a', '']]);
    expect(() => parseCsv('"0F0\n', 'f.csv')).toThrow(/^f\.csv: row 1: a quoted field is not closed$/);
  });
});

describe('export-schedule → import-schedule: 1F1B round trips with the same period and order', () => {
  for (const [net, mb, csv] of [
    ['mnist-fc', undefined, '0F0,0B0\n\n'],
    ['tiny-fc', undefined, '0F0,0B0\n\n'],
    ['mnist-fc', '4', '0F0,0F1,,0B0,0F2,0B1,0F3,0B2,,0B3\n,1F0,1B0,1F1,1B1,1F2,1B2,1F3,1B3\n'],
    ['tiny-fc', '4', '0F0,0F1,,0B0,0F2,0B1,0F3,0B2,,0B3\n,1F0,1B0,1F1,1B1,1F2,1B2,1F3,1B3\n'],
  ] as const) {
    it(`${net} at 2${mb ? `, m = ${mb}` : " (1F1B's best: one rank, m = 1)"}`, async () => {
      const tag = `${net}-${mb ?? 'best'}`;
      const sched = join(dir, `${tag}.json`);
      const s = await cli('schedule', net, '--procs', '2', '--method', '1f1b', ...(mb ? ['--micro-batches', mb] : []), '--out', sched, '--json');
      expect(s.code, s.stderr).toBe(0);
      const run = JSON.parse(s.stdout) as { period: number; microBatches: number; details: { ranks: number } };
      const out = join(dir, `${tag}.csv`);
      const e = await cli('export-schedule', sched, '--format', 'torch-csv', '--out', out);
      expect(e.code, e.stderr).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe(csv);
      const back = join(dir, `${tag}-back.json`);
      const i = await cli('import-schedule', out, net, '--procs', '2', '--json', '--out', back);
      expect(i.code, i.stderr).toBe(0);
      const r = JSON.parse(i.stdout) as { period: number; simulatedPeriod: number; orders: string[][] };
      expect([r.period, r.simulatedPeriod]).toEqual([run.period, run.period]);
      const lists = oneFOneBOrders({ ranks: run.details.ranks, v: 1, micro: run.microBatches }).map((l) => l.map(formatAction));
      expect(r.orders).toEqual([...lists, ...Array.from({ length: 2 - lists.length }, () => [])]);
      expect(exportTorch(sched).orders.map((l) => l.map(formatAction))).toEqual(r.orders);
      expect(exportTorchCsv(back)).toBe(csv);
      expect((await cli('validate', net, back, '--simulate')).code).toBe(0);
    });
  }
});

describe("import-schedule: torch's own 1F1B layout (2 ranks, 4 micro-batches)", () => {
  it('reads the lists 1F1B generates; on unit costs the period is (m + S − 1)·(F + B) = 5 · 6 = 30 cycles', () => {
    const c = checkTorchCsv(TORCH_1F1B_2x4, 'torch-1f1b.csv', { procs: 2 });
    expect([c.stages, c.microBatches, c.splitW, c.rankOf, c.skipped]).toEqual([2, 4, false, [0, 1], 0]);
    expect(c.orders).toEqual(oneFOneBOrders({ ranks: 2, v: 1, micro: 4 }));
    // By hand, F = 2 and B = 4 cycles (F + B + W at 2 each, the backward whole), U = 0: rank 1
    // runs F_j B_j back to back from t = 2 but waits for 0F_j; rank 0 runs 0F0 0F1 [0, 4], then each
    // 0B_j 4 cycles after 1B_j ends: 0B0 [8, 12], 0F2 [12, 14], 0B1 [14, 18], 0F3 [18, 20], 0B2 [20, 24],
    // 0B3 [26, 30]. Rank 0's window is the period: 30.
    const { cg, rankOf, machine } = unitChunks(2, 4, false);
    expect(actionSchedule(cg, machine, 2, rankOf, c.orders, 'torch').period).toBe(30);
  });

  it('on tiny-fc at 2 it is exactly our 1f1b at m = 4 (5635 cycles); communication and FSDP cells are skipped', async () => {
    const csv = write('torch-1f1b.csv', TORCH_1F1B_2x4);
    const i = await cli('import-schedule', csv, 'tiny-fc', '--procs', '2', '--json');
    expect(i.code, i.stderr).toBe(0);
    expect(JSON.parse(i.stdout).period).toBe(5635);
    const comms = write('torch-1f1b-comms.csv', '0F0,0SEND_F0,,0F1,0SEND_F1,0RECV_B0,0B0,0F2,0B1,0F3,0B2,,0B3,0REDUCE_GRAD\n,1RECV_F0,1F0,1B0,1SEND_B0,1F1,1B1,1F2,1B2,1F3,1B3,1REDUCE_GRAD\n');
    const j = await cli('import-schedule', comms, 'tiny-fc', '--procs', '2');
    expect(j.code, j.stderr).toBe(0);
    expect(j.stdout).toMatch(/period {10}5635 cycles per minibatch/);
    expect(j.stdout).toMatch(/note: 7 non-compute cells \(SEND\/RECV, UNSHARD\/RESHARD, REDUCE_GRAD\) skipped/);
  });
});

describe('import-schedule refuses bad CSVs: every violation on stderr, one line each, exit 2', () => {
  const refuse = async (name: string, text: string, procs: string, lines: (f: string) => string[], ...flags: string[]) => {
    const f = write(name, text);
    const r = await cli('import-schedule', f, 'tiny-fc', '--procs', procs, ...flags);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(lines(f).map((l) => `spikepipe: ${f}: ${l}\n`).join(''));
  };

  it('an unknown action, with its row and column', () =>
    refuse('unknown.csv', '0F0,0X1,0B0\n1F0,1B0\n', '2', () => ['row 1, column 2: not an action "0X1" (expected {stage}{F|I|W|B}{microbatch}, e.g. 0F3 or 2I0)']));

  it('the wrong number of ranks', () => refuse('ranks.csv', '0F0,0B0\n1F0,1B0\n', '3', () => ['2 rows (one per rank), but --procs is 3']));

  it('a missing action', () => refuse('missing.csv', '0F0,0F1,0B0\n1F0,1B0,1F1,1B1\n', '2', () => ['0B1 missing (stage 0, micro-batch 1 has no backward: B, or I and W)']));

  it('a repeated action', () => refuse('repeated.csv', '0F0,0B0,0B0\n1F0,1B0\n', '2', () => ['row 1, column 3: 0B0 repeated (first at row 1, column 2)']));

  it('a stage on two ranks', () =>
    refuse('two-ranks.csv', '0F0,1F0,1B0\n0B0\n', '2', () => ['row 2, column 1: 0B0 puts stage 0 on rank 1, but 0F0 at row 1, column 1 put it on rank 0 (a stage runs on one rank)']));

  it('all at once, in order: ranks, cells by position, then what is missing', () =>
    refuse('all.csv', '0I0,0F0,0W1,0I1,0F1\n1F0,1B0,1I0,1W0,1F1,1B1,1B1\n\n', '2', () => [
      '3 rows (one per rank), but --procs is 2',
      'row 1, column 1: 0I0 before its forward 0F0 (column 2)',
      'row 1, column 3: 0W1 before its input backward 0I1 (column 4)',
      'row 1, column 4: 0I1 before its forward 0F1 (column 5)',
      'row 2, column 4: 1W0 and 1B0 (row 2, column 2) are both backwards of stage 1, micro-batch 0 (B is I and W together)',
      'row 2, column 7: 1B1 repeated (first at row 2, column 6)',
      '0W0 missing (0I0 has no W)',
    ]));

  it('--whole-backward refuses I and W; --micro-batches bounds the indices', async () => {
    await refuse('split.csv', '0F0,0I0,0W0\n1F0,1B0\n', '2', () => ['row 1, column 2: 0I0: --whole-backward takes whole backwards (B) only', 'row 1, column 3: 0W0: --whole-backward takes whole backwards (B) only'], '--whole-backward');
    await refuse('micro.csv', '0F0,0B0,0F1,0B1\n1F0,1B0,1F1,1B1\n', '2', () => ['row 1, column 3: 0F1: micro-batch 1 is not below --micro-batches 1', 'row 1, column 4: 0B1: micro-batch 1 is not below --micro-batches 1', 'row 2, column 3: 1F1: micro-batch 1 is not below --micro-batches 1', 'row 2, column 4: 1B1: micro-batch 1 is not below --micro-batches 1'], '--micro-batches', '1');
  });

  it('orders that wait on each other: one line naming a stuck action per rank', async () => {
    const f = write('deadlock.csv', '0F0,0B0,0F1,0B1\n1F1,1B1,1F0,1B0\n');
    const r = await cli('import-schedule', f, 'tiny-fc', '--procs', '2');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(`spikepipe: ${f}: the ranks' orders wait on each other (deadlock): rank 0 stuck at 0B0 waiting for 1B0 (rank 1); rank 1 stuck at 1F1 waiting for 0F1 (rank 0)\n`);
  });

  it('a CSV that does not fit the network: one line', async () => {
    const f = write('stages.csv', '0F0,0B0\n1F0,1B0\n2F0,2B0\n');
    const r = await cli('import-schedule', f, 'tiny-fc', '--procs', '3');
    expect([r.code, r.stderr]).toEqual([2, `spikepipe: ${f}: 3 stages, but tiny-fc has 2 weight layers (a stage is at least one layer)\n`]);
  });
});

describe('export-schedule refuses what is not a chunk-graph schedule', () => {
  it('a PipeDream schedule file: one line, exit 2', async () => {
    const sched = join(dir, 'pipedream.json');
    expect((await cli('schedule', 'tiny-fc', '--procs', '2', '--method', 'pipedream', '--out', sched)).code).toBe(0);
    const r = await cli('export-schedule', sched, '--format', 'torch-csv');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(`spikepipe: ${sched}: not a chunk-graph schedule: its build recipe has a pipedream contraction (export-schedule takes the synchronous methods' schedules, e.g. \`spikepipe schedule <network> --method 1f1b --out f\`)\n`);
    const bad = await cli('export-schedule', sched, '--format', 'json');
    expect([bad.code, bad.stderr]).toEqual([2, 'spikepipe: --format: must be one of torch-csv, got "json"\n']);
  });
});
