import { ErrorCode, GantryError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import type { ReleasePlan } from './plan-types.js';

/**
 * What a tag write does to a destination, like a plan of infrastructure
 * changes: `new` (the tag does not exist), `stays` (it already points at
 * the planned digest) or `moves` (it points elsewhere). The planned digest
 * is always known: a dry-run stages the images as the release does.
 */
export type TagChangeKind = 'new' | 'stays' | 'moves';

export interface TagChange {
  destination: string;
  image: string;
  tag: string;
  change: TagChangeKind;
  /** The digest the tag points at now. */
  from?: string;
  /** The digest the tag will point at. */
  to: string;
}

export interface PlanDiff {
  /** In plan order: destinations as listed, then each one's tag writes. */
  changes: TagChange[];
  counts: Record<TagChangeKind, number>;
}

/** Reads the digest a tag points at in a destination; undefined when absent. */
export type CurrentTag = (
  destination: string,
  tag: string,
) => Promise<Digest | undefined>;

export interface CompareOptions {
  /** Each image's digest (its index) by image name, from staging. */
  planned: ReadonlyMap<string, Digest>;
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
  const found = await mapLimited(writes, COMPARE_CONCURRENCY, (write) =>
    current(write.destination, write.tag),
  );

  const changes = writes.map((write, index): TagChange => {
    const base = { destination: write.destination, image: write.image, tag: write.tag };
    return classify(base, found[index], plannedDigest(options.planned, write.image));
  });
  const counts: Record<TagChangeKind, number> = { new: 0, stays: 0, moves: 0 };
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
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
