import { GantryError, isGantryError } from '../errors.js';
import type { RegistryClient } from '../registry/client.js';
import type { ReleasePlan } from '../release/plan-types.js';
import type { RecordedTag, ReleaseRecord } from '../release/record.js';
import { openTarget } from '../store/open-target.js';
import type { ReadTarget } from '../store/target.js';
import {
  checkImage,
  checkIncomplete,
  type ImageExpectation,
  type Place,
} from './check-image.js';
import { checkOrder } from './order.js';
import { type ImageTree, readImage } from './read-image.js';
import { ReleaseLayers } from './release-layers.js';
import { CheckId, Findings, type VerifyReport } from './types.js';

/**
 * Reads a published release back from every destination and checks it
 * against its record (the digests written) and, when given, its plan
 * (annotations, labels, publication order). Every failure is reported.
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
}

export async function verifyRelease(
  record: ReleaseRecord,
  options: VerifyReleaseOptions,
): Promise<VerifyReport> {
  const findings = new Findings();
  const tags = [...record.tags, ...unrecordedTags(findings, record, options.plan)];
  const actual = await resolveTags(findings, tags, options.client);
  checkDivergence(findings, tags, actual);
  await checkImages(findings, record, tags, actual, options);
  checkOrder(findings, record, options.plan);
  return findings.report();
}

/**
 * Every tag the plan writes must be in the record: one absent is a failure,
 * and is still resolved in its destination (expected on the image's recorded
 * digest) so a tag missing there or on another digest is reported too.
 */
function unrecordedTags(
  findings: Findings,
  record: ReleaseRecord,
  plan: ReleasePlan | undefined,
): RecordedTag[] {
  const recorded = new Set(record.tags.map((tag) => `${tag.destination} ${tag.tag}`));
  const extra: RecordedTag[] = [];
  for (const destination of plan?.destinations ?? []) {
    for (const write of destination.writes) {
      const at = `${destination.name}:${write.tag}`;
      const holds = recorded.has(`${destination.name} ${write.tag}`);
      const image = record.images.find((entry) => entry.name === write.image);
      findings.check(holds, () => ({
        check: CheckId.TagMissing,
        destination: destination.name,
        tag: write.tag,
        ...(image === undefined ? {} : { expected: image.digest }),
        message: `${at}: tag planned but not in the record (image ${write.image})`,
      }));
      if (holds || image === undefined) continue;
      extra.push({
        destination: destination.name,
        image: write.image,
        tag: write.tag,
        digest: image.digest,
        change: 'new',
      });
    }
  }
  return extra;
}

type Resolved = Map<RecordedTag, { target: ReadTarget; digest: string } | undefined>;

async function resolveTags(
  findings: Findings,
  tags: RecordedTag[],
  client: RegistryClient,
): Promise<Resolved> {
  const targets = new Map<string, ReadTarget>();
  const resolved: Resolved = new Map();
  for (const tag of tags) {
    let target = targets.get(tag.destination);
    if (target === undefined) {
      target = (await openTarget(tag.destination, { client, readOnly: true })).target;
      targets.set(tag.destination, target);
    }
    const at = `${tag.destination}:${tag.tag}`;
    const digest = await resolveDigest(target, tag.tag);
    resolved.set(tag, digest === undefined ? undefined : { target, digest });
    const place = { destination: tag.destination, tag: tag.tag, expected: tag.digest };
    if (digest === undefined) {
      findings.fail({
        check: CheckId.TagMissing,
        ...place,
        message: `${at}: tag missing, expected ${tag.digest}`,
      });
      continue;
    }
    findings.check(digest === tag.digest, () => ({
      check: CheckId.TagDigest,
      ...place,
      digest,
      actual: digest,
      message: `${at}: digest: expected ${tag.digest}, got ${digest}`,
    }));
  }
  return resolved;
}

async function resolveDigest(
  target: ReadTarget,
  tag: string,
): Promise<string | undefined> {
  try {
    return (await target.resolve(tag)).digest.toString();
  } catch (error) {
    if (isGantryError(error, 'GANTRY_E_NOT_FOUND')) return undefined;
    throw error;
  }
}

/** The same tag in every destination names one digest. */
function checkDivergence(findings: Findings, tags: RecordedTag[], actual: Resolved) {
  const byTag = new Map<string, RecordedTag[]>();
  for (const tag of tags) byTag.set(tag.tag, [...(byTag.get(tag.tag) ?? []), tag]);
  for (const [name, places] of byTag) {
    if (places.length < 2) continue;
    const seen = places.map(
      (tag) => `${tag.destination}=${actual.get(tag)?.digest ?? 'missing'}`,
    );
    const digests = new Set(places.map((tag) => actual.get(tag)?.digest ?? 'missing'));
    findings.check(digests.size === 1, () => ({
      check: CheckId.TagDiverges,
      destination: places.map((tag) => tag.destination).join(', '),
      tag: name,
      message: `tag ${name} differs between destinations: ${seen.join(', ')}`,
    }));
  }
}

/**
 * Each distinct image a destination holds for an image name is read and
 * checked once; what could not be read (an absent child manifest or config,
 * or an unreadable image) is reported for every tag that reaches it.
 */
async function checkImages(
  findings: Findings,
  record: ReleaseRecord,
  tags: RecordedTag[],
  actual: Resolved,
  options: VerifyReleaseOptions,
): Promise<void> {
  const done = new Map<string, ImageTree | GantryError>();
  const layers =
    options.plan === undefined || options.baseDir === undefined
      ? undefined
      : new ReleaseLayers(options.plan, options.baseDir, options.client);
  for (const tag of tags) {
    const found = actual.get(tag);
    if (found === undefined) continue;
    const key = `${tag.destination} ${tag.image} ${found.digest}`;
    const place = { destination: tag.destination, tag: tag.tag, digest: found.digest };
    const seen = done.get(key);
    if (seen !== undefined) {
      if (seen instanceof GantryError) unreadable(findings, place, seen);
      else checkIncomplete(findings, seen, place);
      continue;
    }
    const expect = expectationFor(record, tag.image, options);
    try {
      const descriptor = await found.target.resolve(found.digest);
      const tree = await readImage(found.target, descriptor, { tolerant: true });
      done.set(key, tree);
      await checkImage(findings, found.target, tree, expect, place);
      await layers?.check(findings, found.target, tree, tag.image, place);
    } catch (error) {
      if (!isGantryError(error)) throw error;
      done.set(key, error);
      unreadable(findings, place, error);
    }
  }
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
          labels: planned.labels,
        }),
  };
}
