import type { Limit } from '../copy/limit.js';
import { ErrorCode, GantryError, isGantryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { RegistryClient } from '../registry/client.js';
import type { ReleasePlan } from '../release/plan-types.js';
import type { RecordedTag, ReleaseRecord } from '../release/record.js';
import { openTarget } from '../store/open-target.js';
import type { ReadTarget } from '../store/target.js';
import { CheckId, type Findings } from './types.js';

/**
 * The tag checks of a release's verification: every planned tag is in the
 * record, each one is where the record says (resolved at once, reported in
 * order), and a tag names one digest in every destination.
 */

/**
 * Every tag the plan writes must be in the record: one absent is a failure,
 * and is still resolved in its destination (expected on the image's recorded
 * digest) so a tag missing there or on another digest is reported too.
 */
export function unrecordedTags(
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

export type Resolved = Map<
  RecordedTag,
  { target: ReadTarget; tagged: Descriptor } | undefined
>;

/** Every tag resolved at once (bounded); findings in the tags' order. */
export async function resolveTags(
  findings: Findings,
  tags: RecordedTag[],
  client: RegistryClient,
  limit: Limit,
): Promise<Resolved> {
  const targets = new Map<string, Promise<ReadTarget>>();
  const targetOf = (destination: string) => {
    let target = targets.get(destination);
    if (target === undefined) {
      target = openTarget(destination, { client, readOnly: true }).then(
        (o) => o.target,
        (error: unknown) => {
          throw missingLayout(destination, error);
        },
      );
      targets.set(destination, target);
    }
    return target;
  };
  const found = await Promise.all(
    tags.map(async (tag) => {
      const target = await targetOf(tag.destination);
      return { target, tagged: await limit(() => resolveTag(target, tag.tag)) };
    }),
  );
  const resolved: Resolved = new Map();
  for (const [index, tag] of tags.entries()) {
    const { target, tagged } = found[index]!;
    resolved.set(tag, tagged === undefined ? undefined : { target, tagged });
    const at = `${tag.destination}:${tag.tag}`;
    const place = { destination: tag.destination, tag: tag.tag, expected: tag.digest };
    if (tagged === undefined) {
      findings.fail({
        check: CheckId.TagMissing,
        ...place,
        message: `${at}: tag missing, expected ${tag.digest}`,
      });
      continue;
    }
    const digest = tagged.digest.toString();
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

/**
 * A layout destination that is not there at all: most likely the command
 * runs from another folder than the release did, since a record keeps its
 * `oci:` paths as written. Other failures are passed on as they are.
 */
function missingLayout(destination: string, error: unknown): unknown {
  if (!destination.startsWith('oci:') || !isGantryError(error, 'GANTRY_E_NOT_FOUND')) {
    return error;
  }
  return new GantryError(
    ErrorCode.NotFound,
    `destination ${destination}: ${error.message}`,
    {
      hint:
        `the record's oci: paths are read from the working directory (${process.cwd()}): ` +
        'run gantry verify from the folder the release ran in',
      side: 'destination',
      cause: error,
    },
  );
}

/** What `tag` names (media type, digest, size); undefined when it is absent. */
async function resolveTag(
  target: ReadTarget,
  tag: string,
): Promise<Descriptor | undefined> {
  try {
    return await target.resolve(tag);
  } catch (error) {
    if (isGantryError(error, 'GANTRY_E_NOT_FOUND')) return undefined;
    throw error;
  }
}

/** The same tag in every destination names one digest. */
export function checkDivergence(
  findings: Findings,
  tags: RecordedTag[],
  actual: Resolved,
) {
  const byTag = new Map<string, RecordedTag[]>();
  // A held tag names whatever newer release each destination had: it may
  // differ between them, and the release did not write it.
  for (const tag of tags.filter((t) => t.change !== 'held')) {
    byTag.set(tag.tag, [...(byTag.get(tag.tag) ?? []), tag]);
  }
  for (const [name, places] of byTag) {
    if (places.length < 2) continue;
    const seen = places.map((tag) => `${tag.destination}=${digestOf(actual, tag)}`);
    const digests = new Set(places.map((tag) => digestOf(actual, tag)));
    findings.check(digests.size === 1, () => ({
      check: CheckId.TagDiverges,
      destination: places.map((tag) => tag.destination).join(', '),
      tag: name,
      message: `tag ${name} differs between destinations: ${seen.join(', ')}`,
    }));
  }
}

function digestOf(actual: Resolved, tag: RecordedTag): string {
  return actual.get(tag)?.tagged.digest.toString() ?? 'missing';
}
