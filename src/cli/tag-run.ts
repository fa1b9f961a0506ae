import type { Command } from 'commander';
import { assertTaggable, parseReference } from '../reference/index.js';
import type { Reference } from '../reference/reference.js';
import { isRegistryReference } from './copy-names.js';
import { writeJson, writeLine } from './io.js';
import type { Runner } from './main.js';
import { usageError } from './options.js';

/** The body of `gantry tag` (see tag.ts), loaded when it runs. */
export async function runTag(
  run: Runner,
  text: string,
  tags: string[],
  _options: unknown,
  command: Command,
): Promise<void> {
  if (!isRegistryReference(text)) {
    const { runTagLayout } = await import('./tag-layout.js');
    return runTagLayout(run, text, tags, command);
  }
  const source = parseReference(text);
  const targets = tags.map((tag) => target(source, tag));

  await run(command, [source.registry], async ({ client, io, json }) => {
    const manifest = await client.getManifest(source);
    const body = { bytes: manifest.bytes, mediaType: manifest.mediaType };
    const done: { reference: string; digest: string }[] = [];

    for (const ref of targets) {
      const digest = await client.putManifest(ref, body);
      done.push({ reference: ref.toString(), digest: digest.toString() });
      if (!json) writeLine(io, `${ref}@${digest}`);
    }
    if (json) writeJson(io, { source: source.toString(), tagged: done });
  });
}

/**
 * The reference a new tag names: same registry and repository as the
 * source, no digest. A TAG holding `@`, `/` or `:` is a reference, not a
 * tag (field case BR-04: a tag is never created from a digest reference).
 */
function target(source: Reference, tag: string): Reference {
  if (/[@/:]/.test(tag)) {
    throw usageError(
      `"${tag}" is not a tag`,
      'give bare tags after the source, e.g. gantry tag host/app:1.4.2 1.4 latest',
    );
  }
  const ref = source.withoutDigest().withTag(tag);
  assertTaggable(ref);
  return ref;
}
