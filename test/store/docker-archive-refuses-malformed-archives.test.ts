import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { DockerArchiveTarget } from '../../src/store/docker-archive.js';
import {
  configFor,
  json,
  type TarFile,
  tarLayer,
  writeTar,
} from './docker-archive-fixtures.js';
import { tempDir } from './support.js';

// What docker load would refuse, and whatever could write outside the
// folder an archive is unpacked in, is refused when the archive is opened.

const invalidArchive = (pattern: RegExp) => (error: unknown) =>
  isGantryError(error, ErrorCode.InvalidArchive) && pattern.test(error.message);

/** A valid one-image archive (old layout) with `extra` files and manifest.json fields. */
async function archive(extra: TarFile[], fields: Record<string, unknown> = {}) {
  const layer = await tarLayer('file', 'content');
  const config = configFor([layer]);
  const entry = { Config: 'config.json', RepoTags: ['app:1'], Layers: ['l/layer.tar'] };
  return writeTar(await tempDir(), 'archive.tar', [
    { name: 'l/layer.tar', bytes: layer.bytes },
    { name: 'config.json', bytes: config.bytes },
    ...extra,
    { name: 'manifest.json', bytes: json([{ ...entry, ...fields }]) },
  ]);
}

test('the archive used below opens, so each refusal is for its one flaw', async () => {
  const target = await DockerArchiveTarget.open(await archive([]), { readOnly: true });
  assert.deepEqual(await target.tags(), ['1']);
});

test('RepoTags given as a string is refused, as docker load refuses it', async () => {
  const file = await archive([], { RepoTags: 'app:1' });
  await assert.rejects(
    DockerArchiveTarget.open(file),
    (error: unknown) =>
      invalidArchive(/RepoTags is the string "app:1", not a list/)(error) &&
      (error as { hint?: string }).hint?.includes('["app:1"]') === true,
  );
});

test('tar entries with ".." or an absolute path are refused', async () => {
  const bytes = new Uint8Array([1]);
  for (const name of ['../evil', 'l/../../evil', '/etc/evil']) {
    const file = await archive([{ name, bytes }]);
    await assert.rejects(DockerArchiveTarget.open(file), invalidArchive(/refused/), name);
  }
});

test('a link whose target leaves the archive is refused', async () => {
  for (const linkname of ['../../etc/passwd', '/etc/passwd']) {
    const link: TarFile = { name: 'l/evil.tar', type: 'symlink', linkname };
    const file = await archive([link]);
    await assert.rejects(
      DockerArchiveTarget.open(file),
      invalidArchive(/refused/),
      linkname,
    );
  }
  const hard: TarFile = { name: 'evil', type: 'link', linkname: '../outside' };
  await assert.rejects(
    DockerArchiveTarget.open(await archive([hard])),
    invalidArchive(/refused/),
  );
});

test('manifest.json paths that leave the archive or name nothing', async () => {
  const climbing = await archive([], { Layers: ['../l/layer.tar'] });
  await assert.rejects(DockerArchiveTarget.open(climbing), invalidArchive(/Layers\[0\]/));
  const absolute = await archive([], { Config: '/config.json' });
  await assert.rejects(DockerArchiveTarget.open(absolute), invalidArchive(/Config/));
  const missing = await archive([], { Layers: ['m/layer.tar'] });
  await assert.rejects(
    DockerArchiveTarget.open(missing),
    invalidArchive(/not in the archive/),
  );
});

test('devices and a missing manifest.json are refused', async () => {
  const device = await archive([{ name: 'dev', type: 'character-device' }]);
  await assert.rejects(
    DockerArchiveTarget.open(device),
    invalidArchive(/character-device/),
  );
  const none = await writeTar(await tempDir(), 'none.tar', [
    { name: 'x', bytes: json(1) },
  ]);
  await assert.rejects(
    DockerArchiveTarget.open(none),
    invalidArchive(/no manifest\.json/),
  );
});
