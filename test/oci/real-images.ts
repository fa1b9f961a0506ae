import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseImageConfig } from '../../src/oci/config.js';
import { type Descriptor, EMPTY_DESCRIPTOR } from '../../src/oci/descriptor.js';
import type { Digest } from '../../src/oci/digest.js';
import { type Manifest, parseManifest } from '../../src/oci/manifest.js';
import { isImageConfigType, isManifestType } from '../../src/oci/mediatype.js';
import { SHARED_DIR, sharedPath, skipUnlessShared } from '../harness/shared-dir.js';

/**
 * Test helpers over the real images in the shared folder (made by buildx,
 * BuildKit and regctl; see fixtures/README.md there; located by
 * harness/shared-dir.ts). Tests that use them skip with a message where
 * that folder is absent.
 */

export const SHARED = SHARED_DIR;
export const LAYOUT_DIR = sharedPath('fixtures', 'buildx-layout');
export const ARCHIVE_FILE = sharedPath(
  'fixtures',
  'buildkit',
  'hello-oci-multiplatform-gzip.tar',
);
export const SCHEMA_DIR = sharedPath('conformance', 'image-spec-v1.1.1');

export const skipUnless = skipUnlessShared;

/** The files of an OCI layout: `index.json` and blobs by digest. */
export interface LayoutFiles {
  index: Uint8Array;
  blob(digest: Digest): Uint8Array;
  blobNames(): string[];
}

export function layoutFromDir(dir: string): LayoutFiles {
  const blobDir = join(dir, 'blobs', 'sha256');
  return {
    index: readFileSync(join(dir, 'index.json')),
    blob: (digest) => readFileSync(join(dir, 'blobs', digest.algorithm, digest.hex)),
    blobNames: () => readdirSync(blobDir).map((hex) => `sha256:${hex}`),
  };
}

export function layoutFromTar(file: string): LayoutFiles {
  const entries = readTar(readFileSync(file));
  const get = (name: string) => {
    const bytes = entries.get(name);
    if (bytes === undefined) throw new Error(`${file}: no entry ${name}`);
    return bytes;
  };
  return {
    index: get('index.json'),
    blob: (digest) => get(`blobs/${digest.algorithm}/${digest.hex}`),
    blobNames: () =>
      [...entries.keys()]
        .filter((name) => name.startsWith('blobs/sha256/'))
        .map((name) => `sha256:${name.slice('blobs/sha256/'.length)}`),
  };
}

/** Regular files of a ustar archive (POSIX.1-1988 headers; enough for these fixtures). */
export function readTar(archive: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const text = (from: number, length: number) =>
    Buffer.from(archive.subarray(from, from + length))
      .toString('utf8')
      .replace(/\0.*$/s, '');

  for (let offset = 0; offset + 512 <= archive.byteLength; ) {
    if (archive.subarray(offset, offset + 512).every((b) => b === 0)) break;
    const prefix = text(offset + 345, 155);
    const name = (prefix ? `${prefix}/` : '') + text(offset, 100);
    const size = Number.parseInt(text(offset + 124, 12).trim() || '0', 8);
    const type = text(offset + 156, 1);
    const start = offset + 512;
    if (type === '0' || type === '') {
      files.set(name.replace(/^\.\//, ''), archive.slice(start, start + size));
    }
    offset = start + Math.ceil(size / 512) * 512;
  }
  return files;
}

export interface WalkedImage {
  manifests: Manifest[];
  configs: Array<{ descriptor: Descriptor; bytes: Uint8Array }>;
}

/**
 * Every manifest, index and image config reachable from `index.json`, each
 * parsed with its parent descriptor as the hint and its digest verified.
 * Visits each digest once (the layout holds an index that refers to itself
 * through a subject; children are walked, subjects are not).
 */
export function walkLayout(layout: LayoutFiles): WalkedImage {
  const walked: WalkedImage = { manifests: [], configs: [] };
  const seen = new Set<string>();
  const root = parseManifest(layout.index, { where: 'index.json' });
  if (root.kind !== 'index') throw new Error('index.json is not an index');

  const visit = (d: Descriptor): void => {
    if (seen.has(d.digest.toString())) return;
    seen.add(d.digest.toString());
    if (isImageConfigType(d.mediaType)) {
      walked.configs.push({ descriptor: d, bytes: layout.blob(d.digest) });
      return;
    }
    if (!isManifestType(d.mediaType)) return;

    const manifest = parseManifest(layout.blob(d.digest), {
      descriptorMediaType: d.mediaType,
      expectedDigest: d.digest,
    });
    walked.manifests.push(manifest);
    const children = manifest.kind === 'index' ? manifest.manifests : [manifest.config];
    for (const child of children) visit(child);
  };
  for (const entry of root.manifests) visit(entry);
  return walked;
}

/**
 * Parses every image config the walk found; returns how many. Artifacts
 * made with the pre-1.1 guidance label `{}` as an image config: not an
 * image config at all (no architecture, os, rootfs), so they are skipped.
 */
export function parseConfigs(walked: WalkedImage): number {
  const images = walked.configs.filter(
    ({ descriptor }) => !descriptor.digest.equals(EMPTY_DESCRIPTOR.digest),
  );
  for (const { descriptor, bytes } of images) {
    parseImageConfig(bytes, { expectedDigest: descriptor.digest });
  }
  return images.length;
}
