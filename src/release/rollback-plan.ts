import { resolve } from 'node:path';
import { createLimit } from '../copy/limit.js';
import { ErrorCode, GantryError, isGantryError } from '../errors.js';
import type { RegistryClient } from '../registry/client.js';
import { openTarget } from '../store/open-target.js';
import type { WriteTarget } from '../store/target.js';
import { isLayoutReference, parseLayoutReference } from '../store/transport-reference.js';
import { tagDigest } from './execute-targets.js';
import type { ReleaseRecord } from './record.js';
import {
  type DestinationState,
  decideRollback,
  type TagRemoval,
} from './rollback-decide.js';
import type { RollbackPlan } from './rollback-types.js';

/**
 * Plans a rollback by reading every destination of the record: each tag
 * and the digest it names, and that every manifest a tag goes back to
 * still exists. Reads only; an old manifest that is gone stops the plan,
 * naming the tag and the digest, before anything is written.
 */

/** Tag lookups (one HEAD each on a registry) in flight at once: spares the registry. */
export const ROLLBACK_READ_CONCURRENCY = 4;

export async function planRollback(
  record: ReleaseRecord,
  recordPath: string,
  client: RegistryClient,
): Promise<RollbackPlan> {
  const limit = createLimit(ROLLBACK_READ_CONCURRENCY);
  const names = [...new Set(record.tags.map((tag) => tag.destination))];
  const states = new Map<string, DestinationState>();
  for (const name of names) {
    states.set(name, await readState(name, client, limit));
  }

  const plan = decideRollback(record, recordPath, states);
  await Promise.all(
    plan.steps
      .filter((step) => step.action === 'restore')
      .map((step) =>
        limit(() => checkPrevious(step.destination, step.tag, step.target!, client)),
      ),
  );
  return plan;
}

async function readState(
  name: string,
  client: RegistryClient,
  limit: ReturnType<typeof createLimit>,
): Promise<DestinationState> {
  const target = await openReadOnly(name, client);
  if (target === undefined) return { removal: 'none', tags: new Map() };

  const tags = await target.tags();
  const digests = await Promise.all(
    tags.map((tag) => limit(() => tagDigest(target, tag))),
  );
  const named = new Map<string, string>();
  tags.forEach((tag, index) => {
    const digest = digests[index];
    if (digest !== undefined) named.set(tag, digest.toString());
  });
  return { removal: REMOVAL[target.kind] ?? 'none', tags: named };
}

/** How each kind of destination removes a tag; archives cannot. */
const REMOVAL: Partial<Record<WriteTarget['kind'], TagRemoval>> = {
  registry: 'digest',
  'oci-layout': 'tag',
};

async function openReadOnly(
  name: string,
  client: RegistryClient,
): Promise<WriteTarget | undefined> {
  try {
    return (await openTarget(name, { client, readOnly: true })).target;
  } catch (error) {
    if (isLayoutReference(name)) throw missingLayout(name, error);
    if (isGantryError(error, ErrorCode.NotFound)) return undefined;
    throw error;
  }
}

/**
 * A release made its layouts, so one that is missing (or is no layout) is
 * most often a relative path read from another folder: its tags are not
 * "already gone", and the rollback stops before anything is written.
 */
function missingLayout(name: string, error: unknown): unknown {
  const missing =
    isGantryError(error, ErrorCode.NotFound) ||
    isGantryError(error, ErrorCode.InvalidLayout);
  if (!missing) return error;
  const path = resolve(parseLayoutReference(name).path);
  return new GantryError(
    ErrorCode.NotFound,
    `cannot roll back ${name}: no OCI layout at ${path}; nothing was changed`,
    {
      hint:
        "run rollback from the folder the release ran in: the record's layout " +
        'paths are relative to it',
      cause: error,
    },
  );
}

async function checkPrevious(
  destination: string,
  tag: string,
  digest: string,
  client: RegistryClient,
): Promise<void> {
  const { target } = await openTarget(destination, { client, readOnly: true });
  try {
    await target.resolve(digest);
  } catch (error) {
    if (!isGantryError(error, ErrorCode.NotFound)) throw error;
    throw new GantryError(
      ErrorCode.NotFound,
      `cannot roll back ${destination}:${tag}: its previous manifest ${digest} ` +
        'is no longer in the repository; nothing was changed',
      {
        hint: `push ${digest} back to ${destination} (gantry copy), then roll back again`,
        cause: error,
      },
    );
  }
}
