/**
 * A bound on how many tasks run at once. A task holds its slot only while
 * it runs, so tasks that wait on each other never deadlock on slots.
 */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimit(concurrency: number): Limit {
  const slots = Math.max(1, Math.floor(concurrency));
  const waiting: (() => void)[] = [];
  let running = 0;

  const release = (): void => {
    running--;
    waiting.shift()?.();
  };

  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}

/**
 * Waits for every task, so none is left running in the background, then
 * throws the failure that happened first (later ones are often only the
 * consequence: tasks stopped because of it). `onFailure` runs once, at the
 * first failure, to stop the others early.
 */
export async function settleAll<T>(
  tasks: Promise<T>[],
  onFailure?: (error: unknown) => void,
): Promise<T[]> {
  let failed = false;
  let first: unknown;
  const watched = tasks.map((task) =>
    task.catch((error: unknown) => {
      if (!failed) {
        failed = true;
        first = error;
        onFailure?.(error);
      }
      throw error;
    }),
  );
  const settled = await Promise.allSettled(watched);
  if (failed) throw first;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** A bound on tasks at once where each task says how big it is. */
export type SizedLimit = <T>(size: number, task: () => Promise<T>) => Promise<T>;

/**
 * Like createLimit, but a free slot goes to the biggest task waiting, and
 * tasks added in one go are compared before any starts: the largest blobs
 * of a copy then run side by side from the start, instead of one found
 * early but started late finishing alone at the end (longest processing
 * time first, the classic heuristic for finishing a batch soonest).
 */
export function createSizedLimit(concurrency: number): SizedLimit {
  const slots = Math.max(1, Math.floor(concurrency));
  const waiting: { size: number; start: () => void }[] = [];
  let running = 0;

  const startNext = (): void => {
    while (running < slots && waiting.length > 0) {
      let biggest = 0;
      for (let i = 1; i < waiting.length; i++) {
        if (waiting[i]!.size > waiting[biggest]!.size) biggest = i;
      }
      const [chosen] = waiting.splice(biggest, 1);
      running++;
      chosen!.start();
    }
  };

  return async <T>(size: number, task: () => Promise<T>): Promise<T> => {
    await new Promise<void>((start) => {
      waiting.push({ size, start });
      // After the current synchronous batch of adds, so all of it is compared.
      queueMicrotask(startNext);
    });
    try {
      return await task();
    } finally {
      running--;
      startNext();
    }
  };
}
