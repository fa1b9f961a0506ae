import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ErrorCode, GantryError } from '../../../src/index.js';
import { cachedDownload } from './download.js';

/**
 * A Debian archive read the way apt reads it (wiki.debian.org/DebianRepository/
 * Format): `dists/<suite>/InRelease` lists the SHA-256 of every index, the
 * `Packages.gz` index of an architecture gives each package's `.deb` path
 * in `pool/` and its SHA-256. Every download is checked against the file
 * above it, so a `.deb` is as trustworthy as the InRelease it chains to.
 *
 * TODO(security): InRelease's OpenPGP signature is not checked (that needs
 * the archive keyring and an OpenPGP implementation); HTTPS to the mirror
 * is what vouches for it. See the README's known limits.
 */

/** Debian's own redirector; HTTPS, since the signature is not checked. */
export const DEFAULT_MIRROR = 'https://deb.debian.org/debian';
/** Debian 12: the release the example's base images are made from. */
export const SUITE = 'bookworm';
/** The component holding every package the bases use. */
export const COMPONENT = 'main';

export interface ArchiveOptions {
  mirror: string;
  /** Folder for InRelease, the indexes and the `.deb` files. */
  cacheDir: string;
}

/** One package as the index describes it (deb822 fields). */
export interface PackageEntry {
  name: string;
  version: string;
  architecture: string;
  /** Path under the mirror, e.g. `pool/main/g/glibc/libc6_..._amd64.deb`. */
  filename: string;
  size: number;
  sha256: string;
}

export interface Release {
  /** Point release, e.g. `12.15`. */
  version: string;
  /** Index path (e.g. `main/binary-arm64/Packages.gz`) to SHA-256 and size. */
  hashes: Map<string, { sha256: string; size: number }>;
}

/** The suite's InRelease: cached after the first run, so later runs agree. */
export async function readRelease(options: ArchiveOptions): Promise<Release> {
  const url = `${options.mirror}/dists/${SUITE}/InRelease`;
  const bytes = await cachedDownload(url, join(options.cacheDir, 'InRelease'), {});
  return parseRelease(Buffer.from(bytes).toString('utf8'), url);
}

/** The signed text of a clearsigned Release file, its fields and SHA256 list. */
export function parseRelease(text: string, where: string): Release {
  const lines = signedLines(text);
  const version = lines
    .find((line) => line.startsWith('Version:'))
    ?.slice(8)
    .trim();
  const hashes = new Map<string, { sha256: string; size: number }>();
  const start = lines.indexOf('SHA256:');
  for (const line of start < 0 ? [] : lines.slice(start + 1)) {
    if (!line.startsWith(' ')) break;
    const [sha256, size, path] = line.trim().split(/\s+/);
    if (sha256 !== undefined && path !== undefined) {
      hashes.set(path, { sha256, size: Number(size) });
    }
  }
  if (version === undefined || hashes.size === 0) {
    throw new GantryError(ErrorCode.InvalidArchive, `${where}: no Version or SHA256`, {
      hint: 'check DEBIAN_MIRROR names a Debian archive',
    });
  }
  return { version, hashes };
}

/**
 * RFC 4880 §7: the text between the armour header's blank line and the
 * signature, with dash-escaping (`- `) undone.
 */
function signedLines(text: string): string[] {
  const lines = text.split('\n');
  const begin = lines.findIndex((line) => line.startsWith('-----BEGIN PGP SIGNED'));
  if (begin < 0) return lines;
  const body = lines.slice(lines.indexOf('', begin) + 1);
  const end = body.findIndex((line) => line.startsWith('-----BEGIN PGP SIGNATURE'));
  return body.slice(0, end < 0 ? undefined : end).map((line) => line.replace(/^- /, ''));
}

/** The named packages of one architecture, from its checked `Packages.gz`. */
export async function findPackages(
  release: Release,
  architecture: string,
  names: readonly string[],
  options: ArchiveOptions,
): Promise<PackageEntry[]> {
  const index = `${COMPONENT}/binary-${architecture}/Packages.gz`;
  const expected = release.hashes.get(index);
  if (expected === undefined) {
    throw new GantryError(ErrorCode.NotFound, `InRelease lists no ${index}`, {
      hint: `check that ${SUITE} is built for ${architecture}`,
    });
  }
  const url = `${options.mirror}/dists/${SUITE}/${index}`;
  const path = join(options.cacheDir, architecture, 'Packages.gz');
  // Some 50 MB of text per architecture: read once per process.
  const key = `${path} ${expected.sha256}`;
  let text = indexTexts.get(key);
  if (text === undefined) {
    text = gunzipSync(await cachedDownload(url, path, expected)).toString('utf8');
    indexTexts.set(key, text);
  }
  return names.map((name) => packageEntry(text, name, architecture));
}

const indexTexts = new Map<string, string>();

function packageEntry(text: string, name: string, architecture: string): PackageEntry {
  const start = stanzaStart(text, name);
  if (start < 0) {
    throw new GantryError(ErrorCode.NotFound, `${SUITE}/${architecture}: no ${name}`, {
      hint: 'check the package name in examples/esbuild/debian/bases.ts',
    });
  }
  const end = text.indexOf('\n\n', start);
  const fields = new Map<string, string>();
  for (const line of text.slice(start, end < 0 ? undefined : end).split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith(' ')) {
      fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
    }
  }
  const field = (key: string) => fields.get(key) ?? '';
  return {
    name,
    version: field('Version'),
    architecture: field('Architecture'),
    filename: field('Filename'),
    size: Number(field('Size')),
    sha256: field('SHA256'),
  };
}

/** Where the stanza of package `name` starts, or -1. */
function stanzaStart(text: string, name: string): number {
  const head = `Package: ${name}\n`;
  if (text.startsWith(head)) return 0;
  const at = text.indexOf(`\n${head}`);
  return at < 0 ? -1 : at + 1;
}

/** The `.deb` of `entry`, checked against its SHA-256; returns its path. */
export async function fetchDeb(entry: PackageEntry, options: ArchiveOptions) {
  const base = entry.filename.slice(entry.filename.lastIndexOf('/') + 1);
  const path = join(options.cacheDir, 'pool', base);
  const url = `${options.mirror}/${entry.filename}`;
  await cachedDownload(url, path, { sha256: entry.sha256, size: entry.size });
  return path;
}
