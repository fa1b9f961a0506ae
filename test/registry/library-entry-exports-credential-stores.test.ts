import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  type CredentialStore,
  chainCredentials,
  credentialsFromEnv,
  DockerConfigCredentials,
  parseManifest,
  parseReference,
  RegistryClient,
  readPasswordFromStdin,
  StaticCredentials,
} from '../../src/index.js';

/**
 * The README's library example imports the client, the parsers and the
 * credential stores from the package entry; each name is there and works.
 */

describe('the library entry', () => {
  it('exports the names of the README example', () => {
    for (const value of [RegistryClient, parseReference, parseManifest]) {
      assert.equal(typeof value, 'function');
    }
    const store: CredentialStore = new DockerConfigCredentials({
      path: '/nonexistent/config.json',
      env: {},
    });
    assert.equal(typeof store.get, 'function');
    assert.ok(new RegistryClient({ credentials: store }));
  });

  it('exports working static, environment and chained stores', async () => {
    const fixed = new StaticCredentials();
    fixed.set('r.example', { username: 'u', password: 'p' });
    const env = credentialsFromEnv({ GANTRY_USERNAME: 'e', GANTRY_PASSWORD: 'q' });
    const chain = chainCredentials(fixed, env);
    assert.deepEqual(await chain.get('r.example', 'pull'), {
      username: 'u',
      password: 'p',
    });
    assert.equal((await chain.get('other.example', 'pull'))?.username, 'e');
  });

  it('exports the stdin password reader', async () => {
    assert.equal(await readPasswordFromStdin(Readable.from(['pw\n'])), 'pw');
  });
});
