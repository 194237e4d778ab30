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
