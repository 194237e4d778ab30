/**
 * Seeded pseudo-random numbers for the trainer and the data splits. Everything random in the
 * trainer (initial weights, shuffling, splits, synthetic data) draws from one of these, so
 * the same seed gives the same bytes on every run and machine.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's small fast counting generator, 128-bit state,
 * passes PractRand to large sizes), seeded through splitmix32 so that nearby seeds give
 * unrelated streams. All arithmetic is 32-bit integer (`| 0`, `>>> 0`, Math.imul), which JS
 * engines evaluate identically everywhere.
 */

export interface Rng {
  /** Uniform unsigned 32-bit integer. */
  uint32(): number;
  /** Uniform in [0, 1) with 32 random bits. */
  next(): number;
  /** Uniform integer in [0, n), unbiased (rejection sampling); n ≤ 2^32. */
  int(n: number): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Standard normal (Box–Muller, one value per call). */
  normal(): number;
}

/** splitmix32 step: a good 32-bit mixer, used to expand a seed into generator state. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A generator for `seed` (any finite number; non-integers and values beyond 32 bits are
 * folded in, so `createRng(1.5)` and `createRng(1)` differ). `stream` names an independent
 * sub-stream: `createRng(seed, 'init')` and `createRng(seed, 'shuffle')` do not overlap in
 * any practical sense.
 */
export function createRng(seed: number, stream = ''): Rng {
  const st = { s: foldSeed(seed, stream) };
  let a = splitmix32(st);
  let b = splitmix32(st);
  let c = splitmix32(st);
  let d = 1;
  const uint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) uint32(); // warm up: sfc32's first outputs are correlated with the seed
  let spare: number | null = null;
  const rng: Rng = {
    uint32,
    next: () => uint32() / 4294967296,
    int(n: number): number {
      if (!(n >= 1 && n <= 4294967296)) throw new RangeError(`rng.int: bad range ${n}`);
      // Reject the top partial block so every residue is equally likely.
      const limit = 4294967296 - (4294967296 % n);
      for (;;) {
        const x = uint32();
        if (x < limit) return x % n;
      }
    },
    uniform: (lo: number, hi: number) => lo + (hi - lo) * (uint32() / 4294967296),
    normal(): number {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      let u = 0;
      while (u === 0) u = uint32() / 4294967296;
      const v = uint32() / 4294967296;
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
  return rng;
}

/** Fold a numeric seed and a stream name into one 32-bit value (FNV-1a over both). */
function foldSeed(seed: number, stream: string): number {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  let h = 0x811c9dc5;
  const mix = (byte: number): void => {
    h = Math.imul(h ^ (byte & 0xff), 0x01000193);
  };
  const f = new Float64Array([seed]);
  for (const byte of new Uint8Array(f.buffer)) mix(byte);
  for (let i = 0; i < stream.length; i++) {
    const c = stream.charCodeAt(i);
    mix(c);
    mix(c >>> 8);
  }
  return h | 0;
}

/** Fisher–Yates shuffle in place; O(n). */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(arr: T, rng: Rng): T {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = arr[i];
    arr[i] = arr[j];
    arr[j] = t;
  }
  return arr;
}

/** A seeded random permutation of 0..n−1. */
export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return shuffleInPlace(p, rng);
}
