import { readFile } from 'node:fs/promises';
import { ErrorCode, GantryError } from '../errors.js';
import { Digest } from '../oci/digest.js';

/**
 * Where the images of a new index come from: references as typed
 * (`host/repo:tag`, `host/repo@sha256:...`, `oci:DIR:tag`), or the JSON
 * array `gantry build --push-by-digest --metadata-file` writes, one
 * `{platform, digest, repository, mediaType, size}` per platform image.
 */

export interface MetadataEntry {
  platform: string;
  digest: string;
  repository: string;
  mediaType: string;
  size: number;
}

/** Reads a metadata file and checks every entry's fields. */
export async function readMetadataFile(path: string): Promise<MetadataEntry[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw invalid(path, 'cannot be read as JSON', cause);
  }
  if (!Array.isArray(parsed)) throw invalid(path, 'is not a JSON array');
  return parsed.map((entry: unknown, index) => checkEntry(path, entry, index));
}

function checkEntry(path: string, entry: unknown, index: number): MetadataEntry {
  const value = (entry ?? {}) as Partial<MetadataEntry>;
  const strings = [value.platform, value.digest, value.repository, value.mediaType];
  if (!strings.every((text) => typeof text === 'string' && text !== '')) {
    throw invalid(path, `entry ${index} lacks platform, digest, repository or mediaType`);
  }
  if (!Digest.isValid(value.digest!)) {
    throw invalid(path, `entry ${index} has an invalid digest "${value.digest}"`);
  }
  if (typeof value.size !== 'number' || !Number.isSafeInteger(value.size)) {
    throw invalid(path, `entry ${index} has no integer size`);
  }
  return value as MetadataEntry;
}

/** The reference of a metadata entry's image: `repository@digest`. */
export function metadataReference(entry: MetadataEntry): string {
  return `${entry.repository}@${entry.digest}`;
}

function invalid(path: string, what: string, cause?: unknown): GantryError {
  return new GantryError(ErrorCode.Usage, `metadata file ${path} ${what}`, {
    hint: 'pass the file gantry build --push-by-digest REPO --metadata-file FILE wrote',
    ...(cause === undefined ? {} : { cause }),
  });
}
