import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createGunzip } from 'node:zlib';
import { ErrorCode, GantryError } from '../../../src/index.js';

/**
 * A `.deb` is an ar archive (deb(5)): `debian-binary`, `control.tar.*`,
 * `data.tar.*`. The files a package installs are `data.tar`, here
 * decompressed to a plain tar file that gantry's layer code extracts,
 * modes, symlinks and hard links as the package has them.
 */

/** ar(5) global header. */
const AR_MAGIC = '!<arch>\n';
/** ar(5) member header: name 16, date 12, uid 6, gid 6, mode 8, size 10, "`\n". */
const AR_HEADER_SIZE = 60;
const AR_NAME_SIZE = 16;
const AR_SIZE_FIELD = { start: 48, end: 58 };
const AR_FMAG = '`\n';

// xz-decompress is a webpack bundle whose exports node's ESM loader cannot
// see by name, so it is loaded as the CommonJS module it is.
const { XzReadableStream } = createRequire(import.meta.url)(
  'xz-decompress',
) as typeof import('xz-decompress');

export interface ArMember {
  name: string;
  /** Offset of the member's first data byte in the archive. */
  offset: number;
  size: number;
}

/** The members of an ar archive, read from their headers only. */
export async function readArMembers(path: string): Promise<ArMember[]> {
  const handle = await open(path, 'r');
  try {
    const { size: total } = await handle.stat();
    const magic = Buffer.alloc(AR_MAGIC.length);
    await handle.read(magic, 0, magic.length, 0);
    if (magic.toString('latin1') !== AR_MAGIC) throw notDeb(path, 'no ar magic');

    const members: ArMember[] = [];
    const header = Buffer.alloc(AR_HEADER_SIZE);
    for (let at = AR_MAGIC.length; at + AR_HEADER_SIZE <= total; ) {
      await handle.read(header, 0, AR_HEADER_SIZE, at);
      if (header.toString('latin1', AR_HEADER_SIZE - 2) !== AR_FMAG) {
        throw notDeb(path, `bad member header at ${at}`);
      }
      const name = header.toString('latin1', 0, AR_NAME_SIZE).trimEnd();
      const sizeText = header.toString('latin1', AR_SIZE_FIELD.start, AR_SIZE_FIELD.end);
      const size = Number(sizeText.trim());
      const offset = at + AR_HEADER_SIZE;
      if (!Number.isSafeInteger(size) || offset + size > total) {
        throw notDeb(path, `member ${name} runs past the end`);
      }
      // GNU ar ends names with "/"; data is padded to an even offset.
      members.push({ name: name.replace(/\/$/, ''), offset, size });
      at = offset + size + (size % 2);
    }
    return members;
  } finally {
    await handle.close();
  }
}

/**
 * The package's `data.tar` as a plain tar in `cacheDir` (made once; the
 * `.deb` it comes from was checked against the archive index).
 */
export async function dataTar(debPath: string, cacheDir: string): Promise<string> {
  const out = join(cacheDir, `${basename(debPath, '.deb')}.data.tar`);
  if ((await stat(out).catch(() => undefined))?.isFile() === true) return out;

  const member = (await readArMembers(debPath)).find((m) =>
    m.name.startsWith('data.tar'),
  );
  if (member === undefined) throw notDeb(debPath, 'no data.tar member');
  const end = member.offset + member.size - 1;
  const raw = createReadStream(debPath, { start: member.offset, end });

  await mkdir(cacheDir, { recursive: true });
  // Unique per writer: two processes may fill the same cache at once.
  const partial = `${out}.${randomUUID()}.partial`;
  try {
    await pipeline([
      ...decompressed(raw, member.name, debPath),
      createWriteStream(partial),
    ]);
    await rename(partial, out);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return out;
}

/** deb(5): data.tar may be uncompressed, gzip or xz (bookworm uses xz). */
function decompressed(raw: Readable, name: string, debPath: string) {
  if (name === 'data.tar') return [raw];
  if (name === 'data.tar.gz') return [raw, createGunzip() as Transform];
  if (name === 'data.tar.xz') {
    const web = Readable.toWeb(raw) as unknown as ReadableStream<Uint8Array>;
    const xz = new XzReadableStream(web) as unknown as WebReadableStream<Uint8Array>;
    return [Readable.fromWeb(xz)];
  }
  throw new GantryError(ErrorCode.Unsupported, `${debPath}: ${name} is not supported`, {
    hint: 'the example reads data.tar, data.tar.gz and data.tar.xz',
  });
}

function notDeb(path: string, problem: string): GantryError {
  return new GantryError(ErrorCode.InvalidArchive, `${path}: not a .deb (${problem})`, {
    hint: 'remove examples/esbuild/.cache and run again to download it afresh',
  });
}
