import { onSide } from '../copy/errors.js';
import { createLimit } from '../copy/limit.js';
import { ErrorCode, GantryError, isGantryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { parseRepository } from '../reference/parse.js';
import type { RegistryClient } from '../registry/client.js';
import { openTarget } from '../store/open-target.js';
import type { WriteTarget } from '../store/target.js';
import { LAYOUT_PREFIX } from './file-sections.js';
import type { Destination } from './file-types.js';
import { COMPARE_CONCURRENCY, type CurrentTag } from './plan-diff.js';
import { versionReader } from './plan-hold.js';
import type { PlannedDestination, ReleasePlan } from './plan-types.js';

/**
 * The release's destinations as targets: `--to` parsing, opening a
 * registry repository or an OCI layout, and reading what a tag holds now.
 */

/**
 * A destination as `--to` names it: `oci:DIR` for a local layout, else a
 * repository `host/name` (no tag: the release file's templates make them).
 */
export function parseDestination(text: string): Destination {
  if (text.startsWith(LAYOUT_PREFIX)) {
    const path = text.slice(LAYOUT_PREFIX.length);
    if (path === '') {
      throw new GantryError(ErrorCode.Usage, `--to ${text}: "oci:" needs a folder`, {
        hint: 'write e.g. --to oci:./out',
      });
    }
    return { kind: 'layout', name: text, path };
  }
  const repository = parseRepository(text);
  return { kind: 'registry', name: repository.name, repository: repository.name };
}

/**
 * Opens a destination for writing (a layout folder is made when missing).
 * A destination's name is what `openTarget` reads: `oci:DIR` or `host/repo`.
 */
export async function openDestination(
  destination: PlannedDestination,
  client: RegistryClient,
): Promise<WriteTarget> {
  // Like every other destination error, a layout that cannot be made or
  // read says it is the destination's.
  const opened = await onSide('destination', undefined, () =>
    openTarget(destination.name, { client, create: true }),
  );
  return opened.target;
}

/**
 * Reads each destination's current tags for `comparePlan`, opening each
 * destination once and read-only: a layout folder that does not exist yet
 * holds no tag, and nothing is created.
 */
export function currentTags(client: RegistryClient): CurrentTag {
  const targets = new Map<string, Promise<WriteTarget | undefined>>();
  const open = (destination: string) => {
    let target = targets.get(destination);
    if (target === undefined) {
      target = onSide('destination', undefined, () => openReadOnly(destination, client));
      targets.set(destination, target);
    }
    return target;
  };
  // What each tag resolved to, so a version read is one GET (plan-hold.ts).
  const described = new Map<string, Descriptor>();
  const read: CurrentTag = async (destination, tag) => {
    const opened = await open(destination);
    const found =
      opened === undefined
        ? undefined
        : await onSide('destination', undefined, () => tagDescriptor(opened, tag));
    if (found !== undefined) described.set(`${destination} ${found.digest}`, found);
    return found?.digest;
  };
  read.version = versionReader(open, described);
  read.holdsNone = async (destination) => {
    const opened = await open(destination);
    if (opened === undefined) return true;
    if (opened.kind !== 'registry') return false;
    // Only a question to save look-ups: any failure leaves them to be asked.
    const tags = await opened.tags().catch(() => undefined);
    return tags !== undefined && tags.length === 0;
  };
  return read;
}

/**
 * `currentTags` with every planned tag asked for now, COMPARE_CONCURRENCY
 * at a time: the look-ups run while the images build, and the comparison
 * after the build finds them answered. A failed look-up fails the
 * comparison that asks for it, as it would have without this.
 */
export function prefetchTags(plan: ReleasePlan, client: RegistryClient): CurrentTag {
  const read = currentTags(client);
  const limit = createLimit(COMPARE_CONCURRENCY);
  const asked = new Map<string, Promise<Digest | undefined>>();
  const empty = new Map<string, Promise<boolean>>();
  for (const destination of plan.destinations) {
    const none = limit(async () => (await read.holdsNone?.(destination.name)) ?? false);
    none.catch(() => undefined);
    empty.set(destination.name, none);
    for (const write of destination.writes) {
      const lookup = none.then((holdsNone) =>
        holdsNone ? undefined : limit(() => read(destination.name, write.tag)),
      );
      lookup.catch(() => undefined);
      asked.set(`${destination.name} ${write.tag}`, lookup);
    }
  }
  const prefetched: CurrentTag = (destination, tag) =>
    asked.get(`${destination} ${tag}`) ?? read(destination, tag);
  prefetched.version = read.version;
  prefetched.holdsNone = (destination) =>
    empty.get(destination) ?? read.holdsNone?.(destination) ?? Promise.resolve(false);
  return prefetched;
}

async function openReadOnly(
  name: string,
  client: RegistryClient,
): Promise<WriteTarget | undefined> {
  try {
    return (await openTarget(name, { client, readOnly: true })).target;
  } catch (error) {
    if (isGantryError(error, ErrorCode.NotFound)) return undefined;
    throw error;
  }
}

/** The digest `tag` names in `target`; undefined when there is no such tag. */
export async function tagDigest(
  target: WriteTarget,
  tag: string,
): Promise<Digest | undefined> {
  return (await tagDescriptor(target, tag))?.digest;
}

async function tagDescriptor(
  target: WriteTarget,
  tag: string,
): Promise<Descriptor | undefined> {
  try {
    return await target.resolve(tag);
  } catch (error) {
    if (isGantryError(error, ErrorCode.NotFound)) return undefined;
    throw error;
  }
}
