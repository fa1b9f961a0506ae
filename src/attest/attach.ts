import type { BuildResult } from '../build/build-image.js';
import { ErrorCode, GantryError } from '../errors.js';
import { createIndex } from '../oci/create.js';
import { Digest } from '../oci/digest.js';
import { describeManifest } from '../oci/manifest.js';
import { MediaType } from '../oci/mediatype.js';
import { MemoryTarget } from '../store/memory.js';
import type { WriteTarget } from '../store/target.js';
import {
  type AttestationContent,
  attestationEntry,
  attestationManifest,
  referrerArtifact,
} from './manifest.js';
import { AttestedStaging } from './staging.js';
import type { InTotoStatement } from './statement.js';

/**
 * Attestations added to a build: as entries of its index (BuildKit's
 * layout; the index, and so the digest tags name, changes) or as referrer
 * artifacts next to it (the index stays as built; a copy with referrers
 * takes them along). Either way the result's staging serves them, so one
 * copy publishes image and attestations, children first.
 */

/** Where attestations go (release file `attestations.mode`). */
export type AttestationMode = 'index' | 'referrers';

/** Statements about one platform manifest of the build, by its digest. */
export type StatementsByManifest = ReadonlyMap<string, InTotoStatement[]>;

export async function attachAttestations(
  result: BuildResult,
  statements: StatementsByManifest,
  mode: AttestationMode,
): Promise<BuildResult> {
  const added = new MemoryTarget({ description: 'attestations' });
  const staging = new AttestedStaging(added, result.staging);
  const contents: { content: AttestationContent; about: string }[] = [];
  for (const built of result.manifests) {
    const about = `${built.manifest.digest}`;
    const list = statements.get(about) ?? [];
    if (list.length === 0) continue;
    if (mode === 'index') contents.push({ content: attestationManifest(list), about });
    else {
      const subject = describeManifest(built.manifest);
      for (const one of list)
        contents.push({ content: referrerArtifact(one, subject), about });
    }
  }
  for (const { content } of contents) await pushContent(added, content);
  if (mode === 'referrers' || contents.length === 0) return { ...result, staging };

  const index = withEntries(result, contents);
  await added.push(describeManifest(index), index.bytes);
  return { ...result, index, staging, root: describeManifest(index) };
}

/** Blobs first, then the manifest: a target never holds a manifest without its blobs. */
export async function pushContent(
  target: WriteTarget,
  content: AttestationContent,
): Promise<void> {
  for (const blob of content.blobs) await target.push(blob.descriptor, blob.bytes);
  await target.push(describeManifest(content.manifest), content.manifest.bytes);
}

/** The build's index with one attestation entry per attested platform, after them all. */
function withEntries(
  result: BuildResult,
  contents: { content: AttestationContent; about: string }[],
) {
  const index = result.index;
  if (index === undefined || index.mediaType !== MediaType.OciIndex) {
    throw new GantryError(
      ErrorCode.Usage,
      `cannot add attestations to ${result.root.digest}: it is not an OCI index`,
      { hint: 'build with an index (index: true), or attach attestations as referrers' },
    );
  }
  const entries = contents.map(({ content, about }) =>
    attestationEntry(content.manifest, Digest.parse(about)),
  );
  return createIndex({
    mediaType: MediaType.OciIndex,
    manifests: [...index.manifests, ...entries],
    ...(index.annotations === undefined ? {} : { annotations: index.annotations }),
  });
}
