import { ErrorCode, GantryError } from '../errors.js';
import {
  baseName,
  DEFAULT_FILE_MODE,
  DEFAULT_OWNER,
  IMPLIED_DIRECTORY_MODE,
  joinPath,
  type LayerEntry,
  type LayerInput,
  normalizePath,
  OPAQUE_WHITEOUT,
  owned,
  parentOf,
  SYMLINK_MODE,
  WHITEOUT_MODE,
  WHITEOUT_PREFIX,
} from './entries.js';
import { entriesFromPath } from './entries-fs.js';
import { sortEntries } from './entries-sort.js';
import { entriesFromTarball } from './entries-tarball.js';

/**
 * The entries of one layer, in the order they are written: one per path
 * (a later input replaces an earlier one at the same path), every parent
 * directory present, sorted, hard links resolved. `scratch` is a folder for
 * inflated gzip tarballs; the caller removes it.
 */
export async function planEntries(
  inputs: readonly LayerInput[],
  scratch: string,
): Promise<LayerEntry[]> {
  const byPath = new Map<string, LayerEntry>();
  for (const [index, input] of inputs.entries()) {
    for (const entry of await entriesOf(input, index, scratch)) {
      byPath.set(entry.path, entry);
    }
  }

  addParents(byPath);
  checkWhiteouts(byPath);
  return resolveLinks(sortEntries([...byPath.values()]));
}

async function entriesOf(
  input: LayerInput,
  index: number,
  scratch: string,
): Promise<LayerEntry[]> {
  const what = `layer input ${index + 1}`;
  if ('source' in input) {
    return input.extract === true
      ? entriesFromTarball(input, index, scratch)
      : entriesFromPath(input, index);
  }
  if ('content' in input) {
    const bytes =
      typeof input.content === 'string'
        ? Buffer.from(input.content, 'utf8')
        : input.content;
    const path = destinationOf(input.destination, what);
    const fields = { path, type: 'file' as const, mode: DEFAULT_FILE_MODE };
    return [
      owned({ ...fields, size: bytes.length, content: { kind: 'bytes', bytes } }, input),
    ];
  }
  if ('symlink' in input) {
    const path = destinationOf(input.destination, what);
    const fields = { path, type: 'symlink' as const, mode: SYMLINK_MODE, size: 0 };
    return [owned({ ...fields, linkTarget: input.symlink }, input)];
  }
  if ('directory' in input) {
    const path = destinationOf(input.directory, what);
    const mode = input.mode ?? IMPLIED_DIRECTORY_MODE;
    const owner = { uid: input.uid, gid: input.gid };
    return [owned({ path, type: 'directory', mode, size: 0 }, owner)];
  }
  return whiteoutEntries(input, what);
}

/** image-spec layer.md, "Whiteouts": `.wh.<name>` and `.wh..wh..opq`. */
function whiteoutEntries(input: LayerInput, what: string): LayerEntry[] {
  const entries: LayerEntry[] = [];
  const add = (path: string) =>
    entries.push(owned({ path, type: 'file', mode: WHITEOUT_MODE, size: 0 }, {}));
  if ('whiteout' in input && input.whiteout !== undefined) {
    const hidden = destinationOf(input.whiteout, what);
    add(joinPath(parentOf(hidden), `${WHITEOUT_PREFIX}${baseName(hidden)}`));
  }
  if ('opaque' in input && input.opaque !== undefined) {
    add(joinPath(normalizePath(input.opaque, what), OPAQUE_WHITEOUT));
  }
  if (entries.length === 0) {
    throw new GantryError(
      ErrorCode.BuildInput,
      `${what}: no source, content or whiteout`,
      {
        hint: 'each input needs source, content, symlink, directory, whiteout or opaque',
      },
    );
  }
  return entries;
}

function destinationOf(destination: string, what: string): string {
  const path = normalizePath(destination, what);
  if (path === '') {
    throw new GantryError(ErrorCode.BuildInput, `${what}: destination may not be "/"`, {
      hint: 'copy into a folder, e.g. COPY app /app/',
    });
  }
  return path;
}

/** Every ancestor must be a directory; missing ones are added as `mkdir -p` would. */
function addParents(byPath: Map<string, LayerEntry>): void {
  for (const entry of [...byPath.values()]) {
    for (let parent = parentOf(entry.path); parent !== ''; parent = parentOf(parent)) {
      const existing = byPath.get(parent);
      if (existing?.type === 'directory') break;
      if (existing !== undefined)
        throw conflict(entry.path, parent, 'is not a directory');
      byPath.set(parent, {
        path: parent,
        type: 'directory',
        mode: IMPLIED_DIRECTORY_MODE,
        uid: DEFAULT_OWNER,
        gid: DEFAULT_OWNER,
        size: 0,
        implied: true,
      });
    }
  }
}

/**
 * A whiteout hides a path of a lower layer, so the same layer may not also
 * add that path (image-spec layer.md: a whiteout and its target in one layer
 * are ambiguous).
 */
function checkWhiteouts(byPath: Map<string, LayerEntry>): void {
  for (const path of byPath.keys()) {
    const name = baseName(path);
    if (!name.startsWith(WHITEOUT_PREFIX) || name === OPAQUE_WHITEOUT) continue;
    const hidden = joinPath(parentOf(path), name.slice(WHITEOUT_PREFIX.length));
    if (byPath.has(hidden)) throw conflict(hidden, path, 'whites it out');
  }
}

/** The first member of a link group in layer order keeps the content. */
function resolveLinks(entries: LayerEntry[]): LayerEntry[] {
  const first = new Map<string, string>();
  return entries.map((entry) => {
    if (entry.linkGroup === undefined) return entry;
    const target = first.get(entry.linkGroup);
    if (target === undefined) {
      first.set(entry.linkGroup, entry.path);
      return entry;
    }
    const { content: _content, linkGroup: _group, ...rest } = entry;
    return { ...rest, type: 'hardlink', size: 0, linkTarget: target };
  });
}

function conflict(path: string, other: string, problem: string): GantryError {
  return new GantryError(
    ErrorCode.BuildInput,
    `layer path "${path}" conflicts with "${other}", which ${problem}`,
    { hint: 'change the destinations so that no path is given two roles' },
  );
}
