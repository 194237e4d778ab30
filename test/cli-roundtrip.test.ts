// A schedule written by `schedule --out` validates with `validate`, whatever graph its method
// built (GPipe's micro-batch stage graph, PipeDream's stage graph, SpikePipe's fine graph).
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli';

describe('schedule --out → validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spikepipe-rt-'));
  for (const method of ['gpipe', 'pipedream', 'spikepipe', 'sequential']) {
    it(`${method} on mnist-fc at 3 processors`, async () => {
      const file = join(dir, `${method}.json`);
      const made = await cli('schedule', 'mnist-fc', '--procs', '3', '--method', method, '--out', file);
      expect(made.code).toBe(0);
      const checked = await cli('validate', 'mnist-fc', file, '--simulate', '--json');
      expect(checked.stderr).toBe('');
      const out = JSON.parse(checked.stdout);
      expect(out.valid).toBe(true);
      expect(out.violations).toEqual([]);
      expect(out.simulation.measuredPeriod).toBe(JSON.parse(readFileSync(file, 'utf8')).period);
      expect(checked.code).toBe(0);
    });
  }

  it('refuses a schedule made for another network, naming the file', async () => {
    const file = join(dir, 'pd.json');
    expect((await cli('schedule', 'mnist-fc', '--procs', '2', '--method', 'pipedream', '--out', file)).code).toBe(0);
    const r = await cli('validate', 'fmnist-conv', file);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`spikepipe: ${file}: /build/network: the schedule is for mnist-fc, not fmnist-conv\n`);
  });

  it('slow links: a schedule made for them validates on them; a fast-link schedule overloads them (link violations, exit 1)', async () => {
    const slow = join(dir, 'slow-links.json');
    writeFileSync(slow, JSON.stringify({ name: 'slow-links', linkBandwidth: 4 }));
    const made = join(dir, 'sp-slow.json');
    expect((await cli('schedule', 'mnist-fc', '--procs', '3', '--method', 'spikepipe', '--hw', slow, '--out', made)).code).toBe(0);
    const ok = await cli('validate', 'mnist-fc', made, '--hw', slow, '--json');
    expect(JSON.parse(ok.stdout).violations).toEqual([]);
    expect(ok.code).toBe(0);
    // SpikePipe's default-hardware schedule (period 42888) moves 1044000 B per iteration over its
    // busiest link (16313 cycles at 64 B/cycle): at 4 B/cycle that is 261000 cycles, far above the period.
    const fast = join(dir, 'sp-fast.json');
    expect((await cli('schedule', 'mnist-fc', '--procs', '3', '--method', 'spikepipe', '--out', fast)).code).toBe(0);
    const bad = await cli('validate', 'mnist-fc', fast, '--hw', slow, '--json');
    expect(bad.code).toBe(1);
    const links = (JSON.parse(bad.stdout).violations as { kind: string; message: string }[]).filter((v) => v.kind === 'link');
    expect(links.length).toBeGreaterThan(0);
    for (const v of links) expect(v.message).toMatch(/^link p\d→p\d carries \d+ bytes per iteration: \d+ cycles at 4 B\/cycle, more than the period \d+ \(tensors of /);
  });

  it('a tampered start time is reported as a violation (exit 1)', async () => {
    const file = join(dir, 'pd2.json');
    expect((await cli('schedule', 'mnist-fc', '--procs', '2', '--method', 'pipedream', '--out', file)).code).toBe(0);
    const s = JSON.parse(readFileSync(file, 'utf8'));
    const f2 = s.tasks.find((t: { id: string }) => t.id.startsWith('F_s2'));
    f2.start = 0; // before stage 1's forward has produced anything
    writeFileSync(file, JSON.stringify(s));
    const r = await cli('validate', 'mnist-fc', file, '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.valid).toBe(false);
    expect(out.violations.some((v: { kind: string; tasks: string[] }) => v.kind === 'precedence' && v.tasks.includes(f2.id))).toBe(true);
  });
});
