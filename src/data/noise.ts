import type { Random } from '../core/random';
import type { ImageSet } from './imageSet';
import { resizeBilinear } from './resize';

/**
 * Gaussian and uniform noise OOD test sets, as pytorch-ood's `noise.py` makes them (OOD_SPEC.md §6):
 *   Gaussian: per pixel N(128, 128²) (128 is the std), clipped to [0, 255], cast to uint8 by truncation;
 *   Uniform:  per pixel U[0, 255), cast to uint8 by truncation (values 0–254).
 * Size: pytorch-ood draws 224×224×3 images and the AOE evaluation transform resizes them to 32×32 with
 * torchvision's bilinear Resize. Without antialiasing (torchvision < 0.17, the era of AOE's pinned
 * pytorch-ood) that resize maps output pixel i to input pixel exactly 7i + 3 (scale 224/32 = 7 is an integer,
 * align_corners=False), i.e. it subsamples: the result is i.i.d. noise with the same per-pixel law at 32×32.
 * So the default `resize: 'subsample'` draws 32×32 directly (identical distribution, 49× cheaper).
 * `resize: 'antialias'` draws 224×224 and applies the antialiased bilinear filter (torchvision ≥ 0.17
 * default), which averages ≈ 7×7 pixels and leaves much smoother, lower-contrast images.
 * Count: the paper's text says 1,000 of each (default); the authors' code uses 500.
 */
export type NoiseKind = 'gaussian' | 'uniform';

export interface NoiseOptions {
  count?: number;
  resize?: 'subsample' | 'antialias';
}

function drawPixel(kind: NoiseKind, rng: Random): number {
  if (kind === 'gaussian') return Math.trunc(Math.min(255, Math.max(0, 128 + 128 * rng.normal())));
  return Math.trunc(rng.uniform() * 255);
}

/** A noise OOD set, uint8 NHWC [count, 32, 32, 3]. */
export function noiseSet(kind: NoiseKind, rng: Random, opts: NoiseOptions = {}): ImageSet {
  const count = opts.count ?? 1000;
  const resize = opts.resize ?? 'subsample';
  const images = new Uint8Array(count * 3072);
  const big = resize === 'antialias' ? new Uint8Array(224 * 224 * 3) : null;
  for (let i = 0; i < count; i++) {
    if (!big) {
      for (let j = 0; j < 3072; j++) images[i * 3072 + j] = drawPixel(kind, rng);
      continue;
    }
    for (let j = 0; j < big.length; j++) big[j] = drawPixel(kind, rng);
    // Resizing the normalised tensor equals normalising the resized one (both affine per channel); the
    // result is rounded back to uint8 for storage (≤ 0.5/255 off).
    const small = resizeBilinear(big, 224, 224, 3, 32, 32);
    for (let j = 0; j < 3072; j++) images[i * 3072 + j] = Math.min(255, Math.max(0, Math.round(small[j])));
  }
  return {
    name: kind === 'gaussian' ? 'Gaussian noise' : 'Uniform noise',
    images,
    n: count,
    height: 32,
    width: 32,
    channels: 3,
    labels: null,
    source:
      resize === 'subsample'
        ? 'generated (pytorch-ood noise.py law; 224→32 non-antialiased resize = subsampling)'
        : 'generated at 224×224, antialiased bilinear resize to 32×32',
  };
}
