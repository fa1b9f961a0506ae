import * as pep440 from '@renovatebot/pep440';
import semver from 'semver';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import type { ReadTarget } from '../store/target.js';
import { OCI_KEYS } from './metadata.js';
import type { ReleasePlan } from './plan-types.js';
import { parseVersion, type ReleaseVersion } from './version.js';

/**
 * Floating tags (`latest`, `1`, a bare variant suffix) never move back to
 * an older release by accident: a tag that would move is held where it is
 * when the image it names now carries a newer version than this release.
 * The version is read from the image's `org.opencontainers.image.version`
 * annotation, which gantry writes as each image's first tag (metadata.ts):
 * `0.29.0` on the base, `0.29.0-busybox` on a variant. The release version
 * is found in it by the shape of this release's own first tag (what comes
 * before and after the version text), so the same image of an older or
 * newer release is compared, and anything else is not.
 */

/** The version annotation of the image `digest` names in a destination. */
export type CurrentVersion = (
  destination: string,
  digest: Digest,
) => Promise<string | undefined>;

/**
 * The version the tag's current image carries, when it is newer than the
 * release's; undefined when it is not, or when it cannot be told (no
 * annotation: not made by gantry; another shape: another image).
 */
export async function newerVersion(
  plan: ReleasePlan,
  write: { destination: string; image: string },
  now: Digest,
  read: CurrentVersion,
): Promise<string | undefined> {
  const text = await read(write.destination, now);
  if (text === undefined) return undefined;
  const image = plan.images.find((planned) => planned.name === write.image);
  const own = image?.annotations.index[OCI_KEYS.version] ?? image?.tags[0];
  if (own === undefined) return undefined;

  const release = parseVersion(plan.version.normalized, plan.version.scheme);
  const found = versionInAnnotation(text, own, release);
  if (found === undefined) return undefined;
  return compareVersions(found, release) > 0 ? found.normalized : undefined;
}

/**
 * Reads the version out of `text` where this release's version text sits
 * in `own` (its own annotation). Tag text replaced `+` and `!` with `-`
 * (toTagText), so build metadata or an epoch read back as written there;
 * such versions are rare in floating tags and compare as they parse.
 */
export function versionInAnnotation(
  text: string,
  own: string,
  release: ReleaseVersion,
): ReleaseVersion | undefined {
  const at = own.indexOf(release.tagText);
  if (at < 0) return undefined;
  const prefix = own.slice(0, at);
  const suffix = own.slice(at + release.tagText.length);
  const fits =
    text.length > prefix.length + suffix.length &&
    text.startsWith(prefix) &&
    text.endsWith(suffix);
  if (!fits) return undefined;
  const middle = text.slice(prefix.length, text.length - suffix.length);
  try {
    return parseVersion(middle, release.scheme);
  } catch {
    return undefined;
  }
}

/**
 * Orders two versions of one scheme: negative when `a` is older, zero when
 * equal, positive when newer. SemVer 2.0.0 item 11 (build metadata plays no
 * part); PEP 440 "Summary of permitted suffixes and relative ordering".
 */
export function compareVersions(a: ReleaseVersion, b: ReleaseVersion): number {
  return a.scheme === 'semver'
    ? semver.compare(a.normalized, b.normalized)
    : pep440.compare(a.normalized, b.normalized);
}

/**
 * A CurrentVersion over the targets `open` gives, reading each image once
 * per destination: by the descriptor its tag resolved to (`described`, kept
 * by the tag look-ups), so one GET and no HEAD, else resolved by digest.
 */
export function versionReader(
  open: (destination: string) => Promise<ReadTarget | undefined>,
  described: ReadonlyMap<string, Descriptor>,
): CurrentVersion {
  const read = new Map<string, Promise<string | undefined>>();
  return (destination, digest) => {
    const key = `${destination} ${digest}`;
    let version = read.get(key);
    if (version === undefined) {
      version = open(destination).then(async (target) => {
        if (target === undefined) return undefined;
        const descriptor = described.get(key) ?? (await target.resolve(`${digest}`));
        return versionAnnotation(await target.fetchBytes(descriptor));
      });
      read.set(key, version);
    }
    return version;
  };
}

/**
 * The version annotation of an index or manifest (gantry writes it on the
 * index). An image made elsewhere that keeps it only as a config label is
 * not read further: that would take another GET per image for tags gantry
 * did not write, which move as before.
 */
function versionAnnotation(bytes: Uint8Array): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  const annotations = (parsed as { annotations?: unknown } | null)?.annotations;
  if (typeof annotations !== 'object' || annotations === null) return undefined;
  const version = (annotations as Record<string, unknown>)[OCI_KEYS.version];
  return typeof version === 'string' ? version : undefined;
}
