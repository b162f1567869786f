import { compareGradientsWithCpu, type GradientCheck } from '../models/gradientCheck';

/** The model area of the worker API (`remote.models.…`). */
export interface ModelsWorkerApi {
  /**
   * Self-test of training on the active backend: a WRN-10-1 OE-loss gradient w.r.t. every weight and the input,
   * compared with the CPU backend's (worst max|Δ|/max|g|; fp32 agreement is ≲ 1e-5). Takes a few seconds.
   */
  gradientSelfTest(seed?: number): Promise<GradientCheck>;
}

export const modelsApi: ModelsWorkerApi = {
  gradientSelfTest: (seed) => compareGradientsWithCpu(seed),
};
