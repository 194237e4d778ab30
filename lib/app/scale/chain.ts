/**
 * Generated VGG-style SNN chains for the scale benchmark (README, Scale): `chain-L` has L weight
 * layers on CIFAR-10's 3×32×32 input — L − 2 convolutions (3×3, "same") in four blocks of 64,
 * 128, 256 and 512 channels, a max pool after each of the first three blocks (32 → 16 → 8 → 4,
 * so any L keeps valid shapes), then fc 512 and the fc readout of 10 classes. Convolutions are
 * spread over the blocks as evenly as possible, the earlier blocks taking the remainder
 * (chain-8: 2, 2, 1, 1; chain-16 ≈ VGG-16's 13 + 3; chain-50: 12 per block).
 */
import type { LayerSpec, NetworkSpec, ResolvedNetwork } from '../../model/spec/types';
import { resolveNetwork } from '../../model/spec/network';
import { loadNetwork } from '../../model/spec/network';
import { fail } from '../../model/errors';

const BLOCK_CHANNELS = [64, 128, 256, 512] as const;
/** Fewest weight layers of a chain: one conv per block, fc 512, the readout. */
export const MIN_CHAIN_LAYERS = BLOCK_CHANNELS.length + 2;
/** The chain ids `resolveScaleNetwork` accepts: chain-<L>. */
export const CHAIN_ID = /^chain-(\d+)$/;

/** The NetworkSpec of a VGG-style chain of `weightLayers` weight layers (≥ MIN_CHAIN_LAYERS). */
export function chainNetworkSpec(weightLayers: number): NetworkSpec {
  if (!Number.isInteger(weightLayers) || weightLayers < MIN_CHAIN_LAYERS) {
    fail('chain', `a chain needs an integer ≥ ${MIN_CHAIN_LAYERS} weight layers, got ${weightLayers}`);
  }
  const convs = weightLayers - 2;
  const blocks = BLOCK_CHANNELS.length;
  const layers: LayerSpec[] = [];
  for (let b = 0; b < blocks; b++) {
    const n = Math.floor(convs / blocks) + (b < convs % blocks ? 1 : 0);
    for (let i = 0; i < n; i++) layers.push({ type: 'conv', out: BLOCK_CHANNELS[b], kernel: 3, padding: 'same' });
    if (b < blocks - 1) layers.push({ type: 'maxpool', kernel: 2 });
  }
  layers.push({ type: 'fc', out: 512 }, { type: 'fc', out: 10 });
  return {
    name: `chain-${weightLayers}`,
    dataset: 'cifar10',
    input: [3, 32, 32],
    timesteps: 4,
    batch: 64,
    classes: 10,
    neuron: { alpha: 0.9, beta: 1, theta: 1, reset: 'soft' },
    readout: 'integrator',
    optimizer: 'adam',
    layers,
  };
}

/** The resolved chain of `weightLayers` weight layers (shapes inferred and checked). */
export function chainNetwork(weightLayers: number): ResolvedNetwork {
  return resolveNetwork(chainNetworkSpec(weightLayers), `chain-${weightLayers}`);
}

/** `chain-<L>` → a generated chain; anything else → loadNetwork (a shipped id or a path). */
export function resolveScaleNetwork(idOrPath: string): ResolvedNetwork {
  const m = CHAIN_ID.exec(idOrPath);
  return m ? chainNetwork(Number(m[1])) : loadNetwork(idOrPath);
}
