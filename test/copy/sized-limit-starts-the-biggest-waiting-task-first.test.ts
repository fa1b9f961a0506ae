import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSizedLimit } from '../../src/copy/limit.js';

// Blob transfers go biggest first, so the largest blobs run side by side
// from the start rather than one of them finishing alone at the end.

/** Tasks that each wait until released; `started` lists their sizes in start order. */
function gatedTasks(concurrency: number, sizes: number[]) {
  const limit = createSizedLimit(concurrency);
  const started: number[] = [];
  const gates = new Map<number, () => void>();
  const done = sizes.map((size) =>
    limit(size, async () => {
      started.push(size);
      await new Promise<void>((open) => gates.set(size, open));
      return size;
    }),
  );
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { started, done, settle, finish: (size: number) => gates.get(size)?.() };
}

test('tasks added together start biggest first, at most `concurrency` at once', async () => {
  const run = gatedTasks(2, [1, 20, 5, 12, 3]);
  await run.settle();
  assert.deepEqual(run.started, [20, 12]);

  run.finish(12);
  await run.settle();
  assert.deepEqual(run.started, [20, 12, 5]);

  for (const size of [20, 5, 3, 1]) {
    run.finish(size);
    await run.settle();
  }
  assert.deepEqual(run.started, [20, 12, 5, 3, 1]);
  assert.deepEqual(await Promise.all(run.done), [1, 20, 5, 12, 3]);
});

test('a failing task frees its slot for the next biggest', async () => {
  const limit = createSizedLimit(1);
  const failing = limit(10, async () => {
    throw new Error('blob failed');
  });
  const next = limit(2, async () => 'ran');
  await assert.rejects(failing, /blob failed/);
  assert.equal(await next, 'ran');
});
