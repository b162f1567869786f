/**
 * The two engines a toy run can train on: `fast` (ToyRun: hand-written WebAssembly SIMD kernels, no tfjs; the
 * default) and `tfjs` (TfjsToyRun: the core tfjs functions on the active tfjs backend; the reference the fast
 * engine is checked against, and what `toyBackend` = cpu | webgl | webgpu runs).
 */
import type { MlpWeights } from '../../models/mlp';
import { instantiateKernels } from '../../models/fastMlp/kernels';
import type { ToyData } from './data';
import type { ToyTrainSettings } from './runCommon';
import { ToyRun } from './trainer';
import { TfjsToyRun } from './trainerTfjs';

export type ToyEngine = 'fast' | 'tfjs';
export type AnyToyRun = ToyRun | TfjsToyRun;

/** A run on `engine` (see the classes for `start`). */
export function createToyRun(
  engine: ToyEngine,
  data: ToyData,
  settings: ToyTrainSettings,
  start?: MlpWeights,
): AnyToyRun {
  return engine === 'fast' ? new ToyRun(data, settings, start) : new TfjsToyRun(data, settings, start);
}

/** The seeded (optionally pre-trained) start of a run on `engine`. */
export function toyRunStart(engine: ToyEngine, data: ToyData, settings: ToyTrainSettings): MlpWeights {
  return engine === 'fast' ? ToyRun.start(data, settings) : TfjsToyRun.start(data, settings);
}

/**
 * Whether the fast engine can run here (WebAssembly with fixed-width SIMD): null if it can, else the reason.
 * Compiles and runs one tiny product.
 */
export function fastEngineUnavailable(): string | null {
  try {
    const k = instantiateKernels([4], 1024);
    const f = new Float32Array(k.memory.buffer);
    f.set([1, 2, 3, 4], 0); // A: 1×4
    f.set([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], 4); // B: identity 4×4
    k.gemm(4, false, false)(0, 16, 4, 16, 80, 1, 4, 0);
    const ok = [1, 2, 3, 4].every((v, i) => f[20 + i] === v);
    return ok ? null : 'the WebAssembly SIMD self-test gave wrong numbers';
  } catch (err) {
    return `WebAssembly SIMD is not available (${err instanceof Error ? err.message : String(err)})`;
  }
}
