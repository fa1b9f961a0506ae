import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { CopyEvent } from '../../src/copy/types.js';
import type { Descriptor } from '../../src/oci/descriptor.js';
import { parseManifest } from '../../src/oci/manifest.js';
import { isManifestType, isNondistributableType } from '../../src/oci/mediatype.js';
import { Reference } from '../../src/reference/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import type { SessionOptions } from '../../src/registry/session.js';
import { RegistryTarget } from '../../src/store/registry-target.js';
import type { ReadTarget } from '../../src/store/target.js';
import { type RunningRegistry, startRegistry } from '../harness/registries.js';

/**
 * Helpers of the copy tests: private registries, targets on them, event
 * counts, and a walk that lists what a target holds of an image graph.
 */

/** A client closed when the test file ends. */
export function newClient(options?: SessionOptions): RegistryClient {
  const client = new RegistryClient(options);
  after(() => client.close());
  return client;
}

/** A private plain registry, stopped when the test file ends. */
export async function privateRegistry(): Promise<RunningRegistry> {
  const registry = await startRegistry('plain');
  after(() => registry.stop());
  return registry;
}

export function repoTarget(
  client: RegistryClient,
  host: string,
  repository: string,
): RegistryTarget {
  return new RegistryTarget(client, Reference.parseRepository(`${host}/${repository}`));
}

/** A fresh temp folder, removed after the test file. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gantry-copy-test-'));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Collects events; `count` tells how many blobs went each way. */
export function eventLog() {
  const events: CopyEvent[] = [];
  const onEvent = (event: CopyEvent) => events.push(event);
  const count = (how: 'uploaded' | 'mounted' | 'skipped') =>
    events.filter((e) => e.type === 'blob-done' && e.how === how).length;
  return { events, onEvent, count };
}

export interface GraphContent {
  /** Every manifest and index reachable, sorted digests. */
  manifests: string[];
  /** Every blob named, sorted digests. */
  blobs: string[];
  /** Manifests named somewhere that the target does not hold. */
  missing: string[];
}

/**
 * Walks the graph below `root` in `target`: which manifests and blobs it
 * names, and which of them the target lacks. A missing manifest is not
 * walked further.
 */
export async function graphIn(
  target: ReadTarget,
  root: Descriptor,
): Promise<GraphContent> {
  const manifests = new Set<string>();
  const blobs = new Set<string>();
  const missing = new Set<string>();
  const queue = [root];
  while (queue.length > 0) {
    const next = queue.shift()!;
    const key = next.digest.toString();
    if (manifests.has(key) || blobs.has(key)) continue;
    if (!(await target.exists(next))) {
      if (!isNondistributableType(next.mediaType)) missing.add(key);
      continue;
    }
    if (!isManifestType(next.mediaType)) {
      blobs.add(key);
      continue;
    }
    manifests.add(key);
    const bytes = await target.fetchBytes(next);
    const manifest = parseManifest(bytes, { descriptorMediaType: next.mediaType });
    if (manifest.kind === 'index') queue.push(...manifest.manifests);
    else queue.push(manifest.config, ...manifest.layers);
  }
  return {
    manifests: [...manifests].sort(),
    blobs: [...blobs].sort(),
    missing: [...missing].sort(),
  };
}

/** Asserts that the graph below `root` in `target` lacks nothing. */
export async function assertComplete(target: ReadTarget, root: Descriptor) {
  const graph = await graphIn(target, root);
  assert.deepEqual(graph.missing, [], `${target.description} lacks children`);
  return graph;
}
