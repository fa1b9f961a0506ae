import { createLimit, type Limit } from '../copy/limit.js';
import { GantryError, isGantryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { RegistryClient } from '../registry/client.js';
import type { ReleasePlan } from '../release/plan-types.js';
import type { RecordedTag, ReleaseRecord } from '../release/record.js';
import type { ReadTarget } from '../store/target.js';
import {
  checkImage,
  checkIncomplete,
  type ImageExpectation,
  type Place,
} from './check-image.js';
import { checkOrder } from './order.js';
import { type ImageTree, readImage } from './read-image.js';
import { recordAt } from './release-destinations.js';
import { ReleaseLayers } from './release-layers.js';
import {
  checkDivergence,
  type Resolved,
  resolveTags,
  unrecordedTags,
} from './release-tags.js';
import { CheckId, Findings, type VerifyReport } from './types.js';

/**
 * Reads a published release back from every destination and checks it
 * against its record (the digests written) and, when given, its plan
 * (annotations, labels, publication order). Every failure is reported.
 * A tag the release held at a newer release (`held`) is checked to still
 * name that image; its image is that release's, not checked against this
 * plan. An image assembled by `release --from-digests` is checked for what
 * the assembly wrote (index, annotations, platforms, tags), not for the
 * labels and layers of builds made elsewhere.
 */

export interface VerifyReleaseOptions {
  client: RegistryClient;
  /** The plan of the same release: adds annotation, label and order checks. */
  plan?: ReleasePlan;
  /** Skip the HEAD of every config and layer (faster, weaker). */
  skipBlobs?: boolean;
  /**
   * The release file's folder, where the plan's file sources are: with the
   * plan, adds the layer checks (base layers, placed files and modes).
   */
  baseDir?: string;
  /**
   * Check these destinations (`host/repo`, `oci:DIR`) instead of those the
   * record names, as `release --to` replaces the file's (recordAt).
   */
  destinations?: readonly string[];
}

export async function verifyRelease(
  recorded: ReleaseRecord,
  options: VerifyReleaseOptions,
): Promise<VerifyReport> {
  const record =
    options.destinations === undefined
      ? recorded
      : recordAt(recorded, options.destinations);
  const findings = new Findings();
  const tags = [...record.tags, ...unrecordedTags(findings, record, options.plan)];
  const limit = createLimit(VERIFY_CONCURRENCY);
  const actual = await resolveTags(findings, tags, options.client, limit);
  checkDivergence(findings, tags, actual);
  await checkImages(findings, record, tags, actual, options, limit);
  checkOrder(findings, record, options.plan);
  return findings.report();
}

/**
 * Tag and image reads in flight at once. Verification is bound by registry
 * round trips: eight hides their latency on a small machine and stays far
 * below the bursts hosted registries throttle (dozens per client).
 */
export const VERIFY_CONCURRENCY = 8;

/**
 * Each distinct image a destination holds for an image name is read and
 * checked once, images side by side; what could not be read (an absent
 * child manifest or config, or an unreadable image) is reported for every
 * tag that reaches it. Findings come in the tags' order whatever finishes
 * first, so a report is the same from run to run.
 */
async function checkImages(
  findings: Findings,
  record: ReleaseRecord,
  tags: RecordedTag[],
  actual: Resolved,
  options: VerifyReleaseOptions,
  limit: Limit,
): Promise<void> {
  // Assembled platform images were built elsewhere, from files not here.
  const layers =
    options.plan === undefined ||
    options.baseDir === undefined ||
    record.fromDigests === true
      ? undefined
      : new ReleaseLayers(options.plan, options.baseDir, options.client);
  const checks = new Map<string, Promise<Checked>>();
  const keyed = tags.flatMap((tag) => {
    const found = actual.get(tag);
    // A held tag names a newer release's image, not this one's: only its
    // digest is checked (resolveTags), that it still names that image.
    if (found === undefined || tag.change === 'held') return [];
    const key = `${tag.destination} ${tag.image} ${found.tagged.digest}`;
    const first = !checks.has(key);
    if (first) {
      const expect = expectationFor(record, tag.image, options);
      const run = { found, expect, layers };
      checks.set(
        key,
        limit(() => checkOnce(run, tag)),
      );
    }
    return [{ tag, key, first, digest: found.tagged.digest.toString() }];
  });
  const done = new Map<string, Checked>();
  for (const [key, check] of checks) done.set(key, await check);

  for (const { tag, key, first, digest } of keyed) {
    const checked = done.get(key)!;
    const place = { destination: tag.destination, tag: tag.tag, digest };
    if (first) mergeFindings(findings, checked.findings);
    else if (checked.read instanceof GantryError)
      unreadable(findings, place, checked.read);
    else checkIncomplete(findings, checked.read, place);
  }
}

/** One image's checks, with its own findings; what was read, or why not. */
interface Checked {
  read: ImageTree | GantryError;
  findings: Findings;
}

async function checkOnce(
  run: {
    found: { target: ReadTarget; tagged: Descriptor };
    expect: ImageExpectation;
    layers: ReleaseLayers | undefined;
  },
  tag: RecordedTag,
): Promise<Checked> {
  const findings = new Findings();
  const { target, tagged } = run.found;
  const place = {
    destination: tag.destination,
    tag: tag.tag,
    digest: `${tagged.digest}`,
  };
  let tree: ImageTree;
  try {
    // The tag's HEAD named the descriptor; the GET by digest proves the bytes.
    tree = await readImage(target, tagged, { tolerant: true });
  } catch (error) {
    return failed(findings, place, error);
  }
  // Layer checks first: a top layer they read whole needs no HEAD after.
  // Their findings still follow the image's, as when they ran second.
  const layered = new Findings();
  const layers = await settled(
    run.layers?.check(layered, target, tree, tag.image, place),
  );
  try {
    const expect = { ...run.expect, ...(layers.value ? { read: layers.value } : {}) };
    await checkImage(findings, target, tree, expect, place);
  } catch (error) {
    return failed(findings, place, error);
  }
  mergeFindings(findings, layered);
  if (layers.error !== undefined) return failed(findings, place, layers.error);
  return { read: tree, findings };
}

/** A check's result or its failure, so what ran before it is kept. */
async function settled<T>(
  work: Promise<T> | undefined,
): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await work };
  } catch (error) {
    return { error };
  }
}

/** The image could not be read on: reported unreadable; other errors are thrown. */
function failed(findings: Findings, place: Place, error: unknown): Checked {
  if (!isGantryError(error)) throw error;
  unreadable(findings, place, error);
  return { read: error, findings };
}

function mergeFindings(into: Findings, from: Findings): void {
  into.checks += from.checks;
  into.failures.push(...from.failures);
}

function unreadable(findings: Findings, place: Place, error: GantryError) {
  findings.fail({
    check: CheckId.Unreadable,
    ...place,
    message: `${place.destination}:${place.tag}: unreadable: ${error.message}`,
  });
}

function expectationFor(
  record: ReleaseRecord,
  name: string,
  options: VerifyReleaseOptions,
): ImageExpectation {
  const recorded = record.images.find((image) => image.name === name);
  const planned = options.plan?.images.find((image) => image.name === name);
  return {
    ociOnly: true,
    blobs: options.skipBlobs !== true,
    ...(recorded === undefined
      ? {}
      : {
          mediaType: recorded.mediaType,
          platforms: recorded.platforms.map((entry) => entry.platform),
        }),
    ...(planned === undefined
      ? {}
      : {
          annotations: planned.annotations.index,
          descriptorAnnotations: planned.annotations.descriptor,
          // An assembly writes no config: its labels are the builds' own.
          ...(record.fromDigests === true ? {} : { labels: planned.labels }),
        }),
  };
}
