import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { ErrorCode, GantryError, isGantryError } from '../errors.js';
import type { RegistryClient } from '../registry/client.js';
import { openTarget } from '../store/open-target.js';
import { isLayoutReference } from '../store/transport-reference.js';
import { parseReleaseFile } from './file.js';
import type { BaseFileSpec } from './file-types.js';
import type { PlannedImage, ReleasePlan } from './plan-types.js';

/**
 * Every `base.files` source, for every platform, is checked before any
 * image is built: a missing one stops the release (and `--dry-run`) before
 * a base image is read or anything is written, and the error points at the
 * `from` that named it rather than at a layer input deep in a build.
 */

/** A planned source that cannot be read, with where the plan has it. */
interface Unreadable {
  index: number;
  platform: string;
  source: string;
  path: string;
  problem: string;
}

/** Throws GANTRY_E_BUILD_INPUT for the first base file source that cannot be read. */
export async function checkBaseFiles(plan: ReleasePlan, baseDir: string): Promise<void> {
  const base = plan.images.find((image) => image.kind === 'base');
  if (base === undefined) return;
  const checks = base.builds.flatMap((build) =>
    (build.files ?? []).map(async (file, index): Promise<Unreadable | undefined> => {
      const path = isAbsolute(file.source) ? file.source : resolve(baseDir, file.source);
      const problem = await unreadable(path);
      if (problem === undefined) return undefined;
      return { index, platform: build.platform, source: file.source, path, problem };
    }),
  );
  const failed = (await Promise.all(checks)).filter((check) => check !== undefined);
  const first = failed[0];
  if (first === undefined) return;

  const entry = await fileEntry(base, baseDir, first);
  const field = `base.files[${first.index}].from`;
  const more = failed.length - 1;
  throw new GantryError(
    ErrorCode.BuildInput,
    `${entry?.fromAt ?? base.at}: ${field}: layer input "${first.path}" for ` +
      `${first.platform} ${first.problem}`,
    {
      hint:
        `${expansion(entry, first, baseDir)}; build it first or fix the path` +
        (more === 0
          ? ''
          : ` (${more} more source${more === 1 ? ' is' : 's are'} missing)`),
      details: { field, platform: first.platform, path: first.path },
    },
  );
}

/** Why `path` cannot be read as a layer input, or undefined when it can. */
async function unreadable(path: string): Promise<string | undefined> {
  try {
    await access(path, constants.R_OK);
    return undefined;
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'does not exist';
    return `cannot be read (${code ?? String(cause)})`;
  }
}

/**
 * The file entry behind a planned source. The plan keeps only the base
 * image's location, so the entry's own line is found by reading the release
 * file again from `baseDir` (the CLI passes the release file's folder); it
 * is used only when it still gives the planned path.
 */
async function fileEntry(
  base: PlannedImage,
  baseDir: string,
  failed: Unreadable,
): Promise<BaseFileSpec | undefined> {
  const name = base.at.replace(/:\d+:\d+$/, '');
  try {
    const text = await readFile(join(baseDir, name), 'utf8');
    const entry = parseReleaseFile(text, name).base.files[failed.index];
    return entry?.from[failed.platform] === failed.source ? entry : undefined;
  } catch {
    return undefined;
  }
}

/** How the path was found: the template's expansion and the folder it is in. */
function expansion(
  entry: BaseFileSpec | undefined,
  failed: Unreadable,
  baseDir: string,
): string {
  const written =
    entry?.template === undefined || entry.template === failed.source
      ? `"${failed.source}" is read`
      : `"${entry.template}" gives "${failed.source}" for ${failed.platform}, read`;
  return isAbsolute(failed.source)
    ? `${written} as an absolute path`
    : `${written} from the release file's folder, ${resolve(baseDir)}`;
}

/**
 * Every variant whose `from` is a local layout or archive is opened and its
 * tag resolved before any image is built, so a wrong path fails at once and
 * at its variant, not after the images before it were built and pushed. A
 * base in a registry is read when its variant builds, as before: asking
 * every registry first would cost each release a request per variant.
 */
export async function checkLocalBases(
  plan: ReleasePlan,
  client: RegistryClient,
): Promise<void> {
  const variants = plan.images.filter(
    (image) =>
      image.kind === 'variant' && image.from !== undefined && isLocal(image.from),
  );
  for (const image of variants) {
    const from = image.from!;
    try {
      const { target, ref } = await openTarget(from, { client, readOnly: true });
      try {
        await target.resolve(ref ?? 'latest');
      } finally {
        await target.close?.();
      }
    } catch (error) {
      if (!isGantryError(error)) throw error;
      throw new GantryError(
        error.code,
        `${image.at}: ${image.name}: base image ${from}: ${error.message}`,
        {
          hint:
            `a local base's path in a release file is read from the working directory ` +
            `(${process.cwd()}); check it there, or run gantry from the folder it is ` +
            'written for',
          side: 'source',
          cause: error,
        },
      );
    }
  }
}

function isLocal(from: string): boolean {
  return isLayoutReference(from) || from.startsWith('docker-archive:');
}
