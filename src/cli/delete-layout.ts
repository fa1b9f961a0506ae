import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { OciLayoutTarget } from '../store/oci-layout.js';
import { openTarget } from '../store/open-target.js';
import type { DeleteResult } from './delete-run.js';
import { writeJson, writeLine, writeMessage } from './io.js';
import type { Runner } from './main.js';
import { usageError } from './options.js';
import { layoutReferenceFor, TAG_RULE } from './tag-layout.js';

/**
 * `gantry delete oci:DIR:TAG`: removes one tag from an OCI layout, that is
 * the index.json entry of that name; other names of the same digest stay,
 * and so do the manifest and its blobs (a layout has no garbage
 * collection). A digest is refused: in a layout it is no name to remove.
 */
export async function runDeleteLayout(
  run: Runner,
  text: string,
  command: Command,
): Promise<void> {
  const ref = layoutReferenceFor('delete', text);
  const tag = ref.tag;
  if (tag === undefined && ref.digest === undefined) refuseBadTag(ref.path);
  if (tag === undefined || ref.digest !== undefined) {
    throw usageError(
      `gantry delete ${text}: a layout removes tags, so name one tag ` +
        '(oci:DIR:TAG) and no digest',
      `gantry tags oci:${ref.path} lists its tags; a digest's names go one by one`,
    );
  }

  await run(command, [], async ({ client, io, json }) => {
    const { target } = await openTarget(text, { client });
    const removed = await (target as OciLayoutTarget).untag(tag);
    const result: DeleteResult = {
      reference: text,
      deleted: removed.digest.toString(),
      method: 'tag',
      tagsRemoved: [tag],
      possiblyOtherTags: false,
    };
    if (json) {
      writeJson(io, result);
      return;
    }
    writeLine(io, `deleted ${text}`);
    writeMessage(
      io,
      `gantry: removed the index.json entry of ${tag} (${result.deleted}); the ` +
        'manifest and its blobs stay, as a layout has no garbage collection',
    );
  });
}

/**
 * `oci:./out:-bad` reads as the folder `./out:-bad` with no tag, since
 * `-bad` is no tag; when no such folder exists, the text after the last
 * `:` was meant as the tag, and that is what the error names.
 */
function refuseBadTag(path: string): void {
  const colon = path.lastIndexOf(':');
  if (colon <= 0 || existsSync(path)) return;
  const name = path.slice(colon + 1);
  const shown = name.length > 60 ? `${name.slice(0, 57)}...` : name;
  throw usageError(
    `gantry delete oci:${path}: "${shown}" is not a valid tag name`,
    `${TAG_RULE}; gantry tags oci:${path.slice(0, colon)} lists the tags`,
  );
}
