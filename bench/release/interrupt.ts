/**
 * `npm run bench:release-interrupt`: the real-world release (25 images, two
 * platforms, two registries, 84 tags each) stopped at random points and run
 * again, TRIALS times, each trial into fresh repositories. Trials alternate
 * between an AbortSignal after a random number of release events (in
 * process) and SIGKILL of the `gantry release` child after a random delay.
 * After each stop every tag in both registries must name complete content
 * on its final digest; after the re-run (the CLI) every one of the 84 tags
 * must be there, the same in both. Too slow for `npm test` (about 20 s a
 * trial on two cores). Flags: `--trials N`, `--seed S`, `--no-build`.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReleaseRecord } from '../../src/release/record.js';
import { TAGS_PER_REPOSITORY } from '../../test/release/fixtures/real-world/bases.js';
import { type WalkedTag, walkTags } from '../../test/release/fixtures/real-world/walk.js';
import { log } from '../copy/scenarios.js';
import { buildDist, type ReleaseBench, withReleaseBench } from './setup.js';
import { releaseChild, releaseInProcess } from './stop.js';

/** The acceptance asks for at least twenty. */
const TRIALS = 20;

interface Trial {
  trial: number;
  how: string;
  /** Tags present after the stop, in the first and the second registry. */
  left: [number, number];
  /** Blobs the re-run uploaded, both registries. */
  uploaded: number;
}

/** mulberry32: a small seeded generator, so a failing trial can be repeated. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function flag(argv: string[], name: string, fallback: number): number {
  const at = argv.indexOf(name);
  const value = at >= 0 ? Number(argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} needs a whole number`);
  return value;
}

/** Every walked tag is on the digest the complete release gives it. */
function checkAgainst(
  expected: Map<string, string>,
  walked: WalkedTag[],
  where: string,
): void {
  for (const { tag, digest } of walked) {
    assert.equal(
      digest,
      expected.get(tag),
      `${where}:${tag} names a digest no run plans`,
    );
  }
}

async function reference(bench: ReleaseBench) {
  const run = await bench.release('reference');
  const inProcess = await releaseInProcess(bench.client, run);
  const walked = await walkTags(bench.client, run.repositories[0]);
  assert.equal(walked.length, TAGS_PER_REPOSITORY);
  assert.deepEqual(await walkTags(bench.client, run.repositories[1]), walked);

  const cli = await bench.release('reference-cli');
  const timed = await releaseChild(cli, join(bench.work, 'reference-cli.json'));
  assert.deepEqual(await walkTags(bench.client, cli.repositories[1]), walked);
  log(
    `reference: ${inProcess.events} events, ` +
      `CLI release ${(timed.ms / 1000).toFixed(1)} s`,
  );
  return {
    events: inProcess.events,
    ms: timed.ms,
    expected: new Map(walked.map(({ tag, digest }) => [tag, digest])),
  };
}

async function trial(
  bench: ReleaseBench,
  number: number,
  next: () => number,
  ref: Awaited<ReturnType<typeof reference>>,
): Promise<Trial> {
  const run = await bench.release(`trial-${number}`);
  let how: string;
  if (number % 2 === 0) {
    const stopAfter = 1 + Math.floor(next() * (ref.events - 1));
    const { stopped } = await releaseInProcess(bench.client, run, stopAfter);
    how = `abort after event ${stopAfter}${stopped ? '' : ' (finished first)'}`;
  } else {
    const delay = Math.floor(next() * ref.ms);
    const { killed } = await releaseChild(
      run,
      join(bench.work, `t${number}.json`),
      delay,
    );
    how = `SIGKILL after ${delay} ms${killed ? '' : ' (finished first)'}`;
  }

  const left = await Promise.all(run.repositories.map((r) => walkTags(bench.client, r)));
  for (const [i, walked] of left.entries()) {
    checkAgainst(ref.expected, walked, run.repositories[i]!);
  }

  const record = join(bench.work, `trial-${number}.json`);
  await releaseChild(run, record);
  const written = JSON.parse(await readFile(record, 'utf8')) as ReleaseRecord;
  for (const repository of run.repositories) {
    const walked = await walkTags(bench.client, repository);
    assert.deepEqual(
      new Map(walked.map((w) => [w.tag, w.digest])),
      ref.expected,
      repository,
    );
  }
  const uploaded = written.destinations.reduce((sum, d) => sum + d.uploaded.blobs, 0);
  return { trial: number, how, left: [left[0]!.length, left[1]!.length], uploaded };
}

function table(trials: Trial[], seed: number): string {
  const rows = trials.map(
    (t) =>
      `| ${t.trial} | ${t.how} | ${t.left[0]} / ${t.left[1]} ` +
      `| ${t.uploaded} | complete |`,
  );
  return [
    `Interrupted real-world releases (seed ${seed}): every stop left only complete tags`,
    `on their final digests, and every re-run ended with all ${TAGS_PER_REPOSITORY} tags`,
    'in both registries.',
    '',
    '| trial | stopped by | tags left (A / B) | blobs the re-run uploaded ' +
      '| after re-run |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const trials = flag(argv, '--trials', TRIALS);
  const seed = flag(argv, '--seed', Date.now() % 2 ** 31);
  if (!argv.includes('--no-build')) buildDist();
  const next = random(seed);
  const results = await withReleaseBench(async (bench) => {
    const ref = await reference(bench);
    const done: Trial[] = [];
    for (let i = 0; i < trials; i++) {
      done.push(await trial(bench, i, next, ref));
      log(`trial ${i}: ${done.at(-1)!.how}: complete after the re-run`);
    }
    return done;
  });
  process.stdout.write(`${table(results, seed)}\n`);
}

await main();
