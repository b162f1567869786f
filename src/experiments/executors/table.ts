/**
 * Which cell executor runs a spec: one table keyed by the spec's model and task, so every surface (the compute
 * worker, `npm run exp`, tests) picks executors the same way. A surface supplies a factory for every kind
 * ({@link ExecutorFactories} is a full Record, so adding a kind here fails to compile until each surface
 * provides it) and calls {@link executorFor}; no surface picks an executor from `spec.model` or `spec.task` itself.
 */
import type { CellExecutor } from '../run';
import type { CellTask, ExperimentSpec, ModelKind } from '../types';

/** `${model}/${task}` → executor kind. A pair not listed has no executor (defineExperiment refuses the spec). */
export const EXECUTOR_TABLE = {
  'toy/fine-tune': 'toy',
  'wrn/fine-tune': 'wrn',
  'wrn/openset': 'wrn-openset',
} as const satisfies Partial<Record<`${ModelKind}/${CellTask}`, string>>;

export type ExecutorKind = (typeof EXECUTOR_TABLE)[keyof typeof EXECUTOR_TABLE];

/** A surface's executors: a factory per kind, called once per run (e.g. to bind its data environment). */
export type ExecutorFactories = Readonly<Record<ExecutorKind, () => CellExecutor>>;

/** The executor kind of a spec, or null when its model/task pair has none. */
export function executorKindOf(spec: Pick<ExperimentSpec, 'model' | 'task'>): ExecutorKind | null {
  const key = `${spec.model}/${spec.task ?? 'fine-tune'}`;
  return (EXECUTOR_TABLE as Record<string, ExecutorKind>)[key] ?? null;
}

/** The executor for `spec` from a surface's factories; throws for a model/task pair without one. */
export function executorFor(spec: ExperimentSpec, factories: ExecutorFactories): CellExecutor {
  const kind = executorKindOf(spec);
  if (!kind)
    throw new Error(
      `Experiment "${spec.id}": no cell executor for model "${spec.model}" with task "${spec.task}".`,
    );
  return factories[kind]();
}
