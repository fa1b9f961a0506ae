import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fetch } from 'undici';
import { getRegistries, startRegistry } from './registries.js';

test('startRegistry starts another plain registry, own port and data', async () => {
  const shared = await getRegistries();
  const extra = await startRegistry('plain');
  try {
    assert.notEqual(extra.host, shared.plain.host);
    const response = await fetch(`${extra.url}/v2/`);
    assert.equal(response.status, 200);
    const catalog = await fetch(`${extra.url}/v2/_catalog`);
    assert.deepEqual(await catalog.json(), { repositories: [] });
  } finally {
    await extra.stop();
  }
  await assert.rejects(fetch(`${extra.url}/v2/`), 'stopped registry still answers');
});

test('relativeUrls makes upload Locations relative', async () => {
  const extra = await startRegistry('plain', { relativeUrls: true });
  try {
    const response = await fetch(`${extra.url}/v2/a/b/blobs/uploads/`, {
      method: 'POST',
    });
    assert.equal(response.status, 202);
    assert.match(response.headers.get('location') ?? '', /^\/v2\/a\/b\/blobs\/uploads\//);
  } finally {
    await extra.stop();
  }
});

test('tokenExpiresIn sets expires_in of a private token registry', async () => {
  const extra = await startRegistry('token', { tokenExpiresIn: 7 });
  try {
    const response = await fetch(`${extra.tokenRealm}?service=gantry-test`);
    assert.equal(((await response.json()) as { expires_in: number }).expires_in, 7);
    assert.equal((await fetch(`${extra.url}/v2/`)).status, 401);
  } finally {
    await extra.stop();
  }
});
