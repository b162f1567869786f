import type { Random } from '../core/random';

/** Height, width and channels of NHWC images. */
export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/**
 * The paper's training augmentation and the input normalisation, on uint8 NHWC batches.
 * Augmentation (torchvision order in the authors' code: RandomHorizontalFlip, then RandomCrop(32, padding=4)):
 *   flip with probability ½; then pad `pad` zero pixels on every side and crop an H×W region whose top-left
 *   corner is uniform in {0…2·pad}² — one draw per image from `rng`, in the order flip, dy, dx.
 * The one augmentation of the app: the trainer's batches (`train/batches.ts` gatherImages) come through here.
 */
export function augmentBatch(
  images: Uint8Array,
  n: number,
  rng: Random,
  shape: ImageShape = { height: 32, width: 32, channels: 3 },
  pad = 4,
): Uint8Array {
  const { height: H, width: W, channels: C } = shape;
  const out = new Uint8Array(n * H * W * C);
  const row = W * C;
  for (let i = 0; i < n; i++) {
    const flip = rng.uniform() < 0.5;
    const dy = rng.int(2 * pad + 1) - pad; // source offset of the crop relative to the original image
    const dx = rng.int(2 * pad + 1) - pad;
    const base = i * H * row;
    for (let y = 0; y < H; y++) {
      const sy = y + dy;
      if (sy < 0 || sy >= H) continue; // zero padding
      for (let x = 0; x < W; x++) {
        const fx = x + dx; // position in the (flipped) image
        if (fx < 0 || fx >= W) continue;
        const sx = flip ? W - 1 - fx : fx;
        const s = base + sy * row + sx * C;
        const d = base + y * row + x * C;
        for (let c = 0; c < C; c++) out[d + c] = images[s + c];
      }
    }
  }
  return out;
}

/** Per-channel normalisation statistics in [0,1] pixel units. */
export interface Normalization {
  mean: [number, number, number];
  std: [number, number, number];
  /** Where the numbers come from (shown in the UI). */
  label: string;
}

/** The pretrained WRN weights' statistics (`WideResNet.transform_for`, OOD_SPEC.md §4). */
export const PRETRAINED_WRN_NORM: Normalization = {
  mean: [125.3 / 255, 123.0 / 255, 113.9 / 255],
  std: [63.0 / 255, 62.1 / 255, 66.7 / 255],
  label: 'pretrained WRN (Hendrycks) CIFAR stats',
};

/** The AOE training code's CIFAR-10 statistics (OOD_SPEC.md §5; std 0.2023… is not the true pixel std). */
export const AOE_TRAIN_CIFAR10_NORM: Normalization = {
  mean: [0.4914, 0.4822, 0.4465],
  std: [0.2023, 0.1994, 0.201],
  label: 'AOE training code CIFAR-10 stats',
};

/** The AOE training code's CIFAR-100 statistics. */
export const AOE_TRAIN_CIFAR100_NORM: Normalization = {
  mean: [0.5071, 0.4865, 0.4409],
  std: [0.2673, 0.2564, 0.2762],
  label: 'AOE training code CIFAR-100 stats',
};

/**
 * uint8 NHWC → float32 NHWC, (x/255 − mean_c)/std_c. Pass `norm = null` for raw [0,1] pixels (the authors'
 * treatment of GAN outliers).
 */
export function normalizeBatch(images: Uint8Array, norm: Normalization | null): Float32Array {
  const out = new Float32Array(images.length);
  if (!norm) {
    for (let i = 0; i < images.length; i++) out[i] = images[i] / 255;
    return out;
  }
  const scale = norm.std.map((s) => 1 / (255 * s));
  const shift = norm.mean.map((m, c) => m / norm.std[c]);
  for (let i = 0; i < images.length; i += 3)
    for (let c = 0; c < 3; c++) out[i + c] = images[i + c] * scale[c] - shift[c];
  return out;
}

/** Per-channel mean and std (population) of uint8 NHWC images, in [0,1] units. */
export function channelStats(images: Uint8Array): { mean: number[]; std: number[] } {
  const sum = [0, 0, 0];
  const sq = [0, 0, 0];
  for (let i = 0; i < images.length; i += 3)
    for (let c = 0; c < 3; c++) {
      const v = images[i + c] / 255;
      sum[c] += v;
      sq[c] += v * v;
    }
  const n = images.length / 3;
  const mean = sum.map((s) => s / n);
  return { mean, std: sq.map((s, c) => Math.sqrt(Math.max(0, s / n - mean[c] ** 2))) };
}
