/**
 * Shape adaptations, used only when asked for: zero-padding images to a larger square (the
 * CIFAR-architecture accuracy rows run on Fashion-MNIST padded to 32×32) and replicating a
 * grey channel into C channels.
 */
import type { Dataset } from './dataset';

/** Zero-pad every sample to H×W, centred (extra odd pixel at the bottom/right). O(n·H·W·C). */
export function padTo(d: Dataset, H: number, W: number): Dataset {
  const [C, h, w] = d.shape;
  if (H < h || W < w) throw new RangeError(`padTo: ${h}×${w} does not fit in ${H}×${W}`);
  const top = Math.floor((H - h) / 2);
  const left = Math.floor((W - w) / 2);
  const x = new Float32Array(d.n * H * W * C);
  for (let i = 0; i < d.n; i++) {
    for (let r = 0; r < h; r++) {
      const src = ((i * h + r) * w) * C;
      const dst = ((i * H + r + top) * W + left) * C;
      x.set(d.x.subarray(src, src + w * C), dst);
    }
  }
  return { ...d, shape: [C, H, W], x, name: `${d.name} (padded to ${H}×${W})` };
}

/** Copy a one-channel set into C identical channels (HWC). O(n·H·W·C). */
export function replicateChannels(d: Dataset, C: number): Dataset {
  const [c0, h, w] = d.shape;
  if (c0 !== 1) throw new RangeError(`replicateChannels: input has ${c0} channels, not 1`);
  if (C === 1) return d;
  const px = d.n * h * w;
  const x = new Float32Array(px * C);
  for (let i = 0; i < px; i++) for (let c = 0; c < C; c++) x[i * C + c] = d.x[i];
  return { ...d, shape: [C, h, w], x, name: `${d.name} (×${C} channels)` };
}
