/**
 * `spikepipe export-torch`: a network as ONE self-contained PyTorch training script (torch and the
 * standard library only) that computes what the reference trainer (lib/app/trainer) computes — the
 * IIR neuron with its detached reset, the surrogate derivative, the integrator readout, softmax
 * cross-entropy averaged over the minibatch, SGD or Adam with per-layer step counts, and the
 * per-layer delayed updates (`stash`, `ema`; trainer.ts) — plus the files that pin a run down:
 * the initial weights (float64, the trainer's layout Wt[k][m]) and the data split the trainer
 * uses, so that the script and `Trainer` can be compared step by step (test/torch-export.test.ts).
 *
 * The script interprets the network op by op in the topological order of its layer DAG
 * (lib/model/spec/layer-dag.ts), so chains and residual networks (spike or membrane add, concat)
 * share one forward pass. Chains must be buildable by the trainer (`planNetwork`); residual
 * networks, which the trainer does not train yet, are checked for what the script supports.
 */
import { InputError, fail } from '../../model/errors';
import { NETWORK_INPUT, layerDag } from '../../model/spec/layer-dag';
import { isChain } from '../../model/spec/infer';
import { loadNetwork } from '../../model/spec/network';
import type { ResolvedNetwork, WeightLayer } from '../../model/spec/types';
import { type DataSplit, DATASETS, type DatasetName, datasetForNetwork } from '../data';
import { parseDelays } from '../trainer/delays';
import { DEFAULT_SLOPE } from '../trainer/neuron';
import { DEFAULT_LR, initWeights } from '../trainer/trainer';
import { planNetwork } from '../trainer/plan';
import { createRng } from '../trainer/rng';
import { SCRIPT_DATA } from './snn-script-data';
import { SCRIPT_TRAIN } from './snn-script-train';

export const EXPORT_MODES = ['stash', 'ema'] as const;
export type ExportMode = (typeof EXPORT_MODES)[number];

export interface TorchScriptOptions {
  /** `--delays`: a schedule .json, `2S:N`, a constant k, `none`, or d1,…,dL. */
  delays?: string;
  mode?: string;
  /** A loader name (default: the network's). */
  dataset?: string;
  seed?: number;
}

/** One op of the script's forward pass (an entry of the layer DAG in topological order). */
export interface ScriptOp {
  op: 'fc' | 'conv' | 'maxpool' | 'avgpool' | 'flatten' | 'add' | 'concat';
  /** Positions of earlier ops read (−1: the network input). */
  inputs: number[];
  weight?: number;
  stride?: number;
  padding?: number;
  kernel?: number;
  spiking?: boolean;
  /** Ops whose spikes join this layer's current (a membrane add naming it first). */
  membrane?: number[];
  mode?: 'spike' | 'membrane';
}

export interface ScriptWeight {
  index: number;
  type: 'fc' | 'conv';
  K: number;
  M: number;
  in_shape: [number, number, number];
  kernel: number;
}

export interface TorchScript {
  script: string;
  net: ResolvedNetwork;
  delays: number[] | null;
  mode: ExportMode;
  dataset: DatasetName;
  weights: ScriptWeight[];
  ops: ScriptOp[];
}

/** InputError unless the script can run `net`: chains as the trainer plans them, residual nets by the same rules. */
export function checkExportable(net: ResolvedNetwork): void {
  if (isChain(net.weightLayers)) {
    planNetwork(net);
    return;
  }
  const where = net.file ?? net.spec.name;
  const spec = net.spec;
  if (spec.readout !== 'integrator') fail(`${where}: /readout`, `unsupported readout "${String(spec.readout)}" (the export supports "integrator")`);
  if (!['soft', 'hard', 'none'].includes(spec.neuron.reset)) fail(`${where}: /neuron/reset`, `unsupported reset "${String(spec.neuron.reset)}"`);
  if (!(Number.isInteger(spec.timesteps) && spec.timesteps >= 1)) fail(`${where}: /timesteps`, 'must be an integer ≥ 1');
  const last = net.weightLayers[net.weightLayers.length - 1];
  if (last.pool) fail(`${where}: /layers/${last.specIndex}`, 'a pool after the readout layer is not supported');
}

function weightOf(w: WeightLayer): ScriptWeight {
  const [C, H, W] = w.inShape;
  const K = w.type === 'conv' ? C * w.kernel * w.kernel : C * H * W;
  const M = w.outShape[0] * (w.type === 'fc' ? w.outShape[1] * w.outShape[2] : 1);
  if (K * M !== w.params) throw new RangeError(`export: layer ${w.index} has ${w.params} weights, not ${K}×${M}`);
  return { index: w.index, type: w.type, K, M, in_shape: [C, H, W], kernel: w.kernel };
}

/** The forward pass as ops over the layer DAG, in its topological order. */
export function scriptOps(net: ResolvedNetwork): ScriptOp[] {
  const where = net.file ?? net.spec.name;
  const layers = net.spec.layers;
  const dag = layerDag(layers, where);
  const pos = new Map<number, number>([[NETWORK_INPUT, -1]]);
  const bySpec = new Map(net.weightLayers.map((w) => [w.specIndex, w]));
  const ops: ScriptOp[] = [];
  for (const i of dag.order) {
    const l = layers[i];
    const inputs = dag.inputs[i].map((j) => pos.get(j) as number);
    let op: ScriptOp;
    switch (l.type) {
      case 'fc':
      case 'conv': {
        const w = bySpec.get(i) as WeightLayer;
        op = { op: l.type, inputs, weight: w.index - 1, stride: w.stride, padding: w.padding, spiking: w.spiking, membrane: [] };
        break;
      }
      case 'maxpool':
      case 'avgpool':
        op = { op: l.type, inputs, kernel: l.kernel, stride: l.stride ?? l.kernel };
        break;
      case 'flatten':
        op = { op: 'flatten', inputs };
        break;
      case 'add':
        op = { op: 'add', inputs, mode: l.mode ?? 'spike' };
        if (op.mode === 'membrane') {
          const first = ops[inputs[0]];
          if (!first?.membrane || inputs.slice(1).some((j) => j >= inputs[0])) {
            throw new RangeError(`export: membrane add /layers/${i} does not follow its inputs`);
          }
          first.membrane.push(...inputs.slice(1));
        }
        break;
      case 'concat':
        op = { op: 'concat', inputs };
        break;
    }
    pos.set(i, ops.length);
    ops.push(op);
  }
  return ops;
}

/** A Python string literal holding `json` (raw, triple-quoted; quotes escaped the JSON way). */
const pyJson = (value: unknown): string => `r'''${JSON.stringify(value).replace(/'/g, '\\u0027')}'''`;

/** Build the script for `network` (file or shipped id). InputError for anything it cannot export. */
export function exportTorchScript(network: string, o: TorchScriptOptions = {}): TorchScript {
  const net = loadNetwork(network);
  checkExportable(net);
  const L = net.weightLayers.length;
  if (o.mode !== undefined && !(EXPORT_MODES as readonly string[]).includes(o.mode)) {
    const why = o.mode === 'none' ? ' (mode none, a delayed backward on stored activations, is not exported)' : '';
    fail('--mode', `must be one of ${EXPORT_MODES.join(', ')}, got "${o.mode}"${why}`);
  }
  if (o.mode !== undefined && o.delays === undefined) fail('--mode', 'only means something with --delays');
  const delays = o.delays === undefined ? null : parseDelays(o.delays, net.spec.name, L);
  if (o.dataset !== undefined && !(DATASETS as readonly string[]).includes(o.dataset)) {
    fail('--dataset', `unknown dataset "${o.dataset}" (known: ${DATASETS.join(', ')})`);
  }
  const dataset = (o.dataset as DatasetName | undefined) ?? datasetForNetwork(net.file ?? net.spec.name, net.spec.dataset, ', or give --dataset');
  const mode = (o.mode as ExportMode | undefined) ?? 'stash';
  const weights = net.weightLayers.map(weightOf);
  const ops = scriptOps(net);
  const optimizer = net.spec.optimizer ?? 'adam';
  const config = {
    network: {
      name: net.spec.name,
      input: net.spec.input,
      timesteps: net.spec.timesteps,
      classes: net.spec.classes,
      neuron: net.spec.neuron,
      ops,
      weights,
    },
    batch: net.spec.batch,
    optimizer,
    lr: DEFAULT_LR[optimizer],
    seed: o.seed ?? 0,
    delays,
    mode,
    ema_decay: 0.9,
    surrogate: 'fast-sigmoid',
    slope: DEFAULT_SLOPE['fast-sigmoid'],
    slopes: DEFAULT_SLOPE,
    dataset,
  };
  const how = delays ? `delays ${delays.join(',')} (${mode})` : 'no delays';
  const head = [
    '#!/usr/bin/env python3',
    `"""${net.spec.name}: a spiking network exported by SpikePipe ('spikepipe export-torch'), ${how}.`,
    '',
    'The same network, neuron, surrogate gradient, integrator readout, loss, optimizer and per-layer',
    "delayed updates as SpikePipe's reference trainer, in PyTorch (torch and the standard library only).",
    '',
    `  python3 ${net.spec.name}.py --device cuda --epochs 3            # seeded as 'spikepipe train --seed 0'`,
    '  python3 script.py --weights w.bin --data d.bin --dtype float64  # the exact run of the trainer',
    '',
    'Replace load_data() to train on other data. --help lists every option.',
    '"""',
    'import json',
    '',
    `CONFIG = json.loads(${pyJson(config)})`,
    '',
  ].join('\n');
  return { script: head + SCRIPT_DATA + SCRIPT_TRAIN, net, delays, mode, dataset, weights, ops };
}

/** Header line, JSON line, then the payload: the files the script reads. */
function framed(magic: string, header: unknown, parts: ArrayBufferView[]): Uint8Array {
  const head = Buffer.from(`${magic}\n${JSON.stringify(header)}\n`, 'utf8');
  return Buffer.concat([head, ...parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))]);
}

/**
 * The initial weights `spikepipe train --seed` starts from, as float64 (little-endian) in the
 * trainer's layout, layer after layer: chains through the trainer's own initWeights, residual
 * networks by the same rule (U(−1/√K, 1/√K), stream `init/<index>`).
 */
export function initialWeightsFile(net: ResolvedNetwork, seed: number): Uint8Array {
  const weights = isChain(net.weightLayers)
    ? initWeights(planNetwork(net), seed, (n) => new Float64Array(n))
    : net.weightLayers.map(weightOf).map((w) => {
        const rng = createRng(seed, `init/${w.index}`);
        const bound = 1 / Math.sqrt(w.K);
        const a = new Float64Array(w.K * w.M);
        for (let i = 0; i < a.length; i++) a[i] = rng.uniform(-bound, bound);
        return a;
      });
  const layers = net.weightLayers.map(weightOf).map((w) => [w.index, w.K, w.M]);
  return framed('SPIKEPIPE-WEIGHTS 1', { network: net.spec.name, seed, layers }, weights);
}

/** A data split as the script reads it: train x (float32, HWC), train y (u8), test x, test y. */
export function dataFile(split: DataSplit): Uint8Array {
  const { train, test } = split;
  if (train.shape.join() !== test.shape.join()) throw new InputError(train.name, 'train and test samples differ in shape');
  const header = { name: train.name, shape: train.shape, classes: train.classes, train: train.n, test: test.n };
  return framed('SPIKEPIPE-DATA 1', header, [train.x, train.y, test.x, test.y]);
}
