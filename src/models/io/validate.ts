/**
 * Checks on imported weights that PyTorch and tfjs would both accept silently but that make every later number
 * meaningless (a diverged run saved as-is, a corrupt file).
 */

/**
 * @param name the tensor's state_dict key (as the file names it).
 * @param values its values, in any layout.
 * @returns null when every value is finite, else a message naming the tensor, the counts and the first index.
 */
export function nonFiniteProblem(name: string, values: ArrayLike<number>): string | null {
  let nan = 0;
  let inf = 0;
  let first = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) continue;
    if (Number.isNaN(v)) nan++;
    else inf++;
    if (first < 0) first = i;
  }
  if (first < 0) return null;
  const what = [nan ? `${nan} NaN` : '', inf ? `${inf} ±Inf` : ''].filter(Boolean).join(' and ');
  return (
    `tensor '${name}' holds ${what} value${nan + inf === 1 ? '' : 's'} (of ${values.length}; first at flat ` +
    `index ${first}): the weights are broken (a diverged run or a corrupt file) and were not loaded.`
  );
}

/** Throws {@link nonFiniteProblem}'s message for the first tensor with a NaN or ±Inf. */
export function assertFiniteWeights(tensors: Iterable<[string, ArrayLike<number>]>): void {
  for (const [name, values] of tensors) {
    const why = nonFiniteProblem(name, values);
    if (why) throw new Error(why);
  }
}
