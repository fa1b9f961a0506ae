import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseRelease } from '../../examples/esbuild/debian/archive.js';
import { cachedDownload, sha256Hex } from '../../examples/esbuild/debian/download.js';
import { ErrorCode, GantryError } from '../../src/index.js';

/**
 * The example's downloads from the Debian archive: a file whose SHA-256 or
 * size differs from the index is refused and never cached; a cached file
 * that matches is used with no request; InRelease's signed text is read
 * with dash-escaping undone and the signature block left out.
 */

const GOOD = Buffer.from('Package: demo\nVersion: 1\n');
let server: Server;
let base = '';
let work = '';
let requests = 0;

before(async () => {
  server = createServer((request, response) => {
    requests += 1;
    response.end(request.url === '/corrupt' ? Buffer.from('Package: evil\n') : GOOD);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  work = await mkdtemp(join(tmpdir(), 'gantry-example-download-'));
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  if (work !== '') await rm(work, { recursive: true, force: true });
});

test('a download that differs from its SHA-256 is refused and not cached', async () => {
  const path = join(work, 'corrupt');
  await assert.rejects(
    cachedDownload(`${base}/corrupt`, path, { sha256: sha256Hex(GOOD) }),
    (error: unknown) =>
      error instanceof GantryError && error.code === ErrorCode.DigestMismatch,
  );
  await assert.rejects(stat(path), { code: 'ENOENT' });
});

test('a download of the wrong size is refused', async () => {
  await assert.rejects(
    cachedDownload(`${base}/good`, join(work, 'short'), { size: GOOD.length + 1 }),
    (error: unknown) =>
      error instanceof GantryError && error.code === ErrorCode.SizeMismatch,
  );
});

test('a good download is cached, and the cache is then used with no request', async () => {
  const path = join(work, 'good');
  const expected = { sha256: sha256Hex(GOOD), size: GOOD.length };
  await cachedDownload(`${base}/good`, path, expected);
  assert.deepEqual(await readFile(path), GOOD);

  const before = requests;
  const again = await cachedDownload(`${base}/good`, path, expected);
  assert.deepEqual(Buffer.from(again), GOOD);
  assert.equal(requests, before, 'no request for a valid cached file');
});

test('InRelease: the signed text, dash-escaping undone, SHA256 entries read', () => {
  const text = [
    '-----BEGIN PGP SIGNED MESSAGE-----',
    'Hash: SHA256',
    '',
    'Codename: bookworm',
    'Version: 12.15',
    'MD5Sum:',
    ' 0123 10 main/binary-amd64/Packages.gz',
    'SHA256:',
    ` ${'a'.repeat(64)} 12084798 main/binary-amd64/Packages.gz`,
    ` ${'b'.repeat(64)}   8689464 main/binary-arm64/Packages.xz`,
    '- -not a field',
    '-----BEGIN PGP SIGNATURE-----',
    ` ${'c'.repeat(64)} 1 main/binary-amd64/Packages.forged`,
    '-----END PGP SIGNATURE-----',
  ].join('\n');
  const release = parseRelease(text, 'InRelease');
  assert.equal(release.version, '12.15');
  assert.deepEqual(
    [...release.hashes],
    [
      ['main/binary-amd64/Packages.gz', { sha256: 'a'.repeat(64), size: 12084798 }],
      ['main/binary-arm64/Packages.xz', { sha256: 'b'.repeat(64), size: 8689464 }],
    ],
  );
});
