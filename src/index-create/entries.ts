import { ErrorCode, GantryError } from '../errors.js';
import { parseImageConfig } from '../oci/config.js';
import type { Descriptor } from '../oci/descriptor.js';
import { describeManifest, parseManifest } from '../oci/manifest.js';
import { platformToString } from '../oci/platform.js';
import type { RegistryClient } from '../registry/client.js';
import { openTarget } from '../store/open-target.js';
import type { ReadTarget } from '../store/target.js';

/**
 * The platform images a new index gathers from its sources: an index
 * contributes each entry that has a platform (its exact descriptor, the
 * platform as the index says it); a single manifest contributes itself,
 * with the platform its config declares.
 */

export interface IndexEntry {
  /** The source as typed, for messages. */
  source: string;
  target: ReadTarget;
  /** The source's exact descriptor, platform set. */
  descriptor: Descriptor;
}

/**
 * BuildKit stores attestation manifests in an index as entries of platform
 * unknown/unknown (its attestation-storage layout); they describe other
 * entries, not a platform, and are not taken. TODO(spec): carry them along
 * with the entries they attest.
 */
const ATTESTATION_PLATFORM = 'unknown/unknown';

export async function gatherEntries(
  sources: readonly string[],
  client: RegistryClient,
): Promise<IndexEntry[]> {
  const entries: IndexEntry[] = [];
  for (const source of sources) entries.push(...(await sourceEntries(source, client)));
  refuseDuplicatePlatforms(entries);
  return entries;
}

async function sourceEntries(
  source: string,
  client: RegistryClient,
): Promise<IndexEntry[]> {
  const { target, ref } = await openTarget(source, { client, readOnly: true });
  if (ref === undefined) {
    throw new GantryError(ErrorCode.Usage, `--from ${source} names no tag or digest`, {
      hint: 'write the source as host/repo:tag, host/repo@sha256:..., or oci:DIR:tag',
    });
  }
  const root = await target.resolve(ref);
  const manifest = parseManifest(await target.fetchBytes(root), {
    descriptorMediaType: root.mediaType,
    expectedDigest: root.digest,
    where: source,
  });

  if (manifest.kind === 'index') {
    return manifest.manifests
      .filter((entry) => entry.platform !== undefined)
      .filter((entry) => platformToString(entry.platform!) !== ATTESTATION_PLATFORM)
      .map((descriptor) => ({ source, target, descriptor }));
  }
  const config = parseImageConfig(await target.fetchBytes(manifest.config), {
    expectedDigest: manifest.config.digest,
    where: `${source} config`,
  });
  const descriptor = describeManifest(manifest, { platform: config.platform });
  return [{ source, target, descriptor }];
}

/** Two entries of one platform would leave a runtime to pick one at random. */
function refuseDuplicatePlatforms(entries: readonly IndexEntry[]): void {
  const seen = new Map<string, string>();
  for (const entry of entries) {
    const platform = platformToString(entry.descriptor.platform!);
    const earlier = seen.get(platform);
    if (earlier !== undefined) {
      throw new GantryError(
        ErrorCode.Usage,
        `platform ${platform} comes from both ${earlier} and ${entry.source}`,
        { hint: 'name each platform once: drop one source or pick its other platforms' },
      );
    }
    seen.set(platform, entry.source);
  }
}
