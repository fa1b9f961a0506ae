import type { Command } from 'commander';
import { parseRepository } from '../reference/index.js';
import { openTarget } from '../store/open-target.js';
import type { CommandContext } from './context.js';
import { isRegistryReference } from './copy-names.js';
import { writeJson, writeLine } from './io.js';
import type { Runner } from './main.js';
import { usageError } from './options.js';

/** The body of `gantry tags` (see tags.ts), loaded when it runs. */
export async function runTags(
  run: Runner,
  text: string,
  _options: unknown,
  command: Command,
): Promise<void> {
  const registries = isRegistryReference(text) ? [parseRepository(text).registry] : [];

  await run(command, registries, async (context) => {
    const tags = await listTags(context, text);
    if (context.json) writeJson(context.io, tags);
    else for (const tag of tags) writeLine(context.io, tag);
  });
}

async function listTags(context: CommandContext, text: string): Promise<string[]> {
  // RegistryTarget.tags() reads an unknown repository as one without tags,
  // as a copy destination needs; `gantry tags` reports it (exit 3) instead.
  if (isRegistryReference(text)) return context.client.listTags(parseRepository(text));

  const opened = await openTarget(text, { client: context.client, readOnly: true });
  try {
    if (opened.ref !== undefined) {
      throw usageError(
        `tags lists a whole layout or archive, but "${text}" names one image`,
        'drop the tag or digest, e.g. gantry tags oci:DIR',
      );
    }
    return await opened.target.tags();
  } finally {
    await opened.target.close?.();
  }
}
