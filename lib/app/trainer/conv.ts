/**
 * Conv and pool kernels of the reference trainer over channels-last (HWC) maps: im2col into
 * sparse rows (directly, or from a map compressed per pixel), the conv activation gradient
 * (through a column buffer, or gathered per input pixel), average and max pooling. The dense
 * and sparse-row products they feed are in kernels.ts.
 */
import { type SparseRows, type Vec, spmm, toSparseRows } from './kernels';

/** Geometry of a conv (or pool) over one HWC map. */
export interface ConvGeom {
  H: number;
  W: number;
  C: number;
  kernel: number;
  stride: number;
  padding: number;
  Ho: number;
  Wo: number;
}

/** Output size of a sliding window: floor((n + 2p − k)/s) + 1. */
export function slideOut(n: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((n + 2 * padding - kernel) / stride) + 1;
}

/**
 * im2col of one HWC map x[xOff..] straight into sparse rows: row p = output position
 * (oy·Wo + ox), column (ky·k + kx)·C + c; padding and zeros are simply not stored.
 * O(Ho·Wo·k²·C).
 */
export function im2colSparse(x: Vec, xOff: number, g: ConvGeom, out: SparseRows): SparseRows {
  const { H, W, C, kernel: k, stride: s, padding: pad, Ho, Wo } = g;
  const { ptr, idx, val } = out;
  let nnz = 0;
  let binary = true;
  ptr[0] = 0;
  for (let oy = 0; oy < Ho; oy++) {
    for (let ox = 0; ox < Wo; ox++) {
      for (let ky = 0; ky < k; ky++) {
        const iy = oy * s - pad + ky;
        if (iy < 0 || iy >= H) continue;
        for (let kx = 0; kx < k; kx++) {
          const ix = ox * s - pad + kx;
          if (ix < 0 || ix >= W) continue;
          const xb = xOff + (iy * W + ix) * C;
          const cb = (ky * k + kx) * C;
          for (let c = 0; c < C; c++) {
            const v = x[xb + c];
            if (v !== 0) {
              idx[nnz] = cb + c;
              val[nnz] = v;
              nnz++;
              if (v !== 1) binary = false;
            }
          }
        }
      }
      ptr[oy * Wo + ox + 1] = nnz;
    }
  }
  out.rows = Ho * Wo;
  out.cols = k * k * C;
  out.binary = binary;
  return out;
}

/**
 * im2col from a map already compressed per pixel: `px` holds H·W rows (pixel iy·W + ix) of C
 * columns, i.e. `toSparseRows(x, xOff, H·W, C, px)`. Writes exactly what `im2colSparse` writes
 * (same rows, same column order, so products over it sum in the same order), in O(Ho·Wo·k² +
 * k²·nnz(px)) instead of O(Ho·Wo·k²·C): for spikes, which are mostly zero, this is several
 * times less work.
 */
export function im2colFromPixels(px: SparseRows, g: ConvGeom, out: SparseRows): SparseRows {
  const { H, W, C, kernel: k, stride: s, padding: pad, Ho, Wo } = g;
  const pptr = px.ptr;
  const pidx = px.idx;
  const pval = px.val;
  const binary = px.binary;
  const { ptr, idx, val } = out;
  let nnz = 0;
  ptr[0] = 0;
  for (let oy = 0; oy < Ho; oy++) {
    for (let ox = 0; ox < Wo; ox++) {
      for (let ky = 0; ky < k; ky++) {
        const iy = oy * s - pad + ky;
        if (iy < 0 || iy >= H) continue;
        for (let kx = 0; kx < k; kx++) {
          const ix = ox * s - pad + kx;
          if (ix < 0 || ix >= W) continue;
          const q = iy * W + ix;
          const cb = (ky * k + kx) * C;
          const j1 = pptr[q + 1];
          if (binary) for (let j = pptr[q]; j < j1; j++) idx[nnz++] = cb + pidx[j];
          else {
            for (let j = pptr[q]; j < j1; j++) {
              idx[nnz] = cb + pidx[j];
              val[nnz] = pval[j];
              nnz++;
            }
          }
        }
      }
      ptr[oy * Wo + ox + 1] = nnz;
    }
  }
  out.rows = Ho * Wo;
  out.cols = k * k * C;
  out.binary = binary;
  return out;
}

/** Transpose a K×M row-major matrix into M×K. O(K·M). */
export function transposeDense(A: Vec, K: number, M: number, out: Vec): void {
  for (let k = 0; k < K; k++) {
    const ab = k * M;
    for (let m = 0; m < M; m++) out[m * K + k] = A[ab + m];
  }
}

/**
 * Activation gradient of a conv for one map: gcol = D·Wᵀ as a sparse-row product (row p of
 * D — the M output channels at position p — selects rows of Wm = Wtᵀ, M×K; zeros of D, which
 * max pooling and silent neurons leave many of, cost nothing), then col2im: every column
 * entry (p, (ky·k+kx)·C + c) is added to gx at the input pixel it came from. gx (one HWC map
 * at gOff) is overwritten. `Dcsr` holds Ho·Wo rows × M entries, `gcol` Ho·Wo·K values.
 * O(nnz(D)·K + Ho·Wo·K).
 */
export function convBackwardInput(D: Vec, dOff: number, M: number, Wm: Vec, g: ConvGeom, gx: Vec, gOff: number, Dcsr: SparseRows, gcol: Float64Array): void {
  const { H, W, C, kernel: k, stride: s, padding: pad, Ho, Wo } = g;
  const K = k * k * C;
  toSparseRows(D, dOff, Ho * Wo, M, Dcsr);
  spmm(Dcsr, Wm, K, gcol, 0);
  gx.fill(0, gOff, gOff + H * W * C);
  for (let oy = 0; oy < Ho; oy++) {
    for (let ox = 0; ox < Wo; ox++) {
      const pb = (oy * Wo + ox) * K;
      for (let ky = 0; ky < k; ky++) {
        const iy = oy * s - pad + ky;
        if (iy < 0 || iy >= H) continue;
        for (let kx = 0; kx < k; kx++) {
          const ix = ox * s - pad + kx;
          if (ix < 0 || ix >= W) continue;
          const gb = gOff + (iy * W + ix) * C;
          const cb = pb + (ky * k + kx) * C;
          for (let c = 0; c < C; c++) gx[gb + c] += gcol[cb + c];
        }
      }
    }
  }
}

/**
 * The same activation gradient as `convBackwardInput`, gathered per input pixel instead of
 * scattered through a column buffer: gx[iy,ix][c] = Σ_taps Σ_m D[p][m]·Wm[m][(ky·k+kx)·C + c]
 * over the output positions p = (oy, ox) that read (iy, ix) through tap (ky, kx), with the
 * nonzeros of each D row (compressed once, `Dcsr`) and eight channels accumulated in
 * registers. gx (one HWC map at gOff) is overwritten, once per value: no column buffer, no
 * col2im pass. O(nnz(D)·K + H·W·k²·C/8).
 */
export function convBackwardInputGather(D: Vec, dOff: number, M: number, Wm: Vec, g: ConvGeom, gx: Vec, gOff: number, Dcsr: SparseRows): void {
  const { H, W, C, kernel: k, stride: s, padding: pad, Ho, Wo } = g;
  const K = k * k * C;
  toSparseRows(D, dOff, Ho * Wo, M, Dcsr);
  const { ptr, idx, val } = Dcsr;
  const C8 = C - (C % 8);
  for (let iy = 0; iy < H; iy++) {
    // taps ky with oy = (iy + pad − ky)/s an integer in [0, Ho)
    const kyHi = Math.min(k - 1, iy + pad);
    for (let ix = 0; ix < W; ix++) {
      const kxHi = Math.min(k - 1, ix + pad);
      const gb = gOff + (iy * W + ix) * C;
      for (let c = 0; c < C8; c += 8) {
        let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
        for (let ky = kyHi; ky >= 0; ky--) {
          const ny = iy + pad - ky;
          const oy = (ny / s) | 0;
          if (oy * s !== ny || oy >= Ho) continue;
          for (let kx = kxHi; kx >= 0; kx--) {
            const nx = ix + pad - kx;
            const ox = (nx / s) | 0;
            if (ox * s !== nx || ox >= Wo) continue;
            const p = oy * Wo + ox;
            const tb = (ky * k + kx) * C + c;
            for (let j = ptr[p], j1 = ptr[p + 1]; j < j1; j++) {
              const v = val[j];
              const w = idx[j] * K + tb;
              a0 += v * Wm[w]; a1 += v * Wm[w + 1]; a2 += v * Wm[w + 2]; a3 += v * Wm[w + 3];
              a4 += v * Wm[w + 4]; a5 += v * Wm[w + 5]; a6 += v * Wm[w + 6]; a7 += v * Wm[w + 7];
            }
          }
        }
        gx[gb + c] = a0; gx[gb + c + 1] = a1; gx[gb + c + 2] = a2; gx[gb + c + 3] = a3;
        gx[gb + c + 4] = a4; gx[gb + c + 5] = a5; gx[gb + c + 6] = a6; gx[gb + c + 7] = a7;
      }
      for (let c = C8; c < C; c++) {
        let a = 0;
        for (let ky = kyHi; ky >= 0; ky--) {
          const ny = iy + pad - ky;
          const oy = (ny / s) | 0;
          if (oy * s !== ny || oy >= Ho) continue;
          for (let kx = kxHi; kx >= 0; kx--) {
            const nx = ix + pad - kx;
            const ox = (nx / s) | 0;
            if (ox * s !== nx || ox >= Wo) continue;
            const p = oy * Wo + ox;
            const tb = (ky * k + kx) * C + c;
            for (let j = ptr[p], j1 = ptr[p + 1]; j < j1; j++) a += val[j] * Wm[idx[j] * K + tb];
          }
        }
        gx[gb + c] = a;
      }
    }
  }
}

/** Average pooling of one HWC map (padding 0). O(Ho·Wo·k²·C). */
export function avgPoolForward(x: Vec, xOff: number, g: ConvGeom, y: Vec, yOff: number): void {
  const { W, C, kernel: k, stride: s, Ho, Wo } = g;
  const inv = 1 / (k * k);
  for (let oy = 0; oy < Ho; oy++) {
    for (let ox = 0; ox < Wo; ox++) {
      const yb = yOff + (oy * Wo + ox) * C;
      for (let c = 0; c < C; c++) {
        let a = 0;
        for (let ky = 0; ky < k; ky++) {
          const xb = xOff + ((oy * s + ky) * W + ox * s) * C + c;
          for (let kx = 0; kx < k; kx++) a += x[xb + kx * C];
        }
        y[yb + c] = a * inv;
      }
    }
  }
}

/** Gradient of avgPoolForward: gx (overwritten) receives gy/k² at every window tap. */
export function avgPoolBackward(gy: Vec, yOff: number, g: ConvGeom, gx: Vec, xOff: number): void {
  const { H, W, C, kernel: k, stride: s, Ho, Wo } = g;
  const inv = 1 / (k * k);
  gx.fill(0, xOff, xOff + H * W * C);
  for (let oy = 0; oy < Ho; oy++) {
    for (let ox = 0; ox < Wo; ox++) {
      const yb = yOff + (oy * Wo + ox) * C;
      for (let c = 0; c < C; c++) {
        const v = gy[yb + c] * inv;
        for (let ky = 0; ky < k; ky++) {
          const xb = xOff + ((oy * s + ky) * W + ox * s) * C + c;
          for (let kx = 0; kx < k; kx++) gx[xb + kx * C] += v;
        }
      }
    }
  }
}

/**
 * Max pooling of one HWC map; `arg` receives, per output value, the offset (relative to
 * xOff) of the first maximum in scan order — the element the gradient is routed to.
 */
export function maxPoolForward(x: Vec, xOff: number, g: ConvGeom, y: Vec, yOff: number, arg: Int32Array, aOff: number): void {
  const { W, C, kernel: k, stride: s, Ho, Wo } = g;
  if (k === 2 && s === 2) {
    // The common 2×2 / 2 pool unrolled: same scan order (row-major taps), same first maximum.
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        const yb = (oy * Wo + ox) * C;
        const o0 = (2 * oy * W + 2 * ox) * C;
        const o2 = o0 + W * C;
        for (let c = 0; c < C; c++) {
          const a = o0 + c;
          const b = a + C;
          const d = o2 + c;
          const e = d + C;
          let best = x[xOff + a];
          let at = a;
          if (!(best >= -Infinity)) best = -Infinity; // NaN never wins, as in the general loop
          let v = x[xOff + b];
          if (v > best) (best = v), (at = b);
          v = x[xOff + d];
          if (v > best) (best = v), (at = d);
          v = x[xOff + e];
          if (v > best) (best = v), (at = e);
          y[yOff + yb + c] = best;
          arg[aOff + yb + c] = at;
        }
      }
    }
    return;
  }
  for (let oy = 0; oy < Ho; oy++) {
    for (let ox = 0; ox < Wo; ox++) {
      const yb = (oy * Wo + ox) * C;
      for (let c = 0; c < C; c++) {
        let best = -Infinity;
        let at = 0;
        for (let ky = 0; ky < k; ky++) {
          for (let kx = 0; kx < k; kx++) {
            const o = ((oy * s + ky) * W + ox * s + kx) * C + c;
            const v = x[xOff + o];
            if (v > best) {
              best = v;
              at = o;
            }
          }
        }
        y[yOff + yb + c] = best;
        arg[aOff + yb + c] = at;
      }
    }
  }
}

/** Gradient of maxPoolForward: gx (overwritten) receives gy at the recorded maxima. */
export function maxPoolBackward(gy: Vec, yOff: number, g: ConvGeom, arg: Int32Array, aOff: number, gx: Vec, xOff: number): void {
  const { H, W, C, Ho, Wo } = g;
  gx.fill(0, xOff, xOff + H * W * C);
  const n = Ho * Wo * C;
  for (let i = 0; i < n; i++) gx[xOff + arg[aOff + i]] += gy[yOff + i];
}
