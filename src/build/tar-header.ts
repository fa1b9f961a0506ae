import { ErrorCode, GantryError } from '../errors.js';

/**
 * gantry writes tar headers itself instead of through tar-stream: a layer's
 * digest is the digest of these bytes, so every field must be decided here,
 * not by a library default (tar-stream fills uname/gname when given, picks
 * GNU or PAX long names by its own rules, and may change either in a minor
 * release). The format is POSIX ustar (IEEE Std 1003.1-2017, "pax" utility,
 * "ustar Interchange Format") with pax extended headers ("pax Extended
 * Header") for what ustar cannot hold. GNU `././@LongLink` is never written.
 */

export const BLOCK_SIZE = 512;

/** The tar typeflags gantry writes (ustar "typeflag" field). */
export const TypeFlag = {
  File: '0',
  HardLink: '1',
  Symlink: '2',
  Directory: '5',
  PaxHeader: 'x',
} as const;

export type TypeFlagValue = (typeof TypeFlag)[keyof typeof TypeFlag];

export interface TarHeader {
  /** Entry name as written, e.g. `usr/bin/` for a directory. */
  name: string;
  typeflag: TypeFlagValue;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname?: string;
}

/** ustar field widths: name and linkname hold 100 bytes. */
const NAME_FIELD = 100;
/** Numeric fields hold width-1 octal digits and a NUL: 8^11 bytes for size. */
const SIZE_LIMIT = 8 ** 11;
const ID_LIMIT = 8 ** 7;

/**
 * The name of every pax extended header entry. GNU tar puts the pid into
 * this name, which makes output differ run to run; a fixed name (the one
 * bsdtar uses) keeps layers byte-identical. Readers ignore it.
 */
const PAX_HEADER_NAME = '././@PaxHeader';
/** Mode of the pax header entry itself; readers ignore it. */
const PAX_HEADER_MODE = 0o644;

/**
 * The header blocks of one entry: a pax extended header first when a field
 * does not fit ustar (name or link over 100 bytes, size of 8 GiB or more,
 * ids of 8^7 or more; BR-26), then the ustar header.
 */
export function encodeHeader(header: TarHeader): Buffer {
  const records = paxRecords(header);
  const ustar = encodeUstar(header, records.length > 0);
  if (records.length === 0) return ustar;

  const body = Buffer.from(records.join(''), 'utf8');
  const paxHeader = encodeUstar(
    {
      name: PAX_HEADER_NAME,
      typeflag: TypeFlag.PaxHeader,
      mode: PAX_HEADER_MODE,
      uid: 0,
      gid: 0,
      size: body.length,
      mtime: header.mtime,
    },
    false,
  );
  return Buffer.concat([paxHeader, body, Buffer.alloc(padding(body.length)), ustar]);
}

/** Zero bytes that round `size` up to a whole block. */
export function padding(size: number): number {
  return (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
}

/** The end-of-archive marker: two zero blocks. */
export function endOfArchive(): Buffer {
  return Buffer.alloc(2 * BLOCK_SIZE);
}

function paxRecords(header: TarHeader): string[] {
  const records: string[] = [];
  if (Buffer.byteLength(header.name) > NAME_FIELD) {
    records.push(paxRecord('path', header.name));
  }
  if (header.linkname !== undefined && Buffer.byteLength(header.linkname) > NAME_FIELD) {
    records.push(paxRecord('linkpath', header.linkname));
  }
  if (header.size >= SIZE_LIMIT) records.push(paxRecord('size', String(header.size)));
  if (header.uid >= ID_LIMIT) records.push(paxRecord('uid', String(header.uid)));
  if (header.gid >= ID_LIMIT) records.push(paxRecord('gid', String(header.gid)));
  // pax "Extended Header": records sorted by keyword keep output canonical.
  return records.sort();
}

/**
 * One pax record, `"%d %s=%s\n"`, where the decimal length counts the whole
 * record including its own digits (pax, "pax Extended Header File Format").
 */
export function paxRecord(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`;
  const restBytes = Buffer.byteLength(rest);
  let length = restBytes + String(restBytes).length;
  if (String(length).length + restBytes !== length) length += 1;
  return `${length}${rest}`;
}

function encodeUstar(header: TarHeader, overridden: boolean): Buffer {
  checkHeader(header);
  const block = Buffer.alloc(BLOCK_SIZE);

  // Fields a pax record carries are written truncated or zero, as readers
  // take the pax value (pax, "pax Extended Header": overrides the header).
  writeText(block, 0, NAME_FIELD, truncate(header.name, overridden));
  writeOctal(block, 100, 8, header.mode & 0o7777);
  writeOctal(block, 108, 8, header.uid < ID_LIMIT ? header.uid : 0);
  writeOctal(block, 116, 8, header.gid < ID_LIMIT ? header.gid : 0);
  writeOctal(block, 124, 12, header.size < SIZE_LIMIT ? header.size : 0);
  writeOctal(block, 136, 12, header.mtime);
  block.write(header.typeflag, 156, 'latin1');
  writeText(block, 157, NAME_FIELD, truncate(header.linkname ?? '', overridden));
  block.write('ustar\u000000', 257, 'latin1');
  // uname and gname stay empty; devmajor and devminor are zero.
  writeOctal(block, 329, 8, 0);
  writeOctal(block, 337, 8, 0);

  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  writeText(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\u0000 `);
  return block;
}

function checkHeader(header: TarHeader): void {
  const ok =
    Number.isSafeInteger(header.mtime) &&
    header.mtime >= 0 &&
    header.mtime < SIZE_LIMIT &&
    Number.isSafeInteger(header.size) &&
    header.size >= 0 &&
    header.name.length > 0 &&
    !header.name.includes('\u0000');
  if (!ok) {
    throw new GantryError(
      ErrorCode.Internal,
      `cannot write a tar header for "${header.name}": a field is out of range`,
      { details: { size: header.size, mtime: header.mtime } },
    );
  }
}

/** The first bytes of `text` that fit a field, never splitting a character. */
function truncate(text: string, overridden: boolean): string {
  if (!overridden || Buffer.byteLength(text) <= NAME_FIELD) return text;
  let end = NAME_FIELD;
  while (Buffer.byteLength(text.slice(0, end)) > NAME_FIELD) end -= 1;
  return text.slice(0, end);
}

function writeText(block: Buffer, offset: number, width: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  bytes.copy(block, offset, 0, Math.min(bytes.length, width));
}

/** Zero-padded octal of width-1 digits followed by a NUL. */
function writeOctal(block: Buffer, offset: number, width: number, value: number): void {
  writeText(block, offset, width, `${value.toString(8).padStart(width - 1, '0')}\u0000`);
}
