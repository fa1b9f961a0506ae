import { readFile } from 'node:fs/promises';
import { ErrorCode, GantryError } from '../errors.js';
import { Digest } from '../oci/digest.js';
import {
  PREVIOUS_RECORD_FORMAT,
  RECORD_FORMAT,
  type RecordedTag,
  type ReleaseRecord,
} from './record.js';

/**
 * Reads a release record for rollback, checking the parts rollback relies
 * on (format, every tag's destination, name, digests and change) so a
 * damaged file is refused before any registry is asked anything.
 */
export async function readRecordFile(path: string): Promise<ReleaseRecord> {
  const text = await readFile(path, 'utf8').catch((cause: NodeJS.ErrnoException) => {
    if (cause.code !== 'ENOENT') throw invalid(path, 'cannot be read', cause);
    throw new GantryError(ErrorCode.NotFound, `release record ${path} does not exist`, {
      hint:
        'pass the record gantry release wrote ' +
        '(gantry-release-record.json or its --record)',
      cause,
    });
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw invalid(path, 'cannot be read as JSON', cause);
  }
  const record = parsed as Partial<ReleaseRecord>;
  if (record.format !== RECORD_FORMAT && record.format !== PREVIOUS_RECORD_FORMAT) {
    const expected = `${PREVIOUS_RECORD_FORMAT} or ${RECORD_FORMAT}`;
    throw invalid(path, `has format ${String(record.format)}, expected ${expected}`);
  }
  const inputs = record.inputs;
  if (inputs !== undefined && typeof inputs?.version?.input !== 'string') {
    throw invalid(path, 'has "inputs" without the version as given');
  }
  if (!Array.isArray(record.tags) || typeof record.version !== 'string') {
    throw invalid(path, 'has no "tags" list or no "version"');
  }
  for (const [index, tag] of record.tags.entries()) checkTag(path, tag, index);
  return record as ReleaseRecord;
}

// `held`: a tag left alone because it names a newer release.
const CHANGES = new Set(['new', 'stays', 'moves', 'exists', 'held']);

function checkTag(path: string, tag: RecordedTag, index: number): void {
  const where = `tags[${index}]`;
  const texts = [tag.destination, tag.image, tag.tag, tag.digest];
  if (!texts.every((text) => typeof text === 'string' && text !== '')) {
    throw invalid(path, `${where} lacks destination, image, tag or digest`);
  }
  if (!CHANGES.has(tag.change))
    throw invalid(path, `${where} has change "${tag.change}"`);
  for (const digest of [tag.digest, tag.previous]) {
    if (digest !== undefined && !Digest.isValid(digest)) {
      throw invalid(path, `${where} has an invalid digest "${digest}"`);
    }
  }
  if (tag.change === 'moves' && tag.previous === undefined) {
    throw invalid(path, `${where} moved ${tag.tag} but has no "previous" digest`);
  }
}

function invalid(path: string, what: string, cause?: unknown): GantryError {
  return new GantryError(ErrorCode.ReleaseRecord, `release record ${path} ${what}`, {
    hint: 'pass the JSON record gantry release wrote (--record FILE)',
    ...(cause === undefined ? {} : { cause }),
  });
}
