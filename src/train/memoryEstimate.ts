import { wrnBlocks, wrnConfig, WRN_PRESETS, type WrnPresetName } from '../models/wrnSpec';
import type { WrnConfig } from '../models/types';
import type { Method } from './config';

/**
 * Memory of one training step, estimated BEFORE starting from the model's shape, the batch and the method, so
 * that the UI and the trainer can refuse or warn about configurations that cannot fit instead of failing
 * minutes later (or never finishing).
 *
 * Model of the hand-written passes (src/models/wrnBackprop.ts): the training pass over B = ID + outliers
 * images keeps per block its input, a = relu(bn1(·)), o = conv1(a) and b = dropout(relu(bn2(o))), and the
 * head's input and output; the backward pass adds about `TRANSIENT_ACTIVATIONS` of the largest activation
 * (running gradient, a conv gradient, the conv-gradient kernels' transposed copies). The AOE attack runs
 * first over the outliers alone and is freed before the training pass, so it never adds to the peak.
 * AOE-PGD runs its attack through tfjs autodiff (whole tape + all intermediate gradients):
 * `AUTODIFF_FACTOR` × the same saved set for the outliers. Float32 everywhere.
 * Calibrated against `npm run bench:train` (BENCH_COMPARE=1) peak RSS; see the README's speed section.
 */

/** Extra activations (× the largest one) alive at the backward pass's peak. */
const TRANSIENT_ACTIVATIONS = 4;
/**
 * Autodiff tape ≈ this many × the hand-written pass's saved tensors (≈ 10 per BN, plus every gradient kept to
 * the end): the autodiff step measured 3.1 GB peak RSS for WRN-16-2 at 64 + 64 on Node WASM (issue 13), with
 * 0.25 GB of hand-written saved set for those 128 images.
 */
const AUTODIFF_FACTOR = 11;
/** Runtime, weights, optimizer buffers and batches: a fixed allowance (bytes). */
const BASE_BYTES = 200e6;

/** Hard memory limits per backend (bytes): what a single allocation space can hold. */
export const BACKEND_MEMORY_LIMIT: Record<string, number | null> = {
  // tfjs-backend-wasm's emscripten heap is wasm32: 4 GiB at most (getHeapMax() = 4294901760).
  wasm: 4294901760,
  // GPU memory is unknown to the page; browsers typically give a tab a few GB.
  webgl: null,
  webgpu: null,
  cpu: null,
};

/** Above this the UI warns even without a hard limit (laptops, other tabs; the target for WASM). */
export const MEMORY_WARN_BYTES = 2e9;

export interface StepMemoryEstimate {
  /** Estimated peak bytes of one step. */
  bytes: number;
  /** Bytes of the tensors the training pass keeps for its backward pass. */
  savedBytes: number;
  /** The backend's hard limit (null: unknown). */
  limitBytes: number | null;
  /** bytes ≤ limit (true when the limit is unknown). */
  fits: boolean;
  /** bytes ≥ MEMORY_WARN_BYTES. */
  large: boolean;
}

/** Float32 values per image kept by the hand-written training pass, and the largest activation's size. */
function perImageFloats(c: WrnConfig): { saved: number; largest: number } {
  let side = 32;
  let saved = 16 * side * side; // stem output (= block 1's input)
  let largest = saved;
  for (const b of wrnBlocks(c)) {
    const inSize = b.inC * side * side;
    const outSide = side / b.stride;
    const outSize = b.outC * outSide * outSide;
    // a (same size as the input) + o + b + the block output (the next block's input, or the head's).
    saved += inSize + 3 * outSize;
    largest = Math.max(largest, inSize, outSize);
    side = outSide;
  }
  saved += c.widenFactor * 64 * side * side; // head output relu(bn(h))
  return { saved, largest };
}

/**
 * Estimate the peak memory of one training step.
 * @param model the WRN architecture (or a preset name). @param backend tfjs backend name ('wasm', …).
 */
export function estimateStepMemory(
  model: WrnConfig | WrnPresetName,
  idBatch: number,
  outlierBatch: number,
  method: Method,
  backend: string,
): StepMemoryEstimate {
  const c = typeof model === 'string' ? wrnConfig(model) : model;
  const { saved, largest } = perImageFloats(c);
  const images = idBatch + (method === 'CE' ? 0 : outlierBatch);
  const savedBytes = 4 * saved * images;
  let bytes = BASE_BYTES + savedBytes + 4 * TRANSIENT_ACTIVATIONS * largest * images;
  if (method === 'AOE-PGD')
    bytes = Math.max(
      bytes,
      BASE_BYTES + 4 * (AUTODIFF_FACTOR * saved + TRANSIENT_ACTIVATIONS * largest) * outlierBatch,
    );
  const limitBytes = BACKEND_MEMORY_LIMIT[backend] ?? null;
  return {
    bytes,
    savedBytes,
    limitBytes,
    fits: limitBytes === null || bytes <= limitBytes,
    large: bytes >= MEMORY_WARN_BYTES,
  };
}

/** Whether a preset name is known (so the UI can estimate for the config's model). */
export function isWrnPreset(name: string): name is WrnPresetName {
  return name in WRN_PRESETS;
}

const gb = (b: number) => `${(b / 1e9).toFixed(1)} GB`;

/**
 * A sentence for the UI/trainer: null when the step comfortably fits; a warning when it is large; an error
 * (`fatal`) when it exceeds the backend's hard limit.
 */
export function describeStepMemory(
  e: StepMemoryEstimate,
  backend: string,
): { fatal: boolean; message: string } | null {
  if (!e.fits)
    return {
      fatal: true,
      message:
        `One step needs about ${gb(e.bytes)}, more than the ${backend.toUpperCase()} backend can hold ` +
        `(${gb(e.limitBytes!)}). Use a smaller batch or model.`,
    };
  if (e.large)
    return {
      fatal: false,
      message: `One step needs about ${gb(e.bytes)} of memory; on a machine with little free memory use a smaller batch.`,
    };
  return null;
}

/**
 * The memory verdict for training `model` with `config` on `backend` (null for non-WRN test models and for
 * steps that comfortably fit). The trainer refuses `fatal` ones before the first step.
 */
export function stepMemoryProblem(
  model: object,
  config: { idBatchSize: number; outlierBatchSize: number; method: Method },
  backend: string,
): { fatal: boolean; message: string } | null {
  const c = (model as { config?: WrnConfig }).config;
  if (!c || c.kind !== 'wrn') return null;
  const e = estimateStepMemory(c, config.idBatchSize, config.outlierBatchSize, config.method, backend);
  return describeStepMemory(e, backend);
}
