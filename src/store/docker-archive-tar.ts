import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract, type Header } from 'tar-stream';
import { ErrorCode, GantryError } from '../errors.js';
import type { ArchiveEntry } from './archive-index.js';

/**
 * Indexing a docker-save tar in one pass, without unpacking it. Unlike an
 * OCI archive, a docker-save tar may hold links: `docker save` before 25
 * links a repeated layer to its first copy (`<id>/layer.tar ->
 * ../<id0>/layer.tar`), and containers/image (skopeo, podman) links each
 * legacy `<id>/layer.tar` to the `<diffID>.tar` it writes. A link whose
 * target stays inside the archive is read as the entry it points at.
 *
 * Refused: any name or link target that is absolute or climbs out with
 * `..`, and devices or fifos, so whatever unpacks the archive stays in its
 * folder.
 */

/** POSIX ustar (and pax): a header block is 512 bytes, then the data. */
const TAR_BLOCK = 512;

/** Links followed before giving up; Linux's MAXSYMLINKS is 40. */
const MAX_LINK_HOPS = 40;

const HINT =
  'a docker-save archive holds manifest.json, configs and layer files, ' +
  'all inside the archive';

/** Every file of the archive by normalised name, links resolved. */
export async function indexDockerTar(file: string): Promise<Map<string, ArchiveEntry>> {
  const entries = new Map<string, ArchiveEntry>();
  const links = new Map<string, string>();
  const tar = extract();
  const reading = pipeline(createReadStream(file), tar);

  try {
    for await (const entry of tar) {
      record(file, entry.header, entry.offset + TAR_BLOCK, entries, links);
      entry.resume();
    }
    await reading;
  } catch (error) {
    reading.catch(() => undefined);
    throw error instanceof GantryError ? error : unreadable(file, error);
  }

  for (const name of links.keys()) {
    const target = followLinks(name, entries, links);
    if (target !== undefined) entries.set(name, { ...target, name });
  }
  return entries;
}

function record(
  file: string,
  header: Header,
  offset: number,
  entries: Map<string, ArchiveEntry>,
  links: Map<string, string>,
): void {
  const type = header.type ?? 'file';
  const name = safeArchivePath(header.name, `${file}: the entry`);
  if (type === 'directory') return;
  if (type === 'file' || type === 'contiguous-file') {
    entries.set(name, { name, offset, size: header.size });
    links.delete(name);
    return;
  }
  if (type === 'symlink' || type === 'link') {
    // A symbolic link is relative to its folder; a hard link names a
    // path from the top of the archive (POSIX pax, "linkname").
    const base = type === 'symlink' ? posix.dirname(name) : '';
    const where = `${file}: the target of link ${JSON.stringify(clip(header.name))}`;
    if (header.linkname.startsWith('/'))
      throw refused(where, header.linkname, 'absolute');
    links.set(name, safeArchivePath(posix.join(base, header.linkname), where));
    entries.delete(name);
    return;
  }
  throw new GantryError(
    ErrorCode.InvalidArchive,
    `${file}: refused the entry ${JSON.stringify(clip(header.name))}: it is a ${type}`,
    { hint: HINT },
  );
}

/** The file a link ends at, or undefined when it ends at nothing (a dangling link). */
function followLinks(
  name: string,
  entries: Map<string, ArchiveEntry>,
  links: Map<string, string>,
): ArchiveEntry | undefined {
  let current = name;
  for (let hop = 0; hop < MAX_LINK_HOPS; hop++) {
    const next = links.get(current);
    if (next === undefined) return entries.get(current);
    current = next;
  }
  return undefined;
}

/**
 * A path inside the archive, normalised (no `./`, empty or `.` segments):
 * refused when absolute or when any segment is `..`. Used for tar names,
 * link targets (after joining them to their folder) and the paths
 * manifest.json gives.
 */
export function safeArchivePath(text: string, where: string): string {
  if (text.startsWith('/')) throw refused(where, text, 'absolute');
  const parts = text.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw refused(where, text, 'leaving the archive with ".."');
  if (parts.length === 0) throw refused(where, text, 'empty');
  return parts.join('/');
}

function refused(where: string, path: string, reason: string): GantryError {
  return new GantryError(
    ErrorCode.InvalidArchive,
    `${where} ${JSON.stringify(clip(path))} is refused: the path is ${reason}`,
    { hint: HINT },
  );
}

function unreadable(file: string, cause: unknown): GantryError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new GantryError(ErrorCode.InvalidArchive, `cannot read ${file}: ${reason}`, {
    hint: 'check that the file is an uncompressed tar written by docker save',
    cause,
  });
}

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
