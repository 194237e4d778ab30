/**
 * The trainer's float32 products in WebAssembly SIMD (AssemblyScript; compiled by
 * `npm run build:wasm` into dist/wasm/trainer-kernels.wasm, loaded by ./index.ts).
 *
 * Every array is a byte offset into this module's memory; matrices are row-major float32,
 * sparse rows are (ptr: i32[rows+1], idx: i32[nnz], val: f32[nnz]) as in ../kernels.ts.
 * The inner loops run over 16 output columns at a time in four f32x4 registers, with a scalar
 * tail, so any width works; arithmetic is plain IEEE f32 (no fused multiply-add), so results
 * are the same on every machine. The JavaScript kernels in ../kernels.ts and ../conv.ts are
 * the reference (float64) these are tested against.
 */

/** Bump allocation (runtime stub): the host asks once for every buffer it needs. */
export function alloc(bytes: i32): usize {
  return heap.alloc(<usize>bytes);
}

/**
 * Y[r] = Σ_j val_j · Wt[idx_j] for the rows r of a sparse matrix (written, or added to with
 * `accumulate`); binary rows skip the multiply. Wt is K×M, Y rows×M. O(nnz·M).
 */
export function spmm(ptr: usize, idx: usize, val: usize, rows: i32, binary: i32, Wt: usize, M: i32, Y: usize, accumulate: i32): void {
  const M16 = M & ~15;
  const rowBytes = <usize>M << 2;
  for (let r = 0; r < rows; r++) {
    const j0 = load<i32>(ptr + (<usize>r << 2));
    const j1 = load<i32>(ptr + (<usize>(r + 1) << 2));
    const yb = Y + <usize>r * rowBytes;
    for (let m = 0; m < M16; m += 16) {
      const yo = yb + (<usize>m << 2);
      let a0 = f32x4.splat(0);
      let a1 = a0;
      let a2 = a0;
      let a3 = a0;
      if (accumulate) {
        a0 = v128.load(yo);
        a1 = v128.load(yo, 16);
        a2 = v128.load(yo, 32);
        a3 = v128.load(yo, 48);
      }
      const wm = Wt + (<usize>m << 2);
      if (binary) {
        for (let j = j0; j < j1; j++) {
          const w = wm + <usize>load<i32>(idx + (<usize>j << 2)) * rowBytes;
          a0 = f32x4.add(a0, v128.load(w));
          a1 = f32x4.add(a1, v128.load(w, 16));
          a2 = f32x4.add(a2, v128.load(w, 32));
          a3 = f32x4.add(a3, v128.load(w, 48));
        }
      } else {
        for (let j = j0; j < j1; j++) {
          const w = wm + <usize>load<i32>(idx + (<usize>j << 2)) * rowBytes;
          const v = f32x4.splat(load<f32>(val + (<usize>j << 2)));
          a0 = f32x4.add(a0, f32x4.mul(v, v128.load(w)));
          a1 = f32x4.add(a1, f32x4.mul(v, v128.load(w, 16)));
          a2 = f32x4.add(a2, f32x4.mul(v, v128.load(w, 32)));
          a3 = f32x4.add(a3, f32x4.mul(v, v128.load(w, 48)));
        }
      }
      v128.store(yo, a0);
      v128.store(yo, a1, 16);
      v128.store(yo, a2, 32);
      v128.store(yo, a3, 48);
    }
    for (let m = M16; m < M; m++) {
      const yo = yb + (<usize>m << 2);
      let a: f32 = accumulate ? load<f32>(yo) : 0;
      const wm = Wt + (<usize>m << 2);
      for (let j = j0; j < j1; j++) {
        const w = load<f32>(wm + <usize>load<i32>(idx + (<usize>j << 2)) * rowBytes);
        a += binary ? w : load<f32>(val + (<usize>j << 2)) * w;
      }
      store<f32>(yo, a);
    }
  }
}

/**
 * The weight gradient as a scatter: dWt[idx_j] += val_j · D[r] for every stored (r, j) of the
 * sparse input rows (D is rows×M, dWt K×M, accumulated). It reads the im2col rows as the
 * forward wrote them, so no transpose is needed. O(nnz·M).
 */
export function spmmScatter(ptr: usize, idx: usize, val: usize, rows: i32, binary: i32, D: usize, M: i32, dWt: usize): void {
  const M16 = M & ~15;
  const rowBytes = <usize>M << 2;
  for (let r = 0; r < rows; r++) {
    const j0 = load<i32>(ptr + (<usize>r << 2));
    const j1 = load<i32>(ptr + (<usize>(r + 1) << 2));
    if (j0 === j1) continue;
    const db = D + <usize>r * rowBytes;
    for (let m = 0; m < M16; m += 16) {
      const dm = db + (<usize>m << 2);
      const d0 = v128.load(dm);
      const d1 = v128.load(dm, 16);
      const d2 = v128.load(dm, 32);
      const d3 = v128.load(dm, 48);
      const wm = dWt + (<usize>m << 2);
      for (let j = j0; j < j1; j++) {
        const w = wm + <usize>load<i32>(idx + (<usize>j << 2)) * rowBytes;
        if (binary) {
          v128.store(w, f32x4.add(v128.load(w), d0));
          v128.store(w, f32x4.add(v128.load(w, 16), d1), 16);
          v128.store(w, f32x4.add(v128.load(w, 32), d2), 32);
          v128.store(w, f32x4.add(v128.load(w, 48), d3), 48);
        } else {
          const v = f32x4.splat(load<f32>(val + (<usize>j << 2)));
          v128.store(w, f32x4.add(v128.load(w), f32x4.mul(v, d0)));
          v128.store(w, f32x4.add(v128.load(w, 16), f32x4.mul(v, d1)), 16);
          v128.store(w, f32x4.add(v128.load(w, 32), f32x4.mul(v, d2)), 32);
          v128.store(w, f32x4.add(v128.load(w, 48), f32x4.mul(v, d3)), 48);
        }
      }
    }
    for (let m = M16; m < M; m++) {
      const d = load<f32>(db + (<usize>m << 2));
      const wm = dWt + (<usize>m << 2);
      for (let j = j0; j < j1; j++) {
        const w = wm + <usize>load<i32>(idx + (<usize>j << 2)) * rowBytes;
        store<f32>(w, load<f32>(w) + (binary ? d : load<f32>(val + (<usize>j << 2)) * d));
      }
    }
  }
}

/**
 * Conv activation gradient gathered per input pixel (as ../conv.ts convBackwardInputGather):
 * gx[iy,ix][c] = Σ_taps Σ_j val_j · Wm[idx_j][(ky·k+kx)·C + c] over the output positions
 * (oy, ox) that read (iy, ix) through tap (ky, kx); D's rows (Ho·Wo of them, M columns) are
 * sparse, Wm is M×K with K = k²·C, gx (H·W·C) is overwritten. O(nnz(D)·K).
 */
export function convGather(
  ptr: usize, idx: usize, val: usize,
  H: i32, W: i32, C: i32, k: i32, s: i32, pad: i32, Ho: i32, Wo: i32,
  Wm: usize, gx: usize,
): void {
  const K = k * k * C;
  const KBytes = <usize>K << 2;
  const C16 = C & ~15;
  for (let iy = 0; iy < H; iy++) {
    const kyHi = min(k - 1, iy + pad);
    for (let ix = 0; ix < W; ix++) {
      const kxHi = min(k - 1, ix + pad);
      const gb = gx + (<usize>((iy * W + ix) * C) << 2);
      for (let c = 0; c < C16; c += 16) {
        let a0 = f32x4.splat(0);
        let a1 = a0;
        let a2 = a0;
        let a3 = a0;
        for (let ky = kyHi; ky >= 0; ky--) {
          const ny = iy + pad - ky;
          const oy = ny / s;
          if (oy * s !== ny || oy >= Ho) continue;
          for (let kx = kxHi; kx >= 0; kx--) {
            const nx = ix + pad - kx;
            const ox = nx / s;
            if (ox * s !== nx || ox >= Wo) continue;
            const p = oy * Wo + ox;
            const tb = Wm + (<usize>((ky * k + kx) * C + c) << 2);
            const j1 = load<i32>(ptr + (<usize>(p + 1) << 2));
            for (let j = load<i32>(ptr + (<usize>p << 2)); j < j1; j++) {
              const v = f32x4.splat(load<f32>(val + (<usize>j << 2)));
              const w = tb + <usize>load<i32>(idx + (<usize>j << 2)) * KBytes;
              a0 = f32x4.add(a0, f32x4.mul(v, v128.load(w)));
              a1 = f32x4.add(a1, f32x4.mul(v, v128.load(w, 16)));
              a2 = f32x4.add(a2, f32x4.mul(v, v128.load(w, 32)));
              a3 = f32x4.add(a3, f32x4.mul(v, v128.load(w, 48)));
            }
          }
        }
        const go = gb + (<usize>c << 2);
        v128.store(go, a0);
        v128.store(go, a1, 16);
        v128.store(go, a2, 32);
        v128.store(go, a3, 48);
      }
      for (let c = C16; c < C; c++) {
        let a: f32 = 0;
        for (let ky = kyHi; ky >= 0; ky--) {
          const ny = iy + pad - ky;
          const oy = ny / s;
          if (oy * s !== ny || oy >= Ho) continue;
          for (let kx = kxHi; kx >= 0; kx--) {
            const nx = ix + pad - kx;
            const ox = nx / s;
            if (ox * s !== nx || ox >= Wo) continue;
            const p = oy * Wo + ox;
            const tb = Wm + (<usize>((ky * k + kx) * C + c) << 2);
            const j1 = load<i32>(ptr + (<usize>(p + 1) << 2));
            for (let j = load<i32>(ptr + (<usize>p << 2)); j < j1; j++) {
              a += load<f32>(val + (<usize>j << 2)) * load<f32>(tb + <usize>load<i32>(idx + (<usize>j << 2)) * KBytes);
            }
          }
        }
        store<f32>(gb + (<usize>c << 2), a);
      }
    }
  }
}

/**
 * Dense activation gradient of an FC layer: G[r][k] = Σ_m D[r][m] · Wt[k][m] (D rows×M, Wt
 * K×M, G rows×K overwritten), four k at a time over f32x4 lanes of m. O(rows·K·M).
 */
export function denseBackward(D: usize, rows: i32, M: i32, Wt: usize, K: i32, G: usize): void {
  const M4 = M & ~3;
  const K4 = K & ~3;
  const rowBytes = <usize>M << 2;
  for (let r = 0; r < rows; r++) {
    const db = D + <usize>r * rowBytes;
    const gb = G + (<usize>(r * K) << 2);
    for (let k = 0; k < K4; k += 4) {
      const w0 = Wt + <usize>k * rowBytes;
      const w1 = w0 + rowBytes;
      const w2 = w1 + rowBytes;
      const w3 = w2 + rowBytes;
      let a0 = f32x4.splat(0);
      let a1 = a0;
      let a2 = a0;
      let a3 = a0;
      for (let m = 0; m < M4; m += 4) {
        const o = <usize>m << 2;
        const d = v128.load(db + o);
        a0 = f32x4.add(a0, f32x4.mul(d, v128.load(w0 + o)));
        a1 = f32x4.add(a1, f32x4.mul(d, v128.load(w1 + o)));
        a2 = f32x4.add(a2, f32x4.mul(d, v128.load(w2 + o)));
        a3 = f32x4.add(a3, f32x4.mul(d, v128.load(w3 + o)));
      }
      let s0 = f32x4.extract_lane(a0, 0) + f32x4.extract_lane(a0, 1) + f32x4.extract_lane(a0, 2) + f32x4.extract_lane(a0, 3);
      let s1 = f32x4.extract_lane(a1, 0) + f32x4.extract_lane(a1, 1) + f32x4.extract_lane(a1, 2) + f32x4.extract_lane(a1, 3);
      let s2 = f32x4.extract_lane(a2, 0) + f32x4.extract_lane(a2, 1) + f32x4.extract_lane(a2, 2) + f32x4.extract_lane(a2, 3);
      let s3 = f32x4.extract_lane(a3, 0) + f32x4.extract_lane(a3, 1) + f32x4.extract_lane(a3, 2) + f32x4.extract_lane(a3, 3);
      for (let m = M4; m < M; m++) {
        const o = <usize>m << 2;
        const d = load<f32>(db + o);
        s0 += d * load<f32>(w0 + o);
        s1 += d * load<f32>(w1 + o);
        s2 += d * load<f32>(w2 + o);
        s3 += d * load<f32>(w3 + o);
      }
      const go = gb + (<usize>k << 2);
      store<f32>(go, s0);
      store<f32>(go, s1, 4);
      store<f32>(go, s2, 8);
      store<f32>(go, s3, 12);
    }
    for (let k = K4; k < K; k++) {
      const w = Wt + <usize>k * rowBytes;
      let a: f32 = 0;
      for (let m = 0; m < M; m++) a += load<f32>(db + (<usize>m << 2)) * load<f32>(w + (<usize>m << 2));
      store<f32>(gb + (<usize>k << 2), a);
    }
  }
}

/**
 * LIF forward of the default neuron (Heaviside spikes; soft reset with th = θ, or none with
 * th = 0) over `rows` samples and T steps of n neurons, in float64 arithmetic exactly as
 * ../neuron.ts lifForward does it (same operations in the same order, u rounded to float32
 * when stored, the spike read from the stored u), two neurons per f64x2 lane pair and two
 * pairs at a time: bit for bit the JavaScript result. I is float32 [rows][n] when static,
 * else [rows][T][n]; u and s are float32 [rows][T][n]. O(rows·T·n).
 */
export function lifForward(I: usize, staticInput: i32, rows: i32, T: i32, n: i32, alpha: f64, beta: f64, theta: f64, th: f64, u: usize, s: usize): void {
  const av = f64x2.splat(alpha);
  const bv = f64x2.splat(beta);
  const tv = f64x2.splat(theta);
  const hv = f64x2.splat(th);
  const one = f64x2.splat(1);
  const n4 = n & ~3;
  const step = <usize>n << 2;
  for (let b = 0; b < rows; b++) {
    const c0 = <usize>(b * T * n) << 2;
    const i0 = staticInput ? <usize>(b * n) << 2 : c0;
    for (let i = 0; i < n4; i += 4) {
      let ib = I + i0 + (<usize>i << 2);
      let o = c0 + (<usize>i << 2);
      let v0 = f64x2.mul(bv, f64x2.promote_low_f32x4(v128.load64_zero(ib)));
      let v1 = f64x2.mul(bv, f64x2.promote_low_f32x4(v128.load64_zero(ib, 8)));
      let w0 = f32x4.demote_f64x2_zero(v0);
      let w1 = f32x4.demote_f64x2_zero(v1);
      v128.store64_lane(u + o, w0, 0);
      v128.store64_lane(u + o, w1, 0, 8);
      let u0 = f64x2.promote_low_f32x4(w0);
      let u1 = f64x2.promote_low_f32x4(w1);
      let s0 = v128.and(f64x2.ge(u0, tv), one);
      let s1 = v128.and(f64x2.ge(u1, tv), one);
      v128.store64_lane(s + o, f32x4.demote_f64x2_zero(s0), 0);
      v128.store64_lane(s + o, f32x4.demote_f64x2_zero(s1), 0, 8);
      for (let t = 1; t < T; t++) {
        o += step;
        if (!staticInput) ib += step;
        v0 = f64x2.sub(f64x2.add(f64x2.mul(av, u0), f64x2.mul(bv, f64x2.promote_low_f32x4(v128.load64_zero(ib)))), f64x2.mul(hv, s0));
        v1 = f64x2.sub(f64x2.add(f64x2.mul(av, u1), f64x2.mul(bv, f64x2.promote_low_f32x4(v128.load64_zero(ib, 8)))), f64x2.mul(hv, s1));
        w0 = f32x4.demote_f64x2_zero(v0);
        w1 = f32x4.demote_f64x2_zero(v1);
        v128.store64_lane(u + o, w0, 0);
        v128.store64_lane(u + o, w1, 0, 8);
        u0 = f64x2.promote_low_f32x4(w0);
        u1 = f64x2.promote_low_f32x4(w1);
        s0 = v128.and(f64x2.ge(u0, tv), one);
        s1 = v128.and(f64x2.ge(u1, tv), one);
        v128.store64_lane(s + o, f32x4.demote_f64x2_zero(s0), 0);
        v128.store64_lane(s + o, f32x4.demote_f64x2_zero(s1), 0, 8);
      }
    }
    for (let i = n4; i < n; i++) {
      let ib = I + i0 + (<usize>i << 2);
      let o = c0 + (<usize>i << 2);
      let up = <f64><f32>(beta * <f64>load<f32>(ib));
      store<f32>(u + o, <f32>up);
      let sp: f64 = up >= theta ? 1 : 0;
      store<f32>(s + o, <f32>sp);
      for (let t = 1; t < T; t++) {
        o += step;
        if (!staticInput) ib += step;
        up = <f64><f32>(alpha * up + beta * <f64>load<f32>(ib) - th * sp);
        store<f32>(u + o, <f32>up);
        sp = up >= theta ? 1 : 0;
        store<f32>(s + o, <f32>sp);
      }
    }
  }
}

/**
 * 2×2, stride-2 max pooling (no padding) of `maps` HWC maps of H×W×C at x (float32, C a
 * multiple of 4), as ../conv.ts maxPoolForward does it: y gets the maximum, arg the offset
 * (relative to the map) of the first maximum in tap order (row-major), a NaN never wins. Four
 * channels per f32x4. y and arg are maps of (H/2)×(W/2)×C.
 */
export function maxPool2(x: usize, maps: i32, H: i32, W: i32, C: i32, y: usize, arg: usize): void {
  const Ho = H >> 1;
  const Wo = W >> 1;
  const inMap = <usize>(H * W * C) << 2;
  const outMap = <usize>(Ho * Wo * C) << 2;
  const ninf = f32x4.splat(-Infinity);
  const lanes = i32x4(0, 1, 2, 3);
  for (let r = 0; r < maps; r++) {
    const xb = x + <usize>r * inMap;
    const yb = y + <usize>r * outMap;
    const ab = arg + <usize>r * outMap;
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        const o0 = (2 * oy * W + 2 * ox) * C;
        const o2 = o0 + W * C;
        const yo = (oy * Wo + ox) * C;
        for (let c = 0; c < C; c += 4) {
          const a = o0 + c;
          const b = a + C;
          const d = o2 + c;
          const e = d + C;
          let best = v128.load(xb + (<usize>a << 2));
          // NaN never wins: a NaN first tap starts at −∞
          best = v128.bitselect(best, ninf, f32x4.eq(best, best));
          let at = i32x4.add(i32x4.splat(a), lanes);
          let v = v128.load(xb + (<usize>b << 2));
          let m = f32x4.gt(v, best);
          best = v128.bitselect(v, best, m);
          at = v128.bitselect(i32x4.add(i32x4.splat(b), lanes), at, m);
          v = v128.load(xb + (<usize>d << 2));
          m = f32x4.gt(v, best);
          best = v128.bitselect(v, best, m);
          at = v128.bitselect(i32x4.add(i32x4.splat(d), lanes), at, m);
          v = v128.load(xb + (<usize>e << 2));
          m = f32x4.gt(v, best);
          best = v128.bitselect(v, best, m);
          at = v128.bitselect(i32x4.add(i32x4.splat(e), lanes), at, m);
          v128.store(yb + (<usize>(yo + c) << 2), best);
          v128.store(ab + (<usize>(yo + c) << 2), at);
        }
      }
    }
  }
}

/**
 * LIF backward of the default neuron (fast-sigmoid surrogate of slope k, reset detached or
 * none), as ../neuron.ts lifBackward's fast path does it, bit for bit: per neuron, from t = T−1
 * down, h = σ'·g where g ≠ 0 (else 0), e = h + α·e_{t+1} where g ≠ 0, else α·e_{t+1} where
 * e_{t+1} ≠ 0, else 0; δI_t = β·e (static input: summed over t from T−1 down), δH_t = β·h
 * (when dH ≠ 0). g, dI, dH float64, u float32; two neurons per f64x2. O(rows·T·n).
 */
export function lifBackward(g: usize, u: usize, staticInput: i32, rows: i32, T: i32, n: i32, alpha: f64, beta: f64, theta: f64, k: f64, dI: usize, dH: usize): void {
  const av = f64x2.splat(alpha);
  const bv = f64x2.splat(beta);
  const tv = f64x2.splat(theta);
  const kv = f64x2.splat(k);
  const one = f64x2.splat(1);
  const zero = f64x2.splat(0);
  const n2 = n & ~1;
  for (let b = 0; b < rows; b++) {
    const c0 = b * T * n;
    for (let i = 0; i < n2; i += 2) {
      let en = zero;
      let acc = zero;
      for (let t = T - 1; t >= 0; t--) {
        const cur = <usize>(c0 + t * n + i);
        const gi = v128.load(g + (cur << 3));
        const ui = f64x2.promote_low_f32x4(v128.load64_zero(u + (cur << 2)));
        const d = f64x2.add(f64x2.mul(kv, f64x2.abs(f64x2.sub(ui, tv))), one);
        const gz = f64x2.ne(gi, zero);
        const h = v128.bitselect(f64x2.mul(f64x2.div(one, f64x2.mul(d, d)), gi), zero, gz);
        const ae = f64x2.mul(av, en);
        const e = v128.bitselect(f64x2.add(h, ae), v128.bitselect(ae, zero, f64x2.ne(en, zero)), gz);
        en = e;
        if (staticInput) acc = f64x2.add(acc, f64x2.mul(bv, e));
        else v128.store(dI + (cur << 3), f64x2.mul(bv, e));
        if (dH) v128.store(dH + (cur << 3), f64x2.mul(bv, h));
      }
      if (staticInput) v128.store(dI + (<usize>(b * n + i) << 3), acc);
    }
    for (let i = n2; i < n; i++) {
      let en: f64 = 0;
      let acc: f64 = 0;
      for (let t = T - 1; t >= 0; t--) {
        const cur = <usize>(c0 + t * n + i);
        const gi = load<f64>(g + (cur << 3));
        let e: f64 = 0;
        let h: f64 = 0;
        if (gi != 0) {
          const d = k * Math.abs(<f64>load<f32>(u + (cur << 2)) - theta) + 1;
          h = (1 / (d * d)) * gi;
          e = h + alpha * en;
        } else if (en != 0) e = alpha * en;
        en = e;
        if (staticInput) acc += beta * e;
        else store<f64>(dI + (cur << 3), beta * e);
        if (dH) store<f64>(dH + (cur << 3), beta * h);
      }
      if (staticInput) store<f64>(dI + (<usize>(b * n + i) << 3), acc);
    }
  }
}
