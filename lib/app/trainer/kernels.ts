/**
 * Numeric kernels of the reference trainer over flat typed arrays.
 *
 * Layout conventions (all row-major):
 * - A weight matrix is stored transposed, `Wt[k][m]` (K inputs × M outputs), so that each of
 *   the three products touches contiguous memory: forward `y = Σ_k x_k·Wt[k]` (a spike selects
 *   a row of Wt and adds it), the weight gradient `dWt[k] = Σ_rows x_k·δ` (the same sparse-row
 *   product on the transposed input), and the activation gradient `g_k = Wt[k]·δ` (a dot
 *   product of two contiguous rows).
 * - Feature maps are channels-last (HWC), so an im2col row of a conv is the same kind of
 *   object as an FC input row, and `flatten` is free.
 *
 * Inputs of the forward and weight-gradient products are first compressed to sparse rows
 * (CSR): spikes are mostly zero, and when every stored value is exactly 1 (binary spikes) the
 * forward product is additions only. FC activation gradients are dense (the surrogate is never
 * exactly zero for fast-sigmoid and arctan), so that product is a register-blocked dense GEMM;
 * a conv's is a sparse-row product too, since max pooling routes gradient to few positions.
 *
 * Every kernel takes `Vec` = Float32Array | Float64Array. Weights, membranes and spikes are
 * float32 in training; GEMM outputs, gradients and accumulators are float64 (V8 converts
 * every float32 load/store to double, so read-modify-write float64 buffers are about 1.5×
 * faster, and sums are more exact). The finite-difference checks run the same code with
 * everything float64.
 */

export type Vec = Float32Array | Float64Array;

/** Rows of a matrix with the zeros left out (CSR). `val` is unused when `binary`. */
export interface SparseRows {
  rows: number;
  cols: number;
  /** rows + 1 offsets into idx/val. */
  ptr: Int32Array;
  idx: Int32Array;
  val: Vec;
  /** True when every stored value is exactly 1 (binary spikes): products need no multiply. */
  binary: boolean;
}

/** Sparse-row storage for up to `maxRows` rows (pointers) and `capacity` stored entries. */
export function allocSparseRows(maxRows: number, capacity: number, Ctor: Float32ArrayConstructor | Float64ArrayConstructor): SparseRows {
  return { rows: 0, cols: 0, ptr: new Int32Array(maxRows + 1), idx: new Int32Array(capacity), val: new Ctor(capacity), binary: true };
}

/** Compress `rows` dense rows of `cols` values starting at x[off] into `out`. O(rows·cols). */
export function toSparseRows(x: Vec, off: number, rows: number, cols: number, out: SparseRows): SparseRows {
  const { ptr, idx, val } = out;
  let nnz = 0;
  let binary = true;
  ptr[0] = 0;
  for (let r = 0; r < rows; r++) {
    const base = off + r * cols;
    for (let c = 0; c < cols; c++) {
      const v = x[base + c];
      if (v !== 0) {
        idx[nnz] = c;
        val[nnz] = v;
        nnz++;
        if (v !== 1) binary = false;
      }
    }
    ptr[r + 1] = nnz;
  }
  out.rows = rows;
  out.cols = cols;
  out.binary = binary;
  return out;
}

/**
 * Product of sparse rows with a dense matrix: `Y[r] = Σ_j val_j · Wt[idx_j]` for every row r
 * of S (Y rows of M values at Y[yOff + r·M]; written, or added to with `accumulate`). Binary
 * rows add the selected rows of Wt without a multiply. The output row is accumulated in
 * registers eight columns at a time, so Y is touched once per row. O(nnz·M).
 * Used for the forward product (S = input spikes, Wt = weights) and, with S transposed, for
 * the weight gradient (S = inputᵀ, Wt = δ rows).
 */
export function spmm(S: SparseRows, Wt: Vec, M: number, Y: Vec, yOff: number, accumulate = false): void {
  const { ptr, idx, val, binary } = S;
  const M8 = M - (M % 8);
  for (let r = 0; r < S.rows; r++) {
    const j0 = ptr[r];
    const j1 = ptr[r + 1];
    const yb = yOff + r * M;
    for (let m = 0; m < M8; m += 8) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
      if (binary) {
        for (let j = j0; j < j1; j++) {
          const w = idx[j] * M + m;
          a0 += Wt[w]; a1 += Wt[w + 1]; a2 += Wt[w + 2]; a3 += Wt[w + 3];
          a4 += Wt[w + 4]; a5 += Wt[w + 5]; a6 += Wt[w + 6]; a7 += Wt[w + 7];
        }
      } else {
        for (let j = j0; j < j1; j++) {
          const w = idx[j] * M + m;
          const v = val[j];
          a0 += v * Wt[w]; a1 += v * Wt[w + 1]; a2 += v * Wt[w + 2]; a3 += v * Wt[w + 3];
          a4 += v * Wt[w + 4]; a5 += v * Wt[w + 5]; a6 += v * Wt[w + 6]; a7 += v * Wt[w + 7];
        }
      }
      if (accumulate) {
        Y[yb + m] += a0; Y[yb + m + 1] += a1; Y[yb + m + 2] += a2; Y[yb + m + 3] += a3;
        Y[yb + m + 4] += a4; Y[yb + m + 5] += a5; Y[yb + m + 6] += a6; Y[yb + m + 7] += a7;
      } else {
        Y[yb + m] = a0; Y[yb + m + 1] = a1; Y[yb + m + 2] = a2; Y[yb + m + 3] = a3;
        Y[yb + m + 4] = a4; Y[yb + m + 5] = a5; Y[yb + m + 6] = a6; Y[yb + m + 7] = a7;
      }
    }
    for (let m = M8; m < M; m++) {
      let a = 0;
      if (binary) for (let j = j0; j < j1; j++) a += Wt[idx[j] * M + m];
      else for (let j = j0; j < j1; j++) a += val[j] * Wt[idx[j] * M + m];
      if (accumulate) Y[yb + m] += a;
      else Y[yb + m] = a;
    }
  }
}

/**
 * The same product as `spmm`, as a separate function for the weight gradient, whose dense
 * operand is a float64 δ buffer: V8 specialises a function on the array types it sees, and
 * sharing one function between float32 weights and float64 gradients made both ~40 % slower
 * (measured). Keep the two bodies identical.
 */
export function spmmGrad(S: SparseRows, Wt: Vec, M: number, Y: Vec, yOff: number, accumulate = false): void {
  const { ptr, idx, val, binary } = S;
  const M8 = M - (M % 8);
  for (let r = 0; r < S.rows; r++) {
    const j0 = ptr[r];
    const j1 = ptr[r + 1];
    const yb = yOff + r * M;
    for (let m = 0; m < M8; m += 8) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
      if (binary) {
        for (let j = j0; j < j1; j++) {
          const w = idx[j] * M + m;
          a0 += Wt[w]; a1 += Wt[w + 1]; a2 += Wt[w + 2]; a3 += Wt[w + 3];
          a4 += Wt[w + 4]; a5 += Wt[w + 5]; a6 += Wt[w + 6]; a7 += Wt[w + 7];
        }
      } else {
        for (let j = j0; j < j1; j++) {
          const w = idx[j] * M + m;
          const v = val[j];
          a0 += v * Wt[w]; a1 += v * Wt[w + 1]; a2 += v * Wt[w + 2]; a3 += v * Wt[w + 3];
          a4 += v * Wt[w + 4]; a5 += v * Wt[w + 5]; a6 += v * Wt[w + 6]; a7 += v * Wt[w + 7];
        }
      }
      if (accumulate) {
        Y[yb + m] += a0; Y[yb + m + 1] += a1; Y[yb + m + 2] += a2; Y[yb + m + 3] += a3;
        Y[yb + m + 4] += a4; Y[yb + m + 5] += a5; Y[yb + m + 6] += a6; Y[yb + m + 7] += a7;
      } else {
        Y[yb + m] = a0; Y[yb + m + 1] = a1; Y[yb + m + 2] = a2; Y[yb + m + 3] = a3;
        Y[yb + m + 4] = a4; Y[yb + m + 5] = a5; Y[yb + m + 6] = a6; Y[yb + m + 7] = a7;
      }
    }
    for (let m = M8; m < M; m++) {
      let a = 0;
      if (binary) for (let j = j0; j < j1; j++) a += Wt[idx[j] * M + m];
      else for (let j = j0; j < j1; j++) a += val[j] * Wt[idx[j] * M + m];
      if (accumulate) Y[yb + m] += a;
      else Y[yb + m] = a;
    }
  }
}

/**
 * Transpose sparse rows (CSR → CSR of the transpose, i.e. CSC of S) into `out`, which must
 * hold S.cols + 1 pointers and nnz entries; `count` needs S.cols + 1 ints. Within a column,
 * rows stay in increasing order, so sums over them keep a fixed order. O(nnz + cols).
 */
export function transposeSparse(S: SparseRows, out: SparseRows, count: Int32Array): SparseRows {
  const { ptr, idx, val } = S;
  const nnz = ptr[S.rows];
  const cols = S.cols;
  const optr = out.ptr;
  optr.fill(0, 0, cols + 1);
  for (let j = 0; j < nnz; j++) optr[idx[j] + 1]++;
  for (let c = 0; c < cols; c++) optr[c + 1] += optr[c];
  count.set(optr.subarray(0, cols));
  const oidx = out.idx;
  const oval = out.val;
  for (let r = 0; r < S.rows; r++) {
    for (let j = ptr[r]; j < ptr[r + 1]; j++) {
      const at = count[idx[j]]++;
      oidx[at] = r;
      if (!S.binary) oval[at] = val[j];
    }
  }
  out.rows = cols;
  out.cols = S.rows;
  out.binary = S.binary;
  return out;
}

/**
 * Weight gradient, simple form: `dWt[idx_j] += val_j · D[r]` for every row r of S (D rows of
 * M values at D[dOff + r·M]); accumulates. O(nnz·M). The engine uses the faster transposed
 * form `spmm(transposeSparse(S), D, …)`; this one is the reference the tests compare with.
 */
export function spmmWeightGrad(S: SparseRows, D: Vec, dOff: number, M: number, dWt: Vec): void {
  const { ptr, idx, val, binary } = S;
  for (let r = 0; r < S.rows; r++) {
    const db = dOff + r * M;
    for (let j = ptr[r]; j < ptr[r + 1]; j++) {
      const w = idx[j] * M;
      if (binary) {
        for (let m = 0; m < M; m++) dWt[w + m] += D[db + m];
      } else {
        const v = val[j];
        for (let m = 0; m < M; m++) dWt[w + m] += v * D[db + m];
      }
    }
  }
}

/**
 * Activation gradient `G[r][k] = Σ_m Wt[k][m] · D[r][m]` for `rows` dense rows (written, not
 * added). Blocked 4 rows × 2 Wt rows: eight dot products share each load. O(rows·K·M).
 */
export function denseBackward(D: Vec, dOff: number, rows: number, M: number, Wt: Vec, K: number, G: Vec, gOff: number): void {
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const d0 = dOff + r * M, d1 = d0 + M, d2 = d1 + M, d3 = d2 + M;
    const g0 = gOff + r * K, g1 = g0 + K, g2 = g1 + K, g3 = g2 + K;
    let k = 0;
    for (; k + 2 <= K; k += 2) {
      const w = k * M;
      const x = w + M;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      for (let m = 0; m < M; m++) {
        const wv = Wt[w + m];
        const xv = Wt[x + m];
        const e0 = D[d0 + m], e1 = D[d1 + m], e2 = D[d2 + m], e3 = D[d3 + m];
        a0 += wv * e0; a1 += wv * e1; a2 += wv * e2; a3 += wv * e3;
        b0 += xv * e0; b1 += xv * e1; b2 += xv * e2; b3 += xv * e3;
      }
      G[g0 + k] = a0; G[g1 + k] = a1; G[g2 + k] = a2; G[g3 + k] = a3;
      G[g0 + k + 1] = b0; G[g1 + k + 1] = b1; G[g2 + k + 1] = b2; G[g3 + k + 1] = b3;
    }
    for (; k < K; k++) {
      const w = k * M;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      for (let m = 0; m < M; m++) {
        const wv = Wt[w + m];
        a0 += wv * D[d0 + m]; a1 += wv * D[d1 + m]; a2 += wv * D[d2 + m]; a3 += wv * D[d3 + m];
      }
      G[g0 + k] = a0; G[g1 + k] = a1; G[g2 + k] = a2; G[g3 + k] = a3;
    }
  }
  for (; r < rows; r++) {
    const d0 = dOff + r * M;
    const g0 = gOff + r * K;
    for (let k = 0; k < K; k++) {
      const w = k * M;
      let a = 0;
      for (let m = 0; m < M; m++) a += Wt[w + m] * D[d0 + m];
      G[g0 + k] = a;
    }
  }
}

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

/**
 * Softmax cross-entropy over `rows` logit rows of `C` classes. Returns the summed loss and
 * the number of rows whose arg-max is the label. When `dlogits` is given it receives
 * `(softmax − onehot)·scale` (scale = 1/batch for a mean loss). Numerically stable (the row
 * max is subtracted before exp). O(rows·C).
 */
export function softmaxCrossEntropy(
  logits: Vec,
  rows: number,
  C: number,
  labels: ArrayLike<number>,
  dlogits: Vec | null,
  scale: number,
): { lossSum: number; correct: number } {
  let lossSum = 0;
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    const b = r * C;
    let mx = -Infinity;
    let arg = 0;
    for (let c = 0; c < C; c++) {
      if (logits[b + c] > mx) {
        mx = logits[b + c];
        arg = c;
      }
    }
    const y = labels[r];
    if (arg === y) correct++;
    let z = 0;
    for (let c = 0; c < C; c++) z += Math.exp(logits[b + c] - mx);
    const logZ = Math.log(z) + mx;
    lossSum += logZ - logits[b + y];
    if (dlogits) {
      for (let c = 0; c < C; c++) dlogits[b + c] = (Math.exp(logits[b + c] - logZ) - (c === y ? 1 : 0)) * scale;
    }
  }
  return { lossSum, correct };
}
