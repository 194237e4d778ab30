import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPool } from '../lib/app/sweep/pool';

const mod = path.join(__dirname, 'helpers', 'square-worker.ts');

describe('worker pool', () => {
  it('runs every job once on 2 worker threads and returns each result', async () => {
    const jobs = Array.from({ length: 9 }, (_, i) => ({ key: `k${i}`, input: { x: i } }));
    const got = new Map<string, number>();
    await runPool<{ x: number }, { y: number }>(jobs, { module: mod, workers: 2, onResult: (k, r) => got.set(k, r.y) });
    expect([...got.entries()].sort()).toEqual(jobs.map((j) => [j.key, j.input.x ** 2]).sort());
  });

  it('runs in-process with one worker, in order', async () => {
    const order: string[] = [];
    await runPool<{ x: number }, { y: number }>([{ key: 'a', input: { x: 3 } }, { key: 'b', input: { x: 4 } }], {
      module: mod,
      workers: 1,
      onResult: (k, r) => order.push(`${k}=${r.y}`),
    });
    expect(order).toEqual(['a=9', 'b=16']);
  });

  it('reports a failing job and rejects', async () => {
    const errors: string[] = [];
    const jobs = [{ key: 'ok', input: { x: 2 } }, { key: 'bad', input: { x: -1 } }, { key: 'ok2', input: { x: 5 } }];
    await expect(
      runPool<{ x: number }, { y: number }>(jobs, { module: mod, workers: 2, onResult: () => {}, onError: (k, m) => errors.push(`${k}: ${m.split('\n')[0]}`) }),
    ).rejects.toThrow(/bad: negative input -1/);
    expect(errors).toEqual(['bad: negative input -1']);
  });
});
