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

/**
 * Elements a GEMM moves between on-chip memory (SRAM) and the array, counted per dataflow the
 * way SCALE-Sim counts its SRAM requests (valid elements only; see ws.ts, os.ts, is.ts).
 */
export interface GemmTraffic {
  /** Elements of A[M×K] read. */
  readA: number;
  /** Elements of B[K×N] read. */
  readB: number;
  /** Elements of C[M×N] written, partial sums of every reduction fold included. */
  writeC: number;
}
