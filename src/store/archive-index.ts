import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, type Header } from 'tar-stream';
import { ErrorCode, GantryError } from '../errors.js';

/**
 * Reading an OCI archive (a tar of an OCI image layout) in place: one pass
 * over the tar records where each file's bytes are, and reads later open
 * just that range of the file. Nothing is unpacked.
 *
 * Only regular files and folders are accepted. An entry whose name is
 * absolute or climbs out with `..`, a link or a device is refused, so
 * whatever later unpacks what gantry read or wrote stays in its folder.
 */

/** POSIX ustar (and pax): a header block is 512 bytes, then the data. */
const TAR_BLOCK = 512;

export interface ArchiveEntry {
  /** Normalised: no leading `./`, no empty or `.` segments. */
  readonly name: string;
  /** Where the entry's bytes start in the file. */
  readonly offset: number;
  readonly size: number;
}

/** Every file of the archive by name; a later entry of a name wins, as in tar. */
export async function indexArchive(file: string): Promise<Map<string, ArchiveEntry>> {
  const entries = new Map<string, ArchiveEntry>();
  const tar = extract();
  const reading = pipeline(createReadStream(file), tar);

  try {
    for await (const entry of tar) {
      const name = safeName(file, entry.header);
      if (entry.header.type !== 'directory') {
        // entry.offset is where the (last) header began; the data follows it.
        const offset = entry.offset + TAR_BLOCK;
        entries.set(name, { name, offset, size: entry.header.size });
      }
      entry.resume();
    }
    await reading;
  } catch (error) {
    reading.catch(() => undefined);
    throw error instanceof GantryError ? error : unreadable(file, error);
  }
  return entries;
}

/** The bytes of one entry, read from its range of the file. */
export function readArchiveEntry(file: string, entry: ArchiveEntry): Readable {
  if (entry.size === 0) return Readable.from([]);
  return createReadStream(file, {
    start: entry.offset,
    end: entry.offset + entry.size - 1,
  });
}

/** The entry's name inside the layout, or an InvalidArchive error. */
function safeName(file: string, header: Header): string {
  const type = header.type ?? 'file';
  if (type !== 'file' && type !== 'directory' && type !== 'contiguous-file') {
    throw refused(file, header.name, `it is a ${type}, not a file or folder`);
  }

  const name = header.name.replace(/^(\.\/)+/, '');
  if (name.startsWith('/')) throw refused(file, header.name, 'its path is absolute');
  const parts = name.split('/').filter((part: string) => part !== '' && part !== '.');
  if (parts.includes('..')) {
    throw refused(file, header.name, 'its path leaves the archive with ".."');
  }
  if (parts.length === 0 && type !== 'directory') {
    throw refused(file, header.name, 'it has no name');
  }
  return parts.join('/');
}

function refused(file: string, name: string, reason: string): GantryError {
  const shown = name.length > 100 ? `${name.slice(0, 97)}...` : name;
  return new GantryError(
    ErrorCode.InvalidArchive,
    `${file}: refused the entry ${JSON.stringify(shown)}: ${reason}`,
    { hint: 'an OCI archive holds only oci-layout, index.json and blobs/ files' },
  );
}

function unreadable(file: string, cause: unknown): GantryError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new GantryError(ErrorCode.InvalidArchive, `cannot read ${file}: ${reason}`, {
    hint: 'check that the file is an uncompressed tar of an OCI image layout',
    cause,
  });
}
