import { attestedDigest, type Descriptor } from '../oci/descriptor.js';
import { familyOf } from '../oci/mediatype.js';
import { platformToString } from '../oci/platform.js';
import type { ReadTarget } from '../store/target.js';
import { type ImageTree, mediaTypesOf } from './read-image.js';
import { CheckId, type Failure, type Findings } from './types.js';

/**
 * The checks of one image read back from one place: media types, platforms
 * and their configs, annotations, labels, attestations and blobs. Each
 * failure names the place, the tag and the digest given in `where`.
 */

export interface ImageExpectation {
  mediaType?: string;
  /** Exactly these platforms (`os/arch[/variant]`), in any order. */
  platforms?: string[];
  /** At least these platforms. */
  requiredPlatforms?: string[];
  /** Index (or manifest) annotations; a value of undefined only requires the key. */
  annotations?: Record<string, string | undefined>;
  /** On every platform entry of the index (image-index.md `manifests[].annotations`). */
  descriptorAnnotations?: Record<string, string>;
  /** Labels in every platform's config. */
  labels?: Record<string, string>;
  /** Refuse any Docker v2 media type (gantry publishes OCI only). */
  ociOnly: boolean;
  requireAttestations?: boolean;
  /** HEAD every config and layer. */
  blobs: boolean;
  /** Blobs the caller read whole (size checked): present, not asked again. */
  read?: ReadonlySet<string>;
}

export interface Place {
  destination: string;
  tag?: string;
  digest: string;
}

export async function checkImage(
  findings: Findings,
  target: ReadTarget,
  tree: ImageTree,
  expect: ImageExpectation,
  place: Place,
): Promise<void> {
  const fail = failureAt(place);
  checkIncomplete(findings, tree, place);
  checkMediaTypes(findings, tree, expect, fail);
  checkPlatforms(findings, tree, expect, fail);
  checkAnnotations(findings, tree, expect, fail);
  checkAttestations(findings, tree, expect, fail);
  if (expect.blobs) await checkBlobs(findings, target, tree, expect.read, fail);
}

export type Fail = (
  check: Failure['check'],
  what: string,
  expected?: string,
  actual?: string,
) => () => Failure;

export function failureAt(place: Place): Fail {
  const at = `${place.destination}${place.tag === undefined ? '' : `:${place.tag}`}`;
  return (check, what, expected, actual) => () => ({
    check,
    destination: place.destination,
    ...(place.tag === undefined ? {} : { tag: place.tag }),
    digest: place.digest,
    ...(expected === undefined ? {} : { expected }),
    ...(actual === undefined ? {} : { actual }),
    message:
      `${at}: ${what}` +
      (expected === undefined && actual === undefined
        ? ''
        : `: expected ${expected ?? '(none)'}, got ${actual ?? '(none)'}`),
  });
}

/**
 * A child manifest or config absent: one blob-missing failure each, naming
 * the platform, the blob and its declared size. The image's other checks
 * still run on what could be read.
 */
export function checkIncomplete(findings: Findings, tree: ImageTree, place: Place) {
  const fail = failureAt(place);
  for (const image of tree.incomplete) {
    const platform = image.platform === undefined ? '' : ` of ${image.platform}`;
    findings.fail(
      fail(
        CheckId.BlobMissing,
        `${image.what} ${image.missing.digest}${platform}`,
        `${image.missing.size} bytes`,
        'absent',
      )(),
    );
  }
}

function checkMediaTypes(f: Findings, tree: ImageTree, e: ImageExpectation, fail: Fail) {
  const type = tree.root.mediaType;
  if (e.mediaType !== undefined) {
    f.check(
      type === e.mediaType,
      fail(CheckId.MediaType, 'media type', e.mediaType, type),
    );
  }
  if (!e.ociOnly) return;
  const docker = mediaTypesOf(tree).filter((t) => familyOf(t) === 'docker');
  f.check(
    docker.length === 0,
    fail(CheckId.DockerMediaType, 'Docker v2 media types', 'OCI only', docker.join(', ')),
  );
}

function checkPlatforms(f: Findings, tree: ImageTree, e: ImageExpectation, fail: Fail) {
  const actual = [
    ...tree.platforms.map((image) => image.platform),
    ...tree.incomplete.flatMap((image) => (image.platform ? [image.platform] : [])),
  ].sort();
  if (e.platforms !== undefined) {
    const wanted = [...e.platforms].sort();
    f.check(
      wanted.join(',') === actual.join(','),
      fail(CheckId.Platforms, 'platforms', wanted.join(', '), actual.join(', ')),
    );
  }
  for (const platform of e.requiredPlatforms ?? []) {
    f.check(
      actual.includes(platform),
      fail(
        CheckId.Platforms,
        `platform ${platform} missing`,
        platform,
        actual.join(', '),
      ),
    );
  }

  for (const image of tree.platforms) {
    const declared = image.descriptor.platform;
    if (declared === undefined) continue;
    const said = platformToString(declared);
    f.check(
      said === image.platform,
      fail(
        CheckId.PlatformConfig,
        `config of ${image.descriptor.digest}`,
        said,
        image.platform,
      ),
    );
    for (const [key, value] of Object.entries(e.labels ?? {})) {
      const got = image.config.config.Labels?.[key];
      f.check(
        got === value,
        fail(CheckId.Label, `label ${key} on ${image.platform}`, value, got),
      );
    }
  }
}

function checkAnnotations(f: Findings, tree: ImageTree, e: ImageExpectation, fail: Fail) {
  const annotations = tree.root.annotations ?? {};
  for (const [key, value] of Object.entries(e.annotations ?? {})) {
    const got = annotations[key];
    const holds = value === undefined ? got !== undefined : got === value;
    f.check(
      holds,
      fail(CheckId.Annotation, `annotation ${key}`, value ?? '(any value)', got),
    );
  }
  // Attestation entries are left out: they carry BuildKit's own annotations.
  const entries = [...tree.platforms, ...tree.incomplete].map(
    (image) => image.descriptor,
  );
  for (const [key, value] of Object.entries(e.descriptorAnnotations ?? {})) {
    for (const entry of entries) {
      const got = entry.annotations?.[key];
      const platform =
        entry.platform === undefined ? '' : platformToString(entry.platform);
      f.check(
        got === value,
        fail(
          CheckId.Annotation,
          `annotation ${key} on the index entry ${entry.digest} ${platform}`.trimEnd(),
          value,
          got,
        ),
      );
    }
  }
}

function checkAttestations(
  f: Findings,
  tree: ImageTree,
  e: ImageExpectation,
  fail: Fail,
) {
  if (e.requireAttestations === true) {
    f.check(
      tree.attestations.length > 0,
      fail(CheckId.AttestationMissing, 'attestations', 'at least one', 'none'),
    );
  }
  const held = new Set(
    [...tree.platforms, ...tree.incomplete].map((image) =>
      image.descriptor.digest.toString(),
    ),
  );
  for (const entry of tree.attestations) {
    const subject = subjectOf(entry);
    f.check(
      subject !== undefined && held.has(subject),
      fail(
        CheckId.AttestationSubject,
        `attestation ${entry.digest} refers to no platform manifest of the index`,
        [...held].join(', '),
        subject,
      ),
    );
  }
}

function subjectOf(entry: Descriptor): string | undefined {
  try {
    return attestedDigest(entry)?.toString();
  } catch {
    return undefined;
  }
}

async function checkBlobs(
  f: Findings,
  target: ReadTarget,
  tree: ImageTree,
  readElsewhere: ReadonlySet<string> = new Set(),
  fail: Fail,
) {
  const blobs = [
    ...tree.platforms.flatMap((image) => [
      image.manifest.config,
      ...image.manifest.layers,
    ]),
    // An absent config is reported already; its layers are still checked.
    ...tree.incomplete.flatMap((image) => image.manifest?.layers ?? []),
  ];
  // A config in `platforms` was read whole and its digest checked: it is there.
  const configs = tree.platforms.map((image) => `${image.manifest.config.digest}`);
  const read = new Set([...configs, ...readElsewhere]);
  // One image's few blobs asked at once; checks counted in the blobs' order.
  const present = await Promise.all(
    blobs.map((blob) => read.has(`${blob.digest}`) || target.exists(blob)),
  );
  for (const [index, blob] of blobs.entries()) {
    f.check(
      present[index]!,
      fail(CheckId.BlobMissing, `blob ${blob.digest}`, `${blob.size} bytes`, 'absent'),
    );
  }
}
