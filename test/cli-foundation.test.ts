import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../lib/app/cli/main';
import type { CliIO } from '../lib/app/cli/io';

const dir = mkdtempSync(join(tmpdir(), 'spikepipe-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (t) => void out.push(t), err: (t) => void err.push(t), isTTY: false };
  const code = await runCli(argv, io);
  return { code, out: out.join(''), err: err.join('') };
}

/** Exit 2, exactly one stderr line matching `re`, nothing on stdout. */
async function expectInputError(argv: string[], re: RegExp) {
  const r = await run(...argv);
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
  expect(r.err.endsWith('\n')).toBe(true);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(re);
  expect(r.err).not.toMatch(/at .*\.ts:\d+/); // no stack trace
}

function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return p;
}
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('spikepipe cost', () => {
  it('cost networks/mnist-fc.json --json prints the worked values', async () => {
    const r = await run('cost', 'networks/mnist-fc.json', '--json');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const j = JSON.parse(r.out);
    expect(j.network).toBe('mnist-fc');
    expect(j.hardware).toBe('default');
    const t = Object.fromEntries(j.tasks.map((x: { id: string }) => [x.id, x]));
    // Memory traffic of F_1 (ws on 128×128): weights 500·784 values read once = 784000 B; input
    // spikes streamed ceil(500/128)·784·512 = 1605632 bits = 200704 B; partial sums written per
    // K-fold ceil(784/128)·500·512 values = 3584000 B; the neuron reads 512·500 currents
    // (512000 B) and writes the state (512000 B) and the spikes (32000 B).
    expect(t.F_1).toEqual({
      id: 'F_1', kind: 'F', layer: 1, gemm: { M: 500, K: 784, N: 512, dataflow: 'ws', folds: 28 },
      gemmCycles: 25032, vectorCycles: 4000, cycles: 29032,
      memoryReadBytes: 784000 + 200704 + 512000, memoryWriteBytes: 3584000 + 512000 + 32000,
    });
    expect(t.Ba2_2.gemm).toEqual({ M: 500, K: 500, N: 512, dataflow: 'ws', folds: 16 });
    expect(t.Ba2_2.cycles).toBe(14304);
    expect(t.Bw_1.gemm.dataflow).toBe('os');
    expect(t.Bw_1.cycles).toBe(25032);
    expect(t.Loss).toMatchObject({ kind: 'Loss', layer: 0, gemm: null, cycles: 20 });
    expect(j.tasks).toHaveLength(15);
    expect(j.totalCycles).toBe(140112);
  });

  it('text table, shipped id, --hw and --dataflow', async () => {
    const r = await run('cost', 'tiny-fc', '--hw', 'networks/hardware/tiny-4x4.json');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toBe('tiny-fc on tiny-4x4: B = 4, T = 2, dataflow spec');
    // On 4×4: weights 128 values = 256 B, spikes 2·16·8 bits = 32 B, neuron currents 128 B read;
    // partial sums 4·8·8 values = 512 B, state 128 B, spikes 8 B written.
    expect(lines[2]).toMatch(/^F_1\s+F\s+1\s+8×16×8\s+ws\s+8\s+144\s+32\s+176\s+416\s+648$/);
    expect(lines.at(-1)).toMatch(/^total\s+548\s+\d+\s+\d+$/);
    const b = await run('cost', 'mnist-fc', '--dataflow', 'best', '--batch', '32', '--json');
    expect(JSON.parse(b.out)).toMatchObject({ dataflow: 'best', batch: 32 });
  });

  it('bad option values', async () => {
    await expectInputError(['cost', 'mnist-fc', '--dataflow', 'fastest'], /^spikepipe: --dataflow: must be one of spec, best, got "fastest"\n$/);
    await expectInputError(['cost', 'mnist-fc', '--batch', '0'], /^spikepipe: --batch: must be a positive integer, got "0"\n$/);
  });
});

describe('bad spec files through the CLI: exit 2, one stderr line with file and path, no stdout', () => {
  const base = JSON.parse(readFileSync('networks/tiny-fc.json', 'utf8'));
  const cases: [string, unknown, string][] = [
    ['malformed.json', '{\n  "name": "x",\n  "layers": [,]\n}', 'line 3 column 14: unexpected character "," (expected a value)'],
    ['schema.json', { ...base, readout: 'softmax' }, '/readout: must be one of "integrator", got "softmax"'],
    ['shape.json', { ...base, layers: [{ type: 'fc', in: 16, out: 8 }, { type: 'fc', in: 9, out: 4 }] }, '/layers/1/in: expected 8, got 9'],
    ['layer-type.json', { ...base, layers: [{ type: 'lstm', out: 4 }] }, '/layers/0/type: must be one of "fc", "conv", "avgpool", "maxpool", "flatten", "add", "concat", got "lstm"'],
    ['zero.json', { ...base, timesteps: 0 }, '/timesteps: must be > 0, got 0'],
    ['non-integer.json', { ...base, layers: [{ type: 'fc', out: 4.5 }] }, '/layers/0/out: must be an integer, got 4.5'],
  ];
  it.each(cases)('%s', async (name, content, msg) => {
    const p = file(name, content);
    await expectInputError(['cost', p], new RegExp(`^spikepipe: ${esc(p)}: ${esc(msg)}\n$`));
    await expectInputError(['graph', p, '--json'], new RegExp(`^spikepipe: ${esc(p)}: ${esc(msg)}\n$`));
  });
  it('missing network and hardware files', async () => {
    const p = join(dir, 'missing.json');
    await expectInputError(['cost', p], new RegExp(`^spikepipe: ${esc(p)}: no such file\n$`));
    await expectInputError(['cost', 'mnist-fc', '--hw', p], new RegExp(`^spikepipe: ${esc(p)}: no such file\n$`));
  });
  it('bad hardware file', async () => {
    const p = file('hw.json', { array: { rows: 128, cols: -4 } });
    await expectInputError(['cost', 'mnist-fc', '--hw', p], new RegExp(`^spikepipe: ${esc(p)}: /array/cols: must be > 0, got -4\n$`));
  });
});

describe('spikepipe graph', () => {
  it('--json: the mnist-fc SpikePipe graph', async () => {
    const r = await run('graph', 'mnist-fc', '--json');
    expect(r.code).toBe(0);
    const g = JSON.parse(r.out);
    expect(g.tasks).toHaveLength(15);
    expect(g.edges).toHaveLength(24);
    expect(g.meta).toMatchObject({ network: 'mnist-fc', variant: 'spikepipe', granularity: 'layer' });
  });

  it('--variant pipedream --granularity timestep --delays 2S:3', async () => {
    const r = await run('graph', 'networks/mnist-fc.json', '--variant', 'pipedream', '--granularity', 'timestep', '--delays', '2S:3', '--json');
    expect(r.code).toBe(0);
    const g = JSON.parse(r.out);
    expect(g.tasks).toHaveLength(28);
    expect(g.edges).toHaveLength(89);
    const loops = g.edges.filter((e: { loopLayer?: number }) => e.loopLayer !== undefined);
    // 2S on 3 stages (one layer each): d = 4, 2, 0 → delays 5, 3, 1
    for (const e of loops) expect(e.delay).toBe([5, 3, 1][e.loopLayer - 1]);
  });

  it('explicit delay list, text and DOT output', async () => {
    const t = await run('graph', 'tiny-fc', '--delays', '3,0');
    expect(t.code).toBe(0);
    expect(t.out.split('\n')[0]).toMatch(/^tiny-fc-spikepipe-layer: 10 tasks, 15 edges \(3 with delay\), work \d+ cycles, communication \d+ bytes$/);
    expect(t.out).toContain('U_1 → F_1');
    expect(t.out).toMatch(/U_1 → F_1 .* delay 4/);
    const d = await run('graph', 'tiny-fc', '--dot');
    expect(d.code).toBe(0);
    expect(d.out).toMatch(/digraph/);
    expect(d.out).toContain('Ba2_2');
  });

  it('bad option values are one-line errors', async () => {
    await expectInputError(['graph', 'mnist-fc', '--variant', 'gpipe'], /^spikepipe: --variant: must be one of spikepipe, pipedream, got "gpipe"\n$/);
    await expectInputError(['graph', 'mnist-fc', '--granularity', 'step'], /^spikepipe: --granularity: must be one of layer, timestep, got "step"\n$/);
    await expectInputError(['graph', 'mnist-fc', '--delays', '1,2'], /^spikepipe: --delays: expected 3 delays \(one per weight layer\), got 2\n$/);
    await expectInputError(['graph', 'mnist-fc', '--delays', '2S'], /^spikepipe: --delays: 2S needs a stage count/);
    await expectInputError(['graph', 'mnist-fc', '--dot', '--json'], /^spikepipe: --dot: choose one of --dot and --json\n$/);
  });
});
