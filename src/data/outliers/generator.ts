import type { Random } from '../../core/random';
import type { ImageSet } from '../imageSet';

/**
 * A source of synthetic training outliers (the paper's D_OOD^train). Implementations: probabilistic PCA of the
 * ID pixels ({@link PpcaGenerator}); a loaded file (samples-<σ²>.npz, a zip/folder of images) is a fixed set.
 */
export interface OutlierGenerator {
  /** Short name for the UI ("PPCA q=32"). */
  readonly name: string;
  /**
   * Draws `count` outliers at latent variance `sigma2` (σ²; 1 = the fitted ID distribution, larger = further
   * from it). Deterministic for a given `rng` state.
   * @returns uint8 NHWC [count, 32, 32, 3], unlabelled.
   */
  sample(count: number, sigma2: number, rng: Random): ImageSet;
}
