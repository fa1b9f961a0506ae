import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  chainCredentials,
  credentialKey,
  credentialsFromEnv,
  readPasswordFromStdin,
  StaticCredentials,
} from '../../src/registry/credentials.js';

describe('explicit credentials', () => {
  it('are found by registry, with Docker Hub aliases folded together', async () => {
    const creds = new StaticCredentials({
      'https://index.docker.io/v1/': { username: 'u', password: 'p' },
      'R.example:5000': { identityToken: 't' },
    });
    assert.deepEqual(await creds.get('docker.io', 'pull'), {
      username: 'u',
      password: 'p',
    });
    assert.deepEqual(await creds.get('registry-1.docker.io', 'push'), {
      username: 'u',
      password: 'p',
    });
    assert.deepEqual(await creds.get('r.example:5000', 'pull'), { identityToken: 't' });
    assert.equal(await creds.get('r.example', 'pull'), undefined);
  });

  it('keys registries without scheme, path or case', () => {
    assert.equal(credentialKey('HTTPS://Ghcr.io/v2/'), 'ghcr.io');
    assert.equal(credentialKey('index.docker.io'), 'docker.io');
  });
});

describe('credentials from the environment', () => {
  it('apply to every registry when GANTRY_REGISTRY is unset', async () => {
    const creds = credentialsFromEnv({ GANTRY_USERNAME: 'ci', GANTRY_PASSWORD: 'pw' });
    assert.deepEqual(await creds.get('any.example', 'push'), {
      username: 'ci',
      password: 'pw',
    });
  });

  it('apply only to GANTRY_REGISTRY when it is set', async () => {
    const creds = credentialsFromEnv({
      GANTRY_USERNAME: 'ci',
      GANTRY_PASSWORD: 'pw',
      GANTRY_REGISTRY: 'ghcr.io',
    });
    assert.deepEqual(await creds.get('ghcr.io', 'push'), {
      username: 'ci',
      password: 'pw',
    });
    assert.equal(await creds.get('quay.io', 'push'), undefined);
  });

  it('give nothing without a password', async () => {
    const creds = credentialsFromEnv({ GANTRY_USERNAME: 'ci' });
    assert.equal(await creds.get('ghcr.io', 'pull'), undefined);
  });
});

describe('a chain of stores', () => {
  it('answers with the first store that has a credential', async () => {
    const first = new StaticCredentials({
      'a.example': { username: '1', password: '1' },
    });
    const second = new StaticCredentials({
      'a.example': { username: '2', password: '2' },
      'b.example': { username: '3', password: '3' },
    });
    const chain = chainCredentials(first, second);
    assert.equal((await chain.get('a.example', 'pull'))?.username, '1');
    assert.equal((await chain.get('b.example', 'pull'))?.username, '3');
    assert.equal(await chain.get('c.example', 'pull'), undefined);
  });
});

describe('a password on stdin', () => {
  it('loses exactly one trailing newline', async () => {
    assert.equal(await readPasswordFromStdin(Readable.from(['s3cret\n'])), 's3cret');
    assert.equal(await readPasswordFromStdin(Readable.from(['s3cret\r\n'])), 's3cret');
    assert.equal(await readPasswordFromStdin(Readable.from(['two\n\n'])), 'two\n');
    assert.equal(await readPasswordFromStdin(Readable.from([' sp '])), ' sp ');
  });

  it('is read across chunks', async () => {
    const stream = new PassThrough();
    const password = readPasswordFromStdin(stream);
    stream.write('ab');
    stream.end(Buffer.from('cd\n'));
    assert.equal(await password, 'abcd');
  });
});
