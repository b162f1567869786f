/**
 * One compute job at a time in the worker: a training run and an experiment grid must not share the model, the
 * backend's memory or the CPU. `claimJob` throws a message naming the job that runs.
 */
let active: string | null = null;

/** The job that runs now ('training', 'experiment wrn-table2', …), or null. */
export const activeJob = (): string | null => active;

export function claimJob(name: string): void {
  if (active)
    throw new Error(`${active} is running in the worker: wait for it to finish or cancel it first.`);
  active = name;
}

export function releaseJob(name: string): void {
  if (active === name) active = null;
}
