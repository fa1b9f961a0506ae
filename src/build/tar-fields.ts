import { ErrorCode, GantryError } from '../errors.js';
import { BLOCK_SIZE } from './tar-header.js';

/**
 * Field decoding for the tar reader: numbers (octal or GNU base-256), header
 * checksums, pax records and NUL-terminated strings.
 */

/** What extended headers (pax `x`, GNU `L` and `K`) say about the next entry. */
export interface Pending {
  path?: string;
  linkpath?: string;
  size?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
}

/** pax records `"%d key=value\n"`; keys gantry does not use are skipped. */
export function parsePax(body: Uint8Array, what: string): Pending {
  const result: Pending = {};
  const bytes = Buffer.from(body);
  let at = 0;
  while (at < bytes.length && bytes[at] !== 0) {
    const space = bytes.indexOf(0x20, at);
    const length = Number(bytes.toString('latin1', at, space));
    if (space < 0 || !Number.isSafeInteger(length) || length <= 0) {
      throw bad(what, 'has a malformed pax record', at);
    }
    const record = bytes.toString('utf8', space + 1, at + length - 1);
    const equals = record.indexOf('=');
    setPax(result, record.slice(0, equals), record.slice(equals + 1), what);
    at += length;
  }
  return result;
}

function setPax(result: Pending, key: string, value: string, what: string): void {
  if (key === 'path') result.path = value;
  else if (key === 'linkpath') result.linkpath = value;
  else if (key === 'size' || key === 'uid' || key === 'gid' || key === 'mtime') {
    const number = key === 'mtime' ? Math.floor(Number(value)) : Number(value);
    if (!Number.isSafeInteger(number) || number < 0) {
      throw bad(what, `has a pax ${key} record out of range`, 0);
    }
    result[key] = number;
  } else if (key.startsWith('GNU.sparse')) {
    throw new GantryError(
      ErrorCode.Unsupported,
      `${what}: sparse files are not supported`,
      { hint: 'write the tarball again without --sparse (GNU tar -S)' },
    );
  }
}

/** Octal ASCII, or base-256 when the first byte has its high bit set (GNU). */
export function parseNumber(field: Uint8Array, what: string, at: number): number {
  if ((field[0]! & 0x80) !== 0) {
    let value = field[0]! & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    if (!Number.isSafeInteger(value)) throw bad(what, 'has a number out of range', at);
    return value;
  }
  const digits = cString(field).trim();
  if (digits === '') return 0;
  if (!/^[0-7]+$/.test(digits)) throw bad(what, 'has a malformed numeric field', at);
  return Number.parseInt(digits, 8);
}

/** The checksum is the byte sum with the field read as spaces (ustar). */
export function checkChecksum(block: Uint8Array, what: string, at: number): void {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  const stored = parseNumber(block.subarray(148, 156), what, at);
  if (stored !== unsigned && stored !== signed) throw bad(what, 'has a bad checksum', at);
}

export function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return Buffer.from(bytes.subarray(0, end < 0 ? bytes.length : end)).toString('utf8');
}

export function bad(what: string, problem: string, at: number): GantryError {
  return new GantryError(ErrorCode.InvalidArchive, `${what} ${problem} (byte ${at})`, {
    hint: 'check that the file is a complete, uncompressed or gzip tar archive',
  });
}
