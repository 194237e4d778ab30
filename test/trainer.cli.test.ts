/**
 * `spikepipe train` and `spikepipe accuracy` in-process: JSON lines per epoch, one-line
 * errors with exit code 2 for bad input, silence on stderr when it is not a terminal.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../lib/app/cli/main';
import type { CliIO } from '../lib/app/cli/io';
import { accuracyTable } from '../lib/app/trainer/accuracy';

function capture(isTTY = false): CliIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    isTTY,
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
  };
  return io;
}

async function run(args: string[], isTTY = false): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capture(isTTY);
  const code = await runCli(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('spikepipe train', () => {
  it('prints one JSON line per epoch and nothing on a non-terminal stderr', async () => {
    const r = await run(['train', 'tiny-fc', '--epochs', '2', '--json', '--workers', '1', '--lr', '0.05']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    expect(lines.map((l) => Object.keys(l))).toEqual([
      ['epoch', 'trainLoss', 'testAccuracy', 'trainSamplesPerSecond'],
      ['epoch', 'trainLoss', 'testAccuracy', 'trainSamplesPerSecond'],
    ]);
    expect(lines.map((l) => l.epoch)).toEqual([1, 2]);
    expect(lines[1].trainLoss).toBeLessThan(lines[0].trainLoss);
    expect(lines[1].testAccuracy).toBeGreaterThan(0.5);
  });

  it('trains with 2S delays in every mode, and writes a text line per epoch', async () => {
    for (const mode of ['stash', 'ema', 'none']) {
      const r = await run(['train', 'tiny-fc', '--delays', '2S:2', '--mode', mode, '--workers', '1']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^epoch 1: train loss \d+\.\d{4}, test accuracy \d+\.\d\d %, [\d.]+ training samples\/s \([\d.]+ s\)\n$/);
    }
  });

  it('shows a progress bar with --progress even off a terminal', async () => {
    const r = await run(['train', 'tiny-fc', '--workers', '1', '--progress']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/epoch 1 \[/);
  });

  it('bad input: one line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sp-train-cli-'));
    const sched = join(dir, 'other.json');
    writeFileSync(sched, JSON.stringify({ kind: 'periodic', procs: 2, period: 5, tasks: [], graph: 'mnist-fc-spikepipe-layer', staleness: [4, 2, 0] }));
    const cases: [string[], RegExp][] = [
      [['train', 'tiny-fc', '--lr', '0'], /^spikepipe: --lr: the learning rate must be > 0, got 0\n$/],
      [['train', 'tiny-fc', '--lr', '-0.1'], /^spikepipe: --lr: /],
      [['train', 'tiny-fc', '--dataset', 'mnist', '--limit', '100'], /^spikepipe: mnist\/train: samples are 1×28×28 but network "tiny-fc" takes 1×4×4\n$/],
      [['train', 'tiny-fc', '--delays', sched], /is for "mnist-fc-spikepipe-layer", not for network "tiny-fc"\n$/],
      [['train', 'tiny-fc', '--delays', '1,2,3'], /^spikepipe: --delays: expected 2 delays/],
      [['train', 'tiny-fc', '--mode', 'ema'], /^spikepipe: --mode: only means something with --delays\n$/],
      [['train', 'tiny-fc', '--mode', 'fast'], /^spikepipe: --mode: must be one of stash, ema, none/],
      [['train', 'tiny-fc', '--optimizer', 'sgd', '--lr', '1e300', '--workers', '1'], /^spikepipe: tiny-fc: epoch 1 step 1: the weights became NaN or infinite/],
      [['train', 'no-such-net'], /^spikepipe: no-such-net: /],
    ];
    for (const [args, msg] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('accuracy table', () => {
  it('accuracyTable trains each row and gives the difference to the no-delay row', async () => {
    const rows = await accuracyTable({
      rows: [
        { network: 'tiny-fc', label: 'no delay', staleness: [0, 0], mode: 'stash' },
        { network: 'tiny-fc', label: '2S', staleness: [2, 0], mode: 'stash' },
        { network: 'tiny-fc', label: '2S ema', staleness: [2, 0], mode: 'ema' },
      ],
      epochs: 2,
      seed: 0,
      workers: 1,
    });
    expect(rows.map((r) => r.label)).toEqual(['no delay', '2S', '2S ema']);
    expect(rows[0].deltaVsNoDelay).toBe(0);
    expect(rows[1].deltaVsNoDelay).toBeCloseTo(rows[1].testAccuracy - rows[0].testAccuracy, 12);
    expect(rows.every((r) => r.trainSamples === 512 && r.testSamples === 128 && r.dataset === 'synthetic')).toBe(true);
  });

  it("the command trains with the staleness of the real PipeDream and SpikePipe schedules", async () => {
    // tiny-fc on 2 processors: PipeDream's schedule has d = [1, 0], SpikePipe's [2, 0], and
    // SpikePipe's at the paper's operating point (≤ 0.5 %, d ≤ PipeDream's) PipeDream's [1, 0].
    const r = await run(['accuracy', '--networks', 'tiny-fc', '--procs', '2', '--epochs', '1', '--workers', '1', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { label: string; staleness: number[]; mode: string }[];
    expect(rows.map((x) => [x.staleness, x.mode])).toEqual([
      [[0, 0], 'stash'],
      [[1, 0], 'stash'],
      [[2, 0], 'stash'],
      [[2, 0], 'ema'],
      [[1, 0], 'stash'],
    ]);
    expect(rows[1].label).toMatch(/^PipeDream schedule \(N=2\)/);
    expect(rows[4].label).toMatch(/^SpikePipe at the paper's operating point \(N=2/);
    expect(rows[2].label).toBe('SpikePipe schedule (N=2)');
    const text = await run(['accuracy', '--networks', 'tiny-fc', '--procs', '2', '--epochs', '1', '--workers', '1']);
    expect(text.stdout.split('\n')[0]).toMatch(/^Test accuracy without delay/);
    expect(text.stdout.split('\n')[1]).toMatch(/^network\s+dataset\s+delays from\s+d_l\s+weights/);
  });
});
