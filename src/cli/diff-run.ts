import type { Command } from 'commander';
import { ErrorCode, GantryError } from '../errors.js';
import { parseReference } from '../reference/parse.js';
import { openTarget } from '../store/open-target.js';
import { diffImages, diffIsEmpty } from '../verify/diff.js';
import { renderImageDiff } from '../verify/render.js';
import type { CommandContext } from './context.js';
import { isRegistryReference } from './copy-names.js';
import { writeJson, writeLine } from './io.js';
import type { Runner } from './main.js';
import { usageError } from './options.js';

/**
 * `gantry diff A B`: what differs between two images in any reference
 * form. Like diff(1), the exit code says whether they differ: 0 when the
 * digests are equal, 1 when they are not (the difference is the output,
 * not an error).
 */

/** The body of `gantry diff` (see diff.ts), loaded when it runs. */
export async function runDiff(
  run: Runner,
  a: string,
  b: string,
  _flags: unknown,
  command: Command,
): Promise<void> {
  const registries = [a, b]
    .filter(isRegistryReference)
    .map((text) => parseReference(text).registry);
  await run(command, registries, (context) => diffCommand(context, a, b));
}

async function diffCommand(context: CommandContext, a: string, b: string): Promise<void> {
  const [left, right] = [await side(context, a), await side(context, b)];
  const diff = await diffImages(left, right);
  if (context.json) writeJson(context.io, diff);
  else writeLine(context.io, renderImageDiff(diff));
  if (diff.same) return;
  // Not a failure, but scripts read the answer from the exit code (1, the
  // code of every error not mapped in exit.ts).
  throw new GantryError(ErrorCode.ImagesDiffer, `${a} and ${b} differ`, {
    hint: diffIsEmpty(diff)
      ? 'only the digests differ: the same content written in other bytes'
      : 'the differences are listed above',
  });
}

async function side(context: CommandContext, text: string) {
  const { target, ref } = await openTarget(text, {
    client: context.client,
    readOnly: true,
  });
  if (ref === undefined) throw usageError(`${text}: name the image with a tag or digest`);
  return { target, descriptor: await target.resolve(ref) };
}
