import { readFile } from 'node:fs/promises';
import { ErrorCode, GantryError } from '../errors.js';
import { RECORD_FORMAT, type ReleaseRecord } from '../release/record.js';

/**
 * Reads a release record (release/record.ts) for verification. Only the
 * fields verification uses are checked; a record of another format is
 * refused rather than half understood.
 */
export async function readRecordFile(path: string): Promise<ReleaseRecord> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw recordError(path, 'cannot be read', cause);
  }
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (cause) {
    throw recordError(path, 'is not JSON', cause);
  }
  if (!isRecord(record)) throw recordError(path, 'is not a gantry release record');
  if (record.format !== RECORD_FORMAT) {
    throw recordError(
      path,
      `has format ${record.format}, this gantry reads ${RECORD_FORMAT}`,
    );
  }
  return record;
}

function isRecord(value: unknown): value is ReleaseRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<ReleaseRecord>;
  return (
    typeof record.format === 'number' &&
    Array.isArray(record.order) &&
    Array.isArray(record.images) &&
    Array.isArray(record.tags) &&
    record.tags.every(
      (tag) =>
        typeof tag?.destination === 'string' &&
        typeof tag.tag === 'string' &&
        typeof tag.digest === 'string' &&
        typeof tag.image === 'string',
    )
  );
}

function recordError(path: string, what: string, cause?: unknown): GantryError {
  return new GantryError(ErrorCode.Usage, `release record ${path} ${what}`, {
    hint: 'pass the JSON record `gantry release` wrote, with --record FILE',
    ...(cause === undefined ? {} : { cause }),
  });
}
