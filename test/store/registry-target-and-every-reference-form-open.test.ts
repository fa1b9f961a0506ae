import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { copyImage } from '../../src/copy/copy.js';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { Reference } from '../../src/reference/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { openTarget } from '../../src/store/open-target.js';
import { seedDockerImage } from '../harness/images.js';
import { getRegistries } from '../harness/registries.js';
import { tempDir } from './support.js';

// openTarget turns every reference form of DESIGN.md into a target and
// the tag or digest it names.

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const client = new RegistryClient();

describe('openTarget', () => {
  test('registry references: tag, digest, default tag', async () => {
    const tagged = await openTarget('127.0.0.1:5000/team/app:1.4', { client });
    assert.equal(tagged.target.kind, 'registry');
    assert.equal(tagged.target.description, '127.0.0.1:5000/team/app');
    assert.equal(tagged.ref, '1.4');
    assert.equal(
      (await openTarget(`127.0.0.1:5000/app@${DIGEST}`, { client })).ref,
      DIGEST,
    );
    assert.equal((await openTarget('127.0.0.1:5000/app', { client })).ref, 'latest');
  });

  test('layouts and archives, created on request', async () => {
    const dir = await tempDir();
    const layout = await openTarget(`oci:${join(dir, 'layout')}:v2`, {
      client,
      create: true,
    });
    assert.equal(layout.target.kind, 'oci-layout');
    assert.equal(layout.ref, 'v2');
    const byDigest = await openTarget(`oci:${join(dir, 'layout')}@${DIGEST}`, { client });
    assert.equal(byDigest.ref, DIGEST);

    const archive = join(dir, 'image.tar');
    await assert.rejects(openTarget(`oci-archive:${archive}`, { client }), (error) =>
      isGantryError(error, ErrorCode.NotFound),
    );
    const opened = await openTarget(`oci-archive:${archive}:x`, { client, create: true });
    assert.equal(opened.target.kind, 'oci-archive');
    assert.equal(opened.ref, 'x');
    await opened.target.close?.();

    const docker = await openTarget(`docker-archive:${join(dir, 'd.tar')}`, {
      client,
      create: true,
    });
    assert.equal(docker.target.kind, 'docker-archive');
    assert.equal(docker.ref, undefined);
    await docker.target.close?.();
    await assert.rejects(openTarget('docker-archive:', { client }), (error) =>
      isGantryError(error, ErrorCode.InvalidReference),
    );
  });

  test('a Docker image copies through a docker archive with its digest', async () => {
    const { plain } = await getRegistries();
    const name = `${plain.host}/store/open-${process.pid}`;
    const seeded = await seedDockerImage(client, Reference.parse(`${name}:in`));
    const file = join(await tempDir(), 'docker.tar');

    const from = await openTarget(`${name}:in`, { client });
    const archive = await openTarget(`docker-archive:${file}`, { client, create: true });
    await copyImage(from.target, from.ref!, archive.target, ['example.com/app:1.0']);
    await archive.target.close?.();

    const reread = await openTarget(`docker-archive:${file}`, { client, readOnly: true });
    const [tag] = await reread.target.tags();
    assert.ok(tag !== undefined);
    const back = await openTarget(`${name}:out`, { client });
    const result = await copyImage(reread.target, tag, back.target, [back.ref!]);
    await reread.target.close?.();
    assert.equal(`${result.digest}`, seeded.digest);
    await client.close();
  });
});
