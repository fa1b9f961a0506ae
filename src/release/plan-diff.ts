import { ErrorCode, GantryError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import { type CurrentVersion, newerVersion } from './plan-hold.js';
import type { ReleasePlan } from './plan-types.js';

/**
 * What a tag write does to a destination, like a plan of infrastructure
 * changes: `new` (the tag does not exist), `stays` (it already points at
 * the planned digest), `moves` (it points elsewhere) or `held` (it would
 * move, but the image it names carries a newer version: plan-hold.ts). The
 * planned digest is always known: a dry-run stages the images as the
 * release does.
 */
export type TagChangeKind = 'new' | 'stays' | 'moves' | 'held';

/** Whether the release writes the tag: `stays` and `held` are left alone. */
export function writesTag(change: { change: TagChangeKind }): boolean {
  return change.change === 'new' || change.change === 'moves';
}

export interface TagChange {
  destination: string;
  image: string;
  tag: string;
  change: TagChangeKind;
  /** The digest the tag points at now. */
  from?: string;
  /** The digest the tag will point at (`held`: would have). */
  to: string;
  /**
   * The newer version the tag's image carries now: the tag is `held`, or
   * `moves` anyway (a downgrade the caller allowed).
   */
  newer?: string;
}

export interface PlanDiff {
  /** In plan order: destinations as listed, then each one's tag writes. */
  changes: TagChange[];
  counts: Record<TagChangeKind, number>;
}

/**
 * Reads the digest a tag points at in a destination; undefined when absent.
 * With `version`, the version an image there carries can be read too, and
 * tags that would move to an older release are held.
 */
export type CurrentTag = ((
  destination: string,
  tag: string,
) => Promise<Digest | undefined>) & {
  version?: CurrentVersion;
  /**
   * True when the destination holds no tag at all (a registry repository
   * whose tag list is empty or unknown, a layout not made yet), so no tag
   * need be asked for. False when unsure.
   */
  holdsNone?: (destination: string) => Promise<boolean>;
};

export interface CompareOptions {
  /** Each image's digest (its index) by image name, from staging. */
  planned: ReadonlyMap<string, Digest>;
  /** Move tags whose image carries a newer version too (`--allow-downgrade`). */
  allowDowngrade?: boolean;
}

/** Tag look-ups in flight at once: enough to hide latency, few enough to be polite. */
export const COMPARE_CONCURRENCY = 8;

/** Compares every planned tag write with what its destination holds now. */
export async function comparePlan(
  plan: ReleasePlan,
  current: CurrentTag,
  options: CompareOptions,
): Promise<PlanDiff> {
  const writes = plan.destinations.flatMap((destination) =>
    destination.writes.map((write) => ({ destination: destination.name, ...write })),
  );
  // A repository without tags (a first release) is asked for none of
  // them: one tag list instead of a look-up per planned tag.
  const names = [...new Set(writes.map((write) => write.destination))];
  const holdsNone = current.holdsNone;
  const empty = new Set(
    holdsNone === undefined
      ? []
      : (await mapLimited(names, COMPARE_CONCURRENCY, holdsNone)).flatMap((none, i) =>
          none ? [names[i]!] : [],
        ),
  );
  const found = await mapLimited(writes, COMPARE_CONCURRENCY, (write) =>
    empty.has(write.destination)
      ? Promise.resolve(undefined)
      : current(write.destination, write.tag),
  );

  const changes = writes.map((write, index): TagChange => {
    const base = { destination: write.destination, image: write.image, tag: write.tag };
    return classify(base, found[index], plannedDigest(options.planned, write.image));
  });
  // Only tags that would move are asked for their image's version.
  const read = current.version;
  if (read !== undefined) {
    const newer = await mapLimited(changes, COMPARE_CONCURRENCY, (change, index) =>
      change.change === 'moves'
        ? newerVersion(plan, change, found[index]!, read)
        : Promise.resolve(undefined),
    );
    for (const [index, version] of newer.entries()) {
      if (version === undefined) continue;
      const change = changes[index]!;
      change.newer = version;
      if (options.allowDowngrade !== true) change.change = 'held';
    }
  }
  const counts: Record<TagChangeKind, number> = { new: 0, stays: 0, moves: 0, held: 0 };
  for (const change of changes) counts[change.change] += 1;
  return { changes, counts };
}

function classify(
  base: Omit<TagChange, 'change' | 'to'>,
  now: Digest | undefined,
  planned: Digest,
): TagChange {
  const to = planned.toString();
  if (now === undefined) return { ...base, change: 'new', to };
  const change = planned.equals(now) ? 'stays' : 'moves';
  return { ...base, change, from: now.toString(), to };
}

function plannedDigest(planned: ReadonlyMap<string, Digest>, image: string): Digest {
  const digest = planned.get(image);
  if (digest !== undefined) return digest;
  throw new GantryError(ErrorCode.Internal, `no staged digest for image ${image}`, {
    hint: 'this is a bug in gantry: please report it with the release file',
  });
}

/** `fn` over `items` with at most `limit` calls pending; results in item order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
