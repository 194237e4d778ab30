/** Shapes shared by the per-dataflow cost modules. */

/** GEMM C[M×N] = A[M×K] · B[K×N]: M output rows, K the reduction, N output columns. */
export interface GemmShape {
  M: number;
  K: number;
  N: number;
}

/** Systolic array of `rows × cols` processing elements. */
export interface ArrayDims {
  rows: number;
  cols: number;
}

export interface FoldCost {
  /** Number of array-sized tiles the GEMM is cut into. */
  folds: number;
  /** folds · (per-fold cycles). */
  cycles: number;
}
