/**
 * NetworkSpec and HardwareSpec: the JSON a user writes (checked against the JSON Schemas in
 * ./schemas), and the resolved forms with every shape inferred.
 */

export type Shape3 = [channels: number, height: number, width: number];

export type LayerSpec =
  | { type: 'fc'; out: number; in?: number }
  | { type: 'conv'; out: number; kernel: number; stride?: number; padding?: number | 'same' }
  | { type: 'avgpool' | 'maxpool'; kernel: number; stride?: number }
  | { type: 'flatten' };

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
  dataset: 'mnist' | 'fashion-mnist' | 'cifar10' | 'cifar100' | 'synthetic';
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

/** A weight layer (fc or conv) with the pool that follows it folded in. */
export interface WeightLayer {
  /** 1-based weight-layer index l. */
  index: number;
  type: 'fc' | 'conv';
  /** Index of the layer in NetworkSpec.layers (for error messages). */
  specIndex: number;
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
