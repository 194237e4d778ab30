import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Edge, Machine, Schedule, TaskGraph } from '../lib/model/types';
import { commOverhead, crossingBytes, gapTo, linkBytes, linkCycles, linkLoad, linkLoadNote, linkPeriodBound, speedup, trainingCommunication } from '../lib/model/metrics';
import { loadNetwork } from '../lib/model/spec/network';
import { defaultHardware } from '../lib/model/spec/hardware';

/**
 * Two-processor toy: A, D on p0; B, C on p1.
 *   A→B spikes 100 and A→C spikes 100: one tensor to one processor → 100 once
 *   A→C state 40: another kind → +40
 *   A→D spikes 100: same processor → 0
 *   B→D grad 30, C→D grad 20: two producers → +50
 *   D→A weights 500 (loop, delay 1): same processor → 0
 *   C→B dI 70: same processor → 0
 * crossing = 190; p0→p1 140, p1→p0 50.
 */
function toy(): TaskGraph {
  const t = (id: string) => ({ id, kind: 'task' as const, layer: 0, cycles: 10, gemmCycles: 0, vectorCycles: 10 });
  const ids = ['A', 'B', 'C', 'D'];
  const e = (a: string, b: string, bytes: number, data: Edge['data'], delay = 0): Edge => ({ from: ids.indexOf(a), to: ids.indexOf(b), bytes, delay, data });
  return {
    name: 'toy',
    layers: 0,
    tasks: ids.map(t),
    edges: [
      e('A', 'B', 100, 'spikes'),
      e('A', 'C', 100, 'spikes'),
      e('A', 'C', 40, 'state'),
      e('A', 'D', 100, 'spikes'),
      e('B', 'D', 30, 'grad'),
      e('C', 'D', 20, 'grad'),
      e('D', 'A', 500, 'weights', 1),
      e('C', 'B', 70, 'dI'),
    ],
  };
}

const sched = (procs: Record<string, number>, period = 60): Schedule => ({
  kind: 'periodic',
  procs: 2,
  period,
  tasks: Object.entries(procs).map(([id, processor]) => ({ id, processor, start: 0 })),
});

describe('crossing bytes', () => {
  it('hand case: 190 bytes, 140 p0→p1 and 50 p1→p0', () => {
    const c = crossingBytes(toy(), sched({ A: 0, B: 1, C: 1, D: 0 }));
    expect(c.total).toBe(190);
    expect(c.pairs).toEqual([
      { from: 0, to: 1, bytes: 140 },
      { from: 1, to: 0, bytes: 50 },
    ]);
  });

  it('one processor: nothing crosses', () => {
    expect(crossingBytes(toy(), sched({ A: 0, B: 0, C: 0, D: 0 })).total).toBe(0);
  });

  it('a tensor to two processors moves twice; a loop edge across processors moves the weights', () => {
    // A on p0, B on p1, C on p2, D on p1: spikes to p1 and p2 (100 + 100), state to p2 (40),
    // B→D same processor, C→D grad 20, D→A weights 500, C→B dI 70 → 830.
    const s = { ...sched({ A: 0, B: 1, C: 2, D: 1 }), procs: 3 };
    const c = crossingBytes(toy(), s);
    // (A→D spikes: D is on p1, which already receives A's spikes for B: not counted again.)
    expect(c.total).toBe(830);
    expect(c.pairs).toEqual([
      { from: 0, to: 1, bytes: 100 },
      { from: 0, to: 2, bytes: 140 },
      { from: 1, to: 0, bytes: 500 },
      { from: 2, to: 1, bytes: 90 },
    ]);
  });

  it('throws on a schedule that misses a task (a bug, not user input)', () => {
    expect(() => crossingBytes(toy(), sched({ A: 0, B: 1, C: 1 }))).toThrow(/D is not in the schedule/);
  });
});

describe('communication overhead, link load, speedup, gap', () => {
  it('overhead = (method − PipeDream) / total', () => {
    expect(commOverhead(190, 150, 400)).toBe(0.1);
    expect(commOverhead(100, 150, 500)).toBe(-0.1);
    expect(commOverhead(5, 0, 0)).toBe(0);
  });

  it('link load: ceil(bytes / bandwidth) per period; p0→p1 (70 cycles) is above the period 60', () => {
    const m: Machine = { procs: 2, bandwidth: 2, latency: 100 };
    const r = linkLoad(toy(), m, sched({ A: 0, B: 1, C: 1, D: 0 }, 60));
    expect(r.links.map((l) => [l.from, l.to, l.cycles])).toEqual([
      [0, 1, 70],
      [1, 0, 25],
    ]);
    expect(r.maxCycles).toBe(70);
    expect(r.overloaded.map((l) => [l.from, l.to])).toEqual([[0, 1]]);
    // The note now says which link binds (or is overloaded: then validate fails too).
    expect(linkLoadNote(r, 60)).toBe('the link p0→p1 is overloaded: 140 bytes per iteration keep it busy 70 cycles, more than the period 60 (an invalid schedule)');
    const at70 = linkLoad(toy(), m, sched({ A: 0, B: 1, C: 1, D: 0 }, 70));
    expect(at70.overloaded).toEqual([]);
    expect(linkLoadNote(at70, 70)).toBe('the link p0→p1 sets the period: 140 bytes per iteration keep it busy 70 cycles, the whole period');
    expect(linkLoadNote(linkLoad(toy(), m, sched({ A: 0, B: 1, C: 1, D: 0 }, 71)), 71)).toBeNull();
  });

  it('link bound: the busiest ordered pair, ceil(bytes / bandwidth); directions are separate links', () => {
    // p0→p1 140 B, p1→p0 50 B (full duplex: not added). Bandwidth 3: ceil(140/3) = 47.
    const proc = [0, 1, 1, 0];
    expect(linkPeriodBound(toy(), { procs: 2, bandwidth: 3, latency: 0 }, proc)).toBe(47);
    expect(linkPeriodBound(toy(), { procs: 2, bandwidth: 2, latency: 9 }, proc)).toBe(70);
    expect(linkPeriodBound(toy(), { procs: 2, bandwidth: 2, latency: 0 }, [0, 0, 0, 0])).toBe(0);
    expect(linkCycles({ procs: 2, bandwidth: 64, latency: 100 }, 65)).toBe(2);
    expect(linkCycles({ procs: 2, bandwidth: 64, latency: 100 }, 0)).toBe(0);
    // Partial assignment (−1 = unplaced): only tensors with both ends placed count.
    // A on p0, B on p1, C and D unplaced: A's spikes to p1 (100) only.
    expect(linkBytes(toy(), [0, 1, -1, -1])).toEqual({ total: 100, pairs: [{ from: 0, to: 1, bytes: 100 }] });
  });

  it('linkBytes equals a direct count from the definition (random graphs and assignments)', () => {
    const kinds: Edge['data'][] = ['spikes', 'state', 'grad', undefined];
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 7 }).chain((n) =>
          fc.record({
            n: fc.constant(n),
            procs: fc.integer({ min: 1, max: 4 }),
            edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1), fc.integer({ min: 0, max: 50 }), fc.nat(3), fc.nat(2)), { maxLength: 14 }),
            assign: fc.array(fc.nat(3), { minLength: n, maxLength: n }),
            bandwidth: fc.constantFrom(1, 2, 4, 0.5),
          }),
        ),
        ({ n, procs, edges, assign, bandwidth }) => {
          const g: TaskGraph = {
            name: 'rand',
            layers: 0,
            tasks: Array.from({ length: n }, (_, i) => ({ id: `t${i}`, kind: 'task' as const, layer: 0, cycles: 1, gemmCycles: 0, vectorCycles: 1 })),
            edges: edges.map(([a, b, bytes, k, delay]) => ({ from: a, to: b, bytes, delay, data: kinds[k] })),
          };
          const proc = assign.map((p) => p % procs);
          // The definition: per (producer, data, destination processor ≠ the producer's) the
          // largest edge; summed per (producer's processor, destination processor).
          const tensor = new Map<string, number>();
          for (const e of g.edges) {
            if (e.bytes <= 0 || e.from === e.to || proc[e.from] === proc[e.to]) continue;
            const k = `${e.from}|${e.data ?? ''}|${proc[e.to]}`;
            tensor.set(k, Math.max(tensor.get(k) ?? 0, e.bytes));
          }
          const pair = new Map<string, number>();
          let total = 0;
          for (const [k, b] of tensor) {
            const [from, , q] = k.split('|');
            const key = `${proc[Number(from)]}>${q}`;
            pair.set(key, (pair.get(key) ?? 0) + b);
            total += b;
          }
          const got = linkBytes(g, proc);
          expect(got.total).toBe(total);
          expect(Object.fromEntries(got.pairs.map((p) => [`${p.from}>${p.to}`, p.bytes]))).toEqual(Object.fromEntries(pair));
          const m: Machine = { procs, bandwidth, latency: 0 };
          expect(linkPeriodBound(g, m, proc)).toBe(Math.max(0, ...[...pair.values()].map((b) => Math.ceil(b / bandwidth))));
        },
      ),
      { numRuns: 300, seed: 5 },
    );
  });

  it('speedup and gap', () => {
    expect(speedup(300, 200)).toBe(1.5);
    expect(() => speedup(0, 1)).toThrow();
    expect(gapTo(110, 100)).toBeCloseTo(0.1, 12);
    expect(gapTo(0, 0)).toBe(0);
  });
});

describe('total communication of training', () => {
  it('tiny-fc: Σ edge bytes 1360 + 2·(256 + 64) weight read/write = 2000 B', () => {
    // Layer graph edges (T = 2, B = 4, 2 B/value, spikes 1 bit): F1→F2 and F1→Bw2 spikes 8 each;
    // F2→Loss, Loss→Ba1_2 4·4·2 = 32 each; layer 2 state/δI ×3 = 2·4·4·2 = 64 each, ΔW and the two
    // weight loops |W2| = 32 → 64 each; gradient Ba2_2→Ba1_1 2·4·8·2 = 128; layer 1 state, δI 128
    // each, ΔW and the weight loop |W1| = 128 → 256 each. Σ = 16 + 64 + 192 + 192 + 128 + 256 + 512 = 1360.
    expect(trainingCommunication(loadNetwork('tiny-fc'), defaultHardware())).toBe(2000);
  });
});
