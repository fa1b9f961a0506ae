import type { Command } from 'commander';
import { createLimit } from '../copy/limit.js';
import { ErrorCode, GantryError, isGantryError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import { parseReference } from '../reference/index.js';
import type { Reference } from '../reference/reference.js';
import type { RegistryClient } from '../registry/client.js';
import { isRegistryReference } from './copy-names.js';
import { type CliIO, writeJson, writeLine, writeMessage } from './io.js';
import type { Runner } from './main.js';

/**
 * At most this many tags are checked (one HEAD each) for pointing at the
 * digest a delete removes: a repository with thousands of tags would
 * otherwise cost thousands of requests before one delete. Beyond it the
 * output says "and possibly others".
 */
export const MAX_TAGS_CHECKED = 100;

/** HEAD requests in flight while checking tags: a few, to spare the registry. */
export const TAG_CHECK_CONCURRENCY = 4;

/** The tags found on a digest; `complete` is false when some went unchecked. */
export interface TagsOnDigest {
  tags: string[];
  complete: boolean;
}

/** What `gantry delete --json` prints. */
export interface DeleteResult {
  reference: string;
  /** The manifest digest deleted (by tag or by digest). */
  deleted: string;
  /** `tag`: only the tag went; `digest`: the manifest and every tag on it. */
  method: 'digest' | 'tag';
  tagsRemoved: string[];
  /** True when more tags than were checked may have pointed at the digest. */
  possiblyOtherTags: boolean;
}

/** The body of `gantry delete` (see delete.ts), loaded when it runs. */
export async function runDelete(
  run: Runner,
  text: string,
  _options: unknown,
  command: Command,
): Promise<void> {
  if (!isRegistryReference(text)) {
    const { runDeleteLayout } = await import('./delete-layout.js');
    return runDeleteLayout(run, text, command);
  }
  const ref = parseReference(text);

  await run(command, [ref.registry], async ({ client, io, json }) => {
    const result = await deleteReporting(client, ref);
    if (json) writeJson(io, result);
    else report(io, ref, result);
  });
}

/** Deletes `ref`, naming the tags that went with the manifest. */
async function deleteReporting(
  client: RegistryClient,
  ref: Reference,
): Promise<DeleteResult> {
  const target = ref.digest ?? (await resolveTag(client, ref));
  // TODO(perf): when the registry can delete the tag alone the scan is unused;
  // it must happen first all the same, as a delete by digest erases its answer.
  const found = await tagsOnDigest(client, ref, target);
  const { digest, deletedByTag } = await client.deleteManifest(ref);

  const method = deletedByTag ? 'tag' : 'digest';
  const asked = ref.digest === undefined ? ref.tag : undefined;
  const byDigest = [...new Set([...(asked === undefined ? [] : [asked]), ...found.tags])];
  return {
    reference: ref.toString(),
    deleted: digest.toString(),
    method,
    tagsRemoved: method === 'tag' ? [asked ?? ''] : byDigest,
    possiblyOtherTags: method === 'digest' && !found.complete,
  };
}

async function resolveTag(client: RegistryClient, ref: Reference): Promise<Digest> {
  const descriptor = await client.headManifest(ref);
  if (descriptor !== undefined) return descriptor.digest;
  throw new GantryError(
    ErrorCode.NotFound,
    `manifest ${ref} not found: nothing to delete`,
    {
      hint: 'check the repository name and the tag (gantry tags REPO)',
    },
  );
}

/**
 * The repository's tags that point at `digest`, checked with HEAD, at most
 * MAX_TAGS_CHECKED of them. A tag whose check fails counts as unchecked.
 */
export async function tagsOnDigest(
  client: RegistryClient,
  ref: Reference,
  digest: Digest,
): Promise<TagsOnDigest> {
  const repository = ref.repositoryReference();
  const all = await client.listTags(repository).catch((error: unknown) => {
    if (isGantryError(error)) return undefined;
    throw error;
  });
  if (all === undefined) return { tags: [], complete: false };

  const checked = all.slice(0, MAX_TAGS_CHECKED);
  const limit = createLimit(TAG_CHECK_CONCURRENCY);
  const answers = await Promise.all(
    checked.map((tag) =>
      limit(() =>
        client.headManifest(repository.withTag(tag)).then(
          (d) => (d === undefined ? 'other' : d.digest.equals(digest) ? 'same' : 'other'),
          () => 'unknown' as const,
        ),
      ),
    ),
  );
  return {
    tags: checked.filter((_, i) => answers[i] === 'same'),
    complete: checked.length === all.length && !answers.includes('unknown'),
  };
}

function report(io: CliIO, ref: Reference, result: DeleteResult): void {
  writeLine(io, `deleted ${ref.repositoryReference().withDigest(result.deleted)}`);
  if (result.method === 'tag') return;

  const others = result.possiblyOtherTags ? ' and possibly others' : '';
  const tags =
    result.tagsRemoved.length === 0 && others === ''
      ? 'no tag pointed at it'
      : `tags removed with it: ${result.tagsRemoved.join(', ') || 'none found'}${others}`;
  const why =
    ref.digest === undefined
      ? `the registry cannot delete a tag alone, so ${ref.tag} was deleted by ` +
        `digest ${result.deleted}: every tag pointing at that digest is gone; `
      : `deleted by digest ${result.deleted}; `;
  writeMessage(io, `gantry: ${why}${tags}`);
}
