/**
 * NetworkSpec and HardwareSpec: the JSON a user writes (checked against the JSON Schemas in
 * ./schemas), and the resolved forms with every shape inferred.
 */

export type Shape3 = [channels: number, height: number, width: number];

/**
 * Every layer may carry a `name` and its `inputs` (names of earlier or later layers, or "input"
 * for the network input); without `inputs` a layer reads the layer listed before it, so a plain
 * list is a chain. Names and inputs make the network a DAG (lib/model/spec/layer-dag.ts).
 */
interface LayerLinks {
  name?: string;
  inputs?: string[];
}

export type LayerSpec = LayerLinks &
  (
    | { type: 'fc'; out: number; in?: number }
    | { type: 'conv'; out: number; kernel: number; stride?: number; padding?: number | 'same' }
    | { type: 'avgpool' | 'maxpool'; kernel: number; stride?: number }
    | { type: 'flatten' }
    /**
     * Element-wise sum of ≥ 2 equal-shaped tensors. `spike` (SEW-ResNet's ADD): the spike
     * tensors are summed where they are read; `membrane` (Spiking ResNet): the first input, a
     * conv or fc layer, gets the others added to its input current before its neuron fires.
     */
    | { type: 'add'; inputs: string[]; mode?: 'spike' | 'membrane' }
    /** Channel concatenation of ≥ 2 tensors of equal height and width (or of flat vectors). */
    | { type: 'concat'; inputs: string[] }
  );

export interface NeuronSpec {
  /** Leak (pole) of the IIR neuron. */
  alpha: number;
  /** Input gain. */
  beta: number;
  /** Threshold. */
  theta: number;
  /** soft = subtract θ, hard = to zero, none. */
  reset: 'soft' | 'hard' | 'none';
}

export interface NetworkSpec {
  name: string;
  /** What it is trained on, free text (or absent): scheduling ignores it; only training needs a loader for it. */
  dataset?: string;
  /** [C, H, W] of one input sample. */
  input: Shape3;
  timesteps: number;
  batch: number;
  /** Number of classes = out of the last layer. */
  classes: number;
  neuron: NeuronSpec;
  /** `integrator`: the last layer does not spike; logits = mean membrane over T. */
  readout: 'integrator';
  layers: LayerSpec[];
  optimizer?: 'sgd' | 'adam';
}

/**
 * One tensor a weight layer reads: the output (after its pool) of weight layer `from`, or the
 * network input (`from` = 0).
 *   gemm      part of the GEMM's input: edges F_from→F_l and F_from→Bw_l, gradient Ba2_l→Ba1_from
 *   membrane  added to l's input current before its neuron (membrane add): edge F_from→F_l,
 *             gradient Ba1_l→Ba1_from (δI itself: the sum passes the gradient on unchanged)
 */
export interface LayerInput {
  from: number;
  /** Elements per sample of the tensor `from` sends (its `nextShape`). */
  elements: number;
  into: 'gemm' | 'membrane';
}

/**
 * A weight layer (fc or conv) with the pool that follows it folded in, and the merges (add,
 * concat) and pools applied to its inputs folded into it: the consumer sums what it reads, so
 * every edge carries the producers' own spikes.
 */
export interface WeightLayer {
  /** 1-based weight-layer index l: a topological order of the layer DAG. */
  index: number;
  type: 'fc' | 'conv';
  /** Index of the layer in NetworkSpec.layers (for error messages). */
  specIndex: number;
  /** The layer's `name` in the spec, if it has one. */
  name?: string;
  /** The tensors it reads, in the order the merges list them (chain: `[{ from: l − 1 }]`). */
  inputs: LayerInput[];
  /**
   * Element-wise work per sample and timestep before the GEMM (adds of ≥ 2 tensors: (k − 1)·size;
   * a pool of a merged tensor: its input size) and before the neuron (membrane adds); the
   * backward pass repeats the pool part (`inputPoolElements`).
   */
  mergeElements: number;
  /** Elements per sample of pools applied to merged inputs (forward and backward once each). */
  inputPoolElements: number;
  /** `values` when the GEMM reads non-binary input: after an average pool or a spike add. */
  inputEncoding: 'spikes' | 'values';
  /** Weight layers that read this layer's output (gradients summed in Ba1 when more than one). */
  consumers: number[];
  inShape: Shape3;
  /** Output of the GEMM (before any pool). */
  outShape: Shape3;
  /** conv: kernel, stride, padding (fc: 1, 1, 0). */
  kernel: number;
  stride: number;
  padding: number;
  /** Number of weights |W| (no bias: SNN layers here are bias-free). */
  params: number;
  /** A pool applied to this layer's spikes before the next layer. */
  pool?: { type: 'avgpool' | 'maxpool'; kernel: number; stride: number; outShape: Shape3 };
  /** Shape passed to the next layer (after pool). */
  nextShape: Shape3;
  /** False for the readout (last) layer. */
  spiking: boolean;
}

export interface ResolvedNetwork {
  spec: NetworkSpec;
  weightLayers: WeightLayer[];
  /** Source file, for messages. */
  file?: string;
}

export type Dataflow = 'ws' | 'os' | 'is';

export interface HardwareSpec {
  name: string;
  /** Number of identical processors (overridden by --procs). */
  processors: number;
  array: { rows: number; cols: number };
  /** Dataflow of each GEMM task. */
  dataflow: { F: Dataflow; Ba2: Dataflow; Bw: Dataflow };
  /** Vector-unit lanes V (default = cols). */
  vectorLanes: number;
  /** Bytes per value (activations, gradients, weights). */
  bytesPerValue: number;
  /** Spikes: 1 bit packed (`bit`) or one byte each (`byte`). */
  spikeEncoding: 'bit' | 'byte';
  /** Link bandwidth, bytes per cycle. */
  linkBandwidth: number;
  /** Link latency, cycles. */
  linkLatency: number;
  clockHz: number;
  /** Optional memory per processor. */
  memoryBytes?: number;
  /** Vector cycles per element for the IIR step (MAC + compare = 2). */
  iirCyclesPerElement: number;
  /** Optimizer cost per weight on the vector unit, by the network's optimizer. */
  updateCyclesPerWeight: { sgd: number; adam: number };
  /** Loss cost per logit element. */
  lossCyclesPerElement: number;
  /**
   * Heterogeneous machines: groups of identical processors, in processor order (group 0 holds
   * processors 0..count−1, and so on); `processors` is then the sum of the counts. Each group is
   * processor type k of the Machine (lib/model/spec/hardware.ts).
   */
  groups?: ProcessorGroup[];
}

/** A group of identical processors of a heterogeneous machine, every field resolved. */
export interface ProcessorGroup {
  name: string;
  count: number;
  array: { rows: number; cols: number };
  vectorLanes: number;
  /** The group's clock; durations are converted to cycles of the top-level (reference) clock. */
  clockHz: number;
}
