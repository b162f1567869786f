/**
 * Image resizing shared by every loader (zips/folders of images, Fashion-MNIST, antialiased noise): PIL's
 * (and torchvision's `antialias=True`) separable bilinear filter. Output pixel i samples the input around
 * centre (i + 0.5)·s (s = in/out) with a triangle of half-width max(s, 1), weights normalised — so a
 * downscale averages the area it covers (no aliasing) and an upscale is ordinary half-pixel bilinear.
 * Pure functions over typed arrays (interleaved HWC, any channel count).
 */

interface Coeffs {
  start: Int32Array;
  count: Int32Array;
  weights: Float64Array;
  taps: number;
}

function coefficients(inSize: number, outSize: number): Coeffs {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // triangle support 1.0 × filterScale
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * taps);
  for (let i = 0; i < outSize; i++) {
    const centre = (i + 0.5) * scale;
    const lo = Math.max(Math.floor(centre - support + 0.5), 0);
    const hi = Math.min(Math.floor(centre + support + 0.5), inSize);
    let total = 0;
    for (let j = lo; j < hi; j++) {
      const w = Math.max(0, 1 - Math.abs((j - centre + 0.5) / filterScale));
      weights[i * taps + (j - lo)] = w;
      total += w;
    }
    for (let j = lo; j < hi; j++) weights[i * taps + (j - lo)] /= total || 1;
    start[i] = lo;
    count[i] = hi - lo;
  }
  return { start, count, weights, taps };
}

/**
 * Resizes one image with the antialiased bilinear filter.
 * @param src HWC pixels (uint8 or float), length h·w·c.
 * @returns float64 HWC [outH, outW, c] (not rounded; see {@link resizeToUint8}).
 */
export function resizeBilinear(
  src: ArrayLike<number>,
  h: number,
  w: number,
  c: number,
  outH: number,
  outW: number,
): Float64Array {
  const cx = coefficients(w, outW);
  const cy = coefficients(h, outH);
  // Horizontal pass: [h, outW, c]
  const tmp = new Float64Array(h * outW * c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < outW; x++) {
      const s = cx.start[x];
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let t = 0; t < cx.count[x]; t++)
          acc += cx.weights[x * cx.taps + t] * src[(y * w + s + t) * c + ch];
        tmp[(y * outW + x) * c + ch] = acc;
      }
    }
  // Vertical pass: [outH, outW, c]
  const out = new Float64Array(outH * outW * c);
  for (let y = 0; y < outH; y++) {
    const s = cy.start[y];
    for (let x = 0; x < outW; x++)
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let t = 0; t < cy.count[y]; t++)
          acc += cy.weights[y * cy.taps + t] * tmp[((s + t) * outW + x) * c + ch];
        out[(y * outW + x) * c + ch] = acc;
      }
  }
  return out;
}

/** Resize and round to uint8 (clipped to [0, 255]); the arguments of {@link resizeBilinear}. */
export function resizeToUint8(...args: Parameters<typeof resizeBilinear>): Uint8Array {
  const f = resizeBilinear(...args);
  const out = new Uint8Array(f.length);
  for (let i = 0; i < f.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(f[i])));
  return out;
}

/**
 * Any decoded image (RGBA as browsers and pngjs give, RGB, or grey) → 32×32 RGB uint8 (HWC), the app's size.
 * The whole image is resized (aspect distorted, not cropped), as pytorch-ood's Textures does. Alpha is dropped.
 * @param channels 1 (grey, replicated), 3 or 4 (alpha ignored).
 */
export function toRgb32(
  pixels: ArrayLike<number>,
  h: number,
  w: number,
  channels: 1 | 3 | 4,
  size = 32,
): Uint8Array {
  const rgb = new Uint8Array(h * w * 3);
  for (let p = 0; p < h * w; p++)
    for (let ch = 0; ch < 3; ch++) rgb[p * 3 + ch] = pixels[p * channels + (channels === 1 ? 0 : ch)];
  if (h === size && w === size) return rgb;
  return resizeToUint8(rgb, h, w, 3, size, size);
}
