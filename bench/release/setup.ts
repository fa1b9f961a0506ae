import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryClient } from '../../src/registry/client.js';
import { type RunningRegistry, startRegistry } from '../../test/harness/registries.js';
import { realWorldReleaseFile } from '../../test/release/fixtures/real-world/bases.js';
import {
  releaseEnv,
  seedBases,
  writeDist,
} from '../../test/release/fixtures/real-world/setup.js';
import { log } from '../copy/scenarios.js';
import { buildDist as buildRepoDist } from '../dist.js';
import type { ReleaseRun } from './stop.js';

/**
 * What the release benchmark and the interruption trials share: dist/ built
 * for the CLI, two plain registries with the 24 generated base images in
 * the first, a work folder with the tool's binaries, and one release file
 * per run naming that run's own (fresh) repositories.
 */

/** Every run's file has this name: the provenance records it, so digests depend on it. */
const RELEASE_FILE = 'release.yaml';

export interface ReleaseBench {
  /** Registry hosts: the bases live in `a`; both are destinations. */
  a: string;
  b: string;
  work: string;
  client: RegistryClient;
  /** Writes `NAME/release.yaml` publishing to `a/NAME/tool` and `b/NAME/tool`. */
  release(
    name: string,
    variants?: number,
  ): Promise<ReleaseRun & { repositories: [string, string] }>;
}

/** The release file with only its first `count` variants (for a quick run). */
export function firstVariants(text: string, count: number): string {
  const [head, rest] = text.split(/^variants:\n/m) as [string, string];
  const end = rest.search(/^\S/m);
  const entries = rest.slice(0, end).split(/^(?= {2}- from:)/m);
  return `${head}variants:\n${entries.slice(0, count).join('')}${rest.slice(end)}`;
}

export function buildDist(): void {
  buildRepoDist(log);
}

export async function withReleaseBench<T>(
  body: (bench: ReleaseBench) => Promise<T>,
): Promise<T> {
  const work = mkdtempSync(join(tmpdir(), 'gantry-bench-release-'));
  const registries: RunningRegistry[] = [];
  const client = new RegistryClient();
  try {
    registries.push(await startRegistry('plain'), await startRegistry('plain'));
    const [a, b] = registries.map((r) => r.host) as [string, string];
    log('seeding the 24 base images');
    await seedBases(client, a);
    const release = async (name: string, variants?: number) => {
      const repositories: [string, string] = [`${a}/${name}/tool`, `${b}/${name}/tool`];
      // One folder per run, the file always named alike: provenance names the file.
      const folder = join(work, name);
      await writeDist(folder);
      const file = join(folder, RELEASE_FILE);
      const text = realWorldReleaseFile(a, repositories);
      await writeFile(
        file,
        variants === undefined ? text : firstVariants(text, variants),
      );
      return { file, env: releaseEnv(work), repositories };
    };
    return await body({ a, b, work, client, release });
  } finally {
    await client.close();
    await Promise.allSettled(registries.map((r) => r.stop()));
    rmSync(work, { recursive: true, force: true });
  }
}
