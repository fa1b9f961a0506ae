import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { type AttestationSettings, attestRelease } from '../../src/attest/release.js';
import {
  type BuildResult,
  buildImages,
  type PlatformBuild,
} from '../../src/build/build-image.js';
import type { Descriptor } from '../../src/oci/descriptor.js';
import { type Manifest, parseManifest } from '../../src/oci/manifest.js';
import type { RegistryClient } from '../../src/registry/client.js';
import type { ReleasePlan } from '../../src/release/plan-types.js';
import type { ReadTarget } from '../../src/store/target.js';

/**
 * Shared set-up of the attestation tests: a two-platform scratch image
 * with one file per platform, built and attested as a release would, and
 * the image-spec JSON schemas loaded the way test/oci/schema-conformance
 * loads them.
 */

export const VERSION = '2.0.1';
export const CREATED = '2026-01-02T03:04:05Z';
export const ARCHES = ['amd64', 'arm64'] as const;

/** Writes `dist/<arch>/tool` under `dir`. */
export function writeTools(dir: string): void {
  for (const arch of ARCHES) {
    mkdirSync(join(dir, 'dist', arch), { recursive: true });
    writeFileSync(join(dir, 'dist', arch, 'tool'), `#!/bin/sh\necho ${arch}\n`);
  }
}

export function toolBuilds(dir: string): PlatformBuild[] {
  return ARCHES.map((architecture) => ({
    platform: { os: 'linux', architecture },
    base: 'scratch',
    steps: [
      {
        kind: 'layer' as const,
        createdBy: 'files',
        inputs: [
          {
            source: join(dir, 'dist', architecture, 'tool'),
            destination: '/usr/bin/tool',
          },
        ],
      },
    ],
  }));
}

export function planFor(destinations: string[]): ReleasePlan {
  return {
    file: 'release.yaml',
    version: { input: VERSION, normalized: VERSION, scheme: 'semver', prerelease: false },
    created: CREATED,
    notes: [],
    platforms: ARCHES.map((a) => `linux/${a}`),
    attestations: { provenance: true, sbom: false, mode: 'index' },
    order: ['base'],
    images: [],
    destinations: destinations.map((name) => ({
      name,
      kind: name.startsWith('oci:') ? ('layout' as const) : ('registry' as const),
      writes: [],
    })),
  };
}

/** Builds the tool image and attests it as `executeRelease` does. */
export async function buildAttested(
  client: RegistryClient,
  dir: string,
  settings: AttestationSettings,
  destinations: string[] = ['registry.example/tools/tool', `oci:${dir}/out`],
): Promise<BuildResult> {
  const builds = toolBuilds(dir);
  const built = await buildImages(builds, {
    client,
    epoch: Date.parse(CREATED) / 1000,
    cacheDir: false,
    index: true,
    indexAnnotations: {},
  });
  return attestRelease(built, settings, {
    plan: planFor(destinations),
    image: 'base',
    builds,
    baseDir: dir,
    bases: new Map(),
  });
}

export async function readManifest(target: ReadTarget, d: Descriptor): Promise<Manifest> {
  const bytes = await target.fetchBytes(d);
  return parseManifest(bytes, {
    descriptorMediaType: d.mediaType,
    expectedDigest: d.digest,
  });
}

export async function readJson(target: ReadTarget, d: Descriptor): Promise<unknown> {
  return JSON.parse(new TextDecoder().decode(await target.fetchBytes(d)));
}

/** image-spec v1.1.1 schemas: one base for all files, nested ids and $schema dropped. */
export function loadSchemas(dir: string): Record<string, ValidateFunction> {
  const base = 'https://schemas.gantry.test/image-spec/';
  const ajv = new Ajv({ strict: false, allErrors: true });
  const addFormats = (ajvFormats.default ?? ajvFormats) as unknown as (a: Ajv) => void;
  addFormats(ajv);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const schema = stripIds(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    ajv.addSchema({ ...(schema as object), $id: base + file });
  }
  return {
    manifest: ajv.getSchema(`${base}image-manifest-schema.json`)!,
    index: ajv.getSchema(`${base}image-index-schema.json`)!,
    config: ajv.getSchema(`${base}config-schema.json`)!,
  };
}

function stripIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripIds);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if ((key === 'id' && typeof item === 'string') || key === '$schema') continue;
    out[key] = stripIds(item);
  }
  return out;
}
