import type { BuildEvent, BuildResult } from '../build/build-image.js';
import { describeManifest } from '../oci/manifest.js';
import { platformToString } from '../oci/platform.js';
import type { Destination, DigestRecord } from './build-output.js';
import type { CommandContext } from './context.js';
import { writeJson, writeLine, writeMessage } from './io.js';

/**
 * What `gantry build` prints: on stdout the digest of what it produced
 * (the index, or the one image), then `PLATFORM DIGEST` per platform of an
 * index; layers made and where it wrote go to stderr. `--json` gives all of it as one
 * document.
 */
export function report(
  context: CommandContext,
  result: BuildResult,
  outputs: Destination[],
  records: DigestRecord[] | undefined,
): void {
  const platforms = result.manifests.map((built) => {
    const descriptor = describeManifest(built.manifest);
    return {
      platform: platformToString(built.platform),
      digest: `${descriptor.digest}`,
      mediaType: descriptor.mediaType,
      size: descriptor.size,
    };
  });
  const root = {
    digest: `${result.root.digest}`,
    mediaType: result.root.mediaType,
    size: result.root.size,
  };
  if (context.json) {
    writeJson(context.io, {
      ...root,
      platforms,
      outputs,
      ...(records === undefined ? {} : { pushedByDigest: records }),
    });
    return;
  }
  writeLine(context.io, root.digest);
  if (result.index !== undefined) {
    for (const item of platforms)
      writeLine(context.io, `${item.platform} ${item.digest}`);
  }
  for (const output of outputs) {
    writeMessage(context.io, `wrote ${output.reference} (${output.tags.join(', ')})`);
  }
  for (const record of records ?? []) {
    writeMessage(
      context.io,
      `pushed ${record.repository}@${record.digest} (${record.platform})`,
    );
  }
}

/** One line on stderr per layer made or taken from the cache. */
export function showEvent(context: CommandContext, event: BuildEvent): void {
  if (event.type !== 'layer') return;
  const how = event.cached ? 'cached' : 'built';
  const platform = platformToString(event.platform);
  writeMessage(
    context.io,
    `${platform} layer ${event.digest} ${how}: ${event.createdBy}`,
  );
}
