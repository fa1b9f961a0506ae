import type { Command } from 'commander';
import { REGISTRY_TAG_PATTERN } from '../store/names.js';
import type { OciLayoutTarget } from '../store/oci-layout.js';
import { openTarget } from '../store/open-target.js';
import {
  formatLayoutReference,
  isLayoutReference,
  type LayoutReference,
  parseLayoutReference,
} from '../store/transport-reference.js';
import { writeJson, writeLine } from './io.js';
import type { Runner } from './main.js';
import { usageError } from './options.js';

/**
 * `gantry tag oci:DIR:SRC TAG...`: new names in an OCI layout's index.json
 * for what SRC names (a tag or `@sha256:...`), as `tag` does in a registry
 * repository; no blob is written. Archives are refused: they are written
 * whole, so a copy is the way to rename in one.
 */

/** `text` as a layout reference for `command`, refused with a hint if not one. */
export function layoutReferenceFor(command: 'tag' | 'delete', text: string) {
  if (!isLayoutReference(text) || text.startsWith('oci-archive:')) {
    const hint =
      command === 'tag'
        ? 'copy the image into a layout (gantry copy SRC oci:DIR:TAG) and tag it there'
        : 'an archive is written whole: copy the images to keep into a new one ' +
          '(gantry copy)';
    throw usageError(
      `gantry ${command} works on registries and OCI layout folders ` +
        `(oci:DIR:TAG), not on the archive "${text}"`,
      hint,
    );
  }
  return parseLayoutReference(text);
}

/** The body of `gantry tag` on a layout, called by tag-run.ts. */
export async function runTagLayout(
  run: Runner,
  text: string,
  tags: string[],
  command: Command,
): Promise<void> {
  const source = layoutReferenceFor('tag', text);
  const ref = source.digest?.toString() ?? source.tag;
  if (ref === undefined) {
    throw usageError(
      `gantry tag ${text}: name the image to tag`,
      'add its tag or digest, e.g. gantry tag oci:DIR:1.4.2 1.4 latest',
    );
  }
  for (const tag of tags) checkTag(source, tag);

  await run(command, [], async ({ client, io, json }) => {
    const { target } = await openTarget(text, { client });
    const layout = target as OciLayoutTarget;
    const descriptor = await layout.resolve(ref);
    const done: { reference: string; digest: string }[] = [];

    for (const tag of tags) {
      await layout.tag(descriptor, tag);
      const reference = formatLayoutReference({ ...source, tag, digest: undefined });
      done.push({ reference, digest: descriptor.digest.toString() });
      if (!json) writeLine(io, `${reference}@${descriptor.digest}`);
    }
    if (json) writeJson(io, { source: text, tagged: done });
  });
}

/**
 * A new name is a registry tag, the rule `oci:DIR:NAME` reads back in
 * every case: a wider ref.name (`+`, `/`, more than 128 characters) would
 * leave a name that gantry and a registry copy could not address.
 */
function checkTag(source: LayoutReference, tag: string): void {
  if (REGISTRY_TAG_PATTERN.test(tag)) return;
  const shown = tag.length > 60 ? `${tag.slice(0, 57)}...` : tag;
  throw usageError(
    `gantry tag oci:${source.path}: "${shown}" is not a valid tag name`,
    `${TAG_RULE}, e.g. gantry tag oci:DIR:1.4.2 1.4 latest`,
  );
}

/** How a tag is written (distribution-spec), for both layout commands. */
export const TAG_RULE =
  'a tag is 1-128 of letters, digits, "_", "." and "-", not starting with "." or "-"';
