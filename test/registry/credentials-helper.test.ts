import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import { MemoryLogger } from '../../src/log.js';
import { DockerConfigCredentials } from '../../src/registry/docker-config.js';
import { captureText } from '../harness/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gantry-cred-helper-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const callLog = join(dir, 'calls.log');

// A credential helper speaking the docker-credential-helpers protocol: the
// server URL on stdin, JSON on stdout, "credentials not found" otherwise.
writeFileSync(
  join(dir, 'docker-credential-testhelper'),
  `#!/bin/sh
read server
echo "$1 $server" >> "${callLog}"
case "$server" in
  creds.example) echo '{"ServerURL":"creds.example","Username":"hal","Secret":"pw-1"}' ;;
  token.example) echo '{"Username":"<token>","Secret":"idtok-9"}' ;;
  https://index.docker.io/v1/) echo '{"Username":"hub","Secret":"hub-pw"}' ;;
  broken.example) echo 'it broke' >&2; exit 3 ;;
  *) echo 'credentials not found in native keychain'; exit 1 ;;
esac
`,
);
chmodSync(join(dir, 'docker-credential-testhelper'), 0o755);

// A helper that never answers (a keychain waiting to be unlocked).
writeFileSync(join(dir, 'docker-credential-hanging'), '#!/bin/sh\nexec sleep 60\n');
chmodSync(join(dir, 'docker-credential-hanging'), 0o755);

const env = { PATH: `${dir}:${process.env.PATH ?? ''}` };

function store(
  config: unknown,
  logger?: MemoryLogger,
  helperTimeoutMs?: number,
): DockerConfigCredentials {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(config));
  return new DockerConfigCredentials({
    path,
    env,
    ...(logger ? { logger } : {}),
    ...(helperTimeoutMs === undefined ? {} : { helperTimeoutMs }),
  });
}

describe('credential helpers (docker-credential-<name> get)', () => {
  it('asks the per-registry helper with the server URL on stdin', async () => {
    const creds = store({ credHelpers: { 'creds.example': 'testhelper' } });
    assert.deepEqual(await creds.get('creds.example', 'push'), {
      username: 'hal',
      password: 'pw-1',
    });
    assert.match(readFileSync(callLog, 'utf8'), /^get creds\.example$/m);
  });

  it('reads Username "<token>" as an identity token', async () => {
    const creds = store({ credsStore: 'testhelper' });
    assert.deepEqual(await creds.get('token.example', 'pull'), {
      identityToken: 'idtok-9',
    });
  });

  it('asks with https://index.docker.io/v1/ for docker.io', async () => {
    const creds = store({ credsStore: 'testhelper' });
    assert.deepEqual(await creds.get('docker.io', 'pull'), {
      username: 'hub',
      password: 'hub-pw',
    });
  });

  it('treats "credentials not found" as no credential', async () => {
    const creds = store({ credHelpers: { 'none.example': 'testhelper' } });
    assert.equal(await creds.get('none.example', 'push'), undefined);
  });

  it('falls back from the default store to auths', async () => {
    const auth = Buffer.from('file:pw').toString('base64');
    const creds = store({
      credsStore: 'testhelper',
      auths: { 'none.example': { auth } },
    });
    assert.deepEqual(await creds.get('none.example', 'pull'), {
      username: 'file',
      password: 'pw',
    });
  });

  it('reports a failing helper by name and exit code, without its output', async () => {
    const creds = store({ credHelpers: { 'broken.example': 'testhelper' } });
    await assert.rejects(creds.get('broken.example', 'push'), (error) => {
      assert.ok(isGantryError(error, ErrorCode.CredentialHelper));
      assert.match(error.message, /docker-credential-testhelper .* exit code 3/);
      assert.ok(!error.message.includes('it broke'));
      return true;
    });
  });
});

describe('a credential helper that hangs', () => {
  it('is stopped after the timeout and reported by name', async () => {
    const creds = store({ credHelpers: { 'r.example': 'hanging' } }, undefined, 100);
    await assert.rejects(creds.get('r.example', 'push'), (error) => {
      assert.ok(isGantryError(error, ErrorCode.CredentialHelper));
      assert.match(error.message, /docker-credential-hanging .* was stopped/);
      return true;
    });
  });
});

describe('a credential helper that is not installed', () => {
  const config = { credHelpers: { 'r.example': 'absent' } };

  it('fails a push, naming the binary and the config file', async () => {
    const creds = store(config);
    await assert.rejects(creds.get('r.example', 'push'), (error) => {
      assert.ok(isGantryError(error, ErrorCode.CredentialHelper));
      captureText('missing credential helper', `${error.message}\n${error.hint}`);
      assert.match(error.message, /docker-credential-absent/);
      assert.ok(error.message.includes(creds.path));
      assert.match(error.hint ?? '', /install docker-credential-absent/);
      return true;
    });
  });

  it('lets a pull go on anonymously, with a warning', async () => {
    const logger = new MemoryLogger();
    const creds = store(config, logger);
    assert.equal(await creds.get('r.example', 'pull'), undefined);
    const warnings = logger.messages('warn');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /docker-credential-absent .*going on without credentials/);
  });

  it('refuses a helper name that is a path', async () => {
    const creds = store({ credHelpers: { 'r.example': '../../bin/sh' } });
    await assert.rejects(creds.get('r.example', 'push'), (error) =>
      isGantryError(error, ErrorCode.CredentialHelper),
    );
  });
});
