import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import {
  DockerConfigCredentials,
  dockerConfigPath,
} from '../../src/registry/docker-config.js';

const dir = mkdtempSync(join(tmpdir(), 'gantry-docker-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function store(config: unknown): DockerConfigCredentials {
  const folder = join(dir, `c${++count}`);
  const path = join(dir, `config-${count}.json`);
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config));
  return new DockerConfigCredentials({ path, env: { DOCKER_CONFIG: folder } });
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('Docker config.json auths', () => {
  it('decodes auth as user:password, keeping colons in the password', async () => {
    const creds = store({ auths: { 'r.example': { auth: b64('ann:pa:ss:word') } } });
    assert.deepEqual(await creds.get('r.example', 'pull'), {
      username: 'ann',
      password: 'pa:ss:word',
    });
  });

  it('finds entries keyed by https://host and by host with a path', async () => {
    const creds = store({
      auths: {
        'https://a.example': { auth: b64('a:1') },
        'http://b.example:5000/v2/': { username: 'b', password: '2' },
      },
    });
    assert.deepEqual(await creds.get('a.example', 'push'), {
      username: 'a',
      password: '1',
    });
    assert.deepEqual(await creds.get('b.example:5000', 'pull'), {
      username: 'b',
      password: '2',
    });
    assert.equal(await creds.get('c.example', 'pull'), undefined);
  });

  it('uses the https://index.docker.io/v1/ entry for docker.io', async () => {
    const creds = store({
      auths: { 'https://index.docker.io/v1/': { auth: b64('hub:pw') } },
    });
    assert.deepEqual(await creds.get('docker.io', 'pull'), {
      username: 'hub',
      password: 'pw',
    });
  });

  it('prefers an entry keyed exactly by the registry', async () => {
    const creds = store({
      auths: {
        'https://r.example': { auth: b64('wrong:1') },
        'r.example': { auth: b64('right:2') },
      },
    });
    assert.equal((await creds.get('r.example', 'pull'))?.username, 'right');
  });

  it('reads an identity token', async () => {
    const creds = store({ auths: { 'r.example': { identitytoken: 'refresh-123' } } });
    assert.deepEqual(await creds.get('r.example', 'pull'), {
      identityToken: 'refresh-123',
    });
  });

  it('gives nothing when the file does not exist', async () => {
    const creds = new DockerConfigCredentials({ path: join(dir, 'missing.json') });
    assert.equal(await creds.get('r.example', 'push'), undefined);
  });

  it('reports a broken file without quoting it', async () => {
    const creds = store('{"auths": {"r.example": {"auth": "c2VjcmV0LXRleHQ="');
    await assert.rejects(creds.get('r.example', 'pull'), (error) => {
      assert.ok(isGantryError(error, ErrorCode.Credentials));
      assert.ok(!error.message.includes('c2VjcmV0'));
      return true;
    });
  });

  it('rejects an auth field without a colon', async () => {
    const creds = store({ auths: { 'r.example': { auth: b64('nocolon') } } });
    await assert.rejects(creds.get('r.example', 'pull'), (error) =>
      isGantryError(error, ErrorCode.Credentials),
    );
  });
});

describe('where the config file is', () => {
  it('follows DOCKER_CONFIG, else the home folder', () => {
    assert.equal(dockerConfigPath({ DOCKER_CONFIG: '/etc/dc' }), '/etc/dc/config.json');
    assert.equal(dockerConfigPath({ HOME: '/home/u' }), '/home/u/.docker/config.json');
  });
});
