import type { Command } from 'commander';
import type { Descriptor } from '../oci/descriptor.js';
import { registriesIn, resolveLocation, withLocation } from './inspect-source.js';
import { writeJson, writeLine } from './io.js';
import type { Runner } from './main.js';

/** The body of `gantry digest` (see digest.ts), loaded when it runs. */
export async function runDigest(
  run: Runner,
  text: string,
  _options: unknown,
  command: Command,
): Promise<void> {
  const registries = registriesIn(text);

  await run(command, registries, ({ client, io, json }) =>
    withLocation(text, client, async (location) => {
      const descriptor = await resolveLocation(location);
      if (json) writeJson(io, { reference: location.shown, ...summary(descriptor) });
      else writeLine(io, descriptor.digest.toString());
    }),
  );
}

function summary({ digest, mediaType, size }: Descriptor) {
  return { digest: digest.toString(), mediaType, size };
}
