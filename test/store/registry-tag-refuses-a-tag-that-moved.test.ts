import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { Reference } from '../../src/reference/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { RegistryTarget } from '../../src/store/registry-target.js';
import { getRegistries } from '../harness/registries.js';
import { makeImage, pushImage } from './support.js';

// A registry cannot compare and set a tag (distribution has no conditional
// manifest PUT): with `expect`, RegistryTarget reads the tag once just
// before the PUT and refuses, writing nothing, when it moved since the
// caller saw it. Against a real distribution 2.8 registry.

const client = new RegistryClient();
after(() => client.close());
let host = '';
let repositories = 0;

before(async () => {
  host = (await getRegistries()).plain.host;
});

async function setUp() {
  const name = `store/tag-expect-${process.pid}-${++repositories}`;
  const repo = new RegistryTarget(client, Reference.parseRepository(`${host}/${name}`));
  const a = makeImage(`A${repositories}`);
  const b = makeImage(`B${repositories}`);
  await pushImage(repo, a);
  await pushImage(repo, b);
  return { repo, a, b };
}

const moved = (error: unknown) => isGantryError(error, ErrorCode.TagMoved);

test('a tag expected absent that another writer made is refused and kept', async () => {
  const { repo, a, b } = await setUp();
  await repo.tag(a.descriptor, 'latest');
  await assert.rejects(
    repo.tag(b.descriptor, 'latest', { expect: { digest: undefined } }),
    (error: unknown) =>
      moved(error) && (error as Error).message.includes(`${a.descriptor.digest}`),
  );
  assert.ok((await repo.resolve('latest')).digest.equals(a.descriptor.digest));
});

test('a move from the digest seen is written, a stale one refused', async () => {
  const { repo, a, b } = await setUp();
  await repo.tag(a.descriptor, 'v1', { expect: { digest: undefined } });
  const seen = `${a.descriptor.digest}`;
  await repo.tag(b.descriptor, 'v1', {
    expect: { digest: seen },
    bytes: b.manifest.bytes,
  });
  assert.ok((await repo.resolve('v1')).digest.equals(b.descriptor.digest));

  await assert.rejects(repo.tag(a.descriptor, 'v1', { expect: { digest: seen } }), moved);
  assert.ok((await repo.resolve('v1')).digest.equals(b.descriptor.digest));
});
