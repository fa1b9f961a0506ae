import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { isGantryError } from '../../src/errors.js';
import { Digest } from '../../src/oci/digest.js';
import { parseManifest } from '../../src/oci/manifest.js';
import { parseReference } from '../../src/reference/index.js';
import { getFromHelper } from '../../src/registry/credential-helper.js';
import { readPasswordFromStdin } from '../../src/registry/credentials.js';
import { httpsOnlyError } from '../../src/registry/endpoint.js';
import { getManifest } from '../../src/registry/manifests.js';
import { networkError } from '../../src/registry/network-error.js';
import { RegistryError } from '../../src/registry/registry-error.js';
import { type Scripted, startScripted } from '../harness/scripted.js';
import { closeAll, tracedSession } from './session-helpers.js';

/**
 * Every kind of failure the library raises tells the user what to try: one
 * representative error per code family, each with a non-empty hint.
 */

const enc = (text: string) => new TextEncoder().encode(text);
const dir = mkdtempSync(join(tmpdir(), 'gantry-hints-'));
const servers: Scripted[] = [];
after(async () => {
  await closeAll();
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `raise` and returns what it threw (sync or async). */
async function caught(raise: () => unknown): Promise<unknown> {
  try {
    await raise();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function registryError(status: number, body = '') {
  return new RegistryError({
    status,
    method: 'GET',
    url: 'https://r.example/v2/a/manifests/latest',
    errors: body === '' ? [] : [{ code: 'UNKNOWN', message: body, detail: null }],
  });
}

function syscall(code: string): Error {
  return Object.assign(new Error(code), { code });
}

async function wrongDigestHeader() {
  const server = await startScripted([
    {
      method: 'GET',
      path: '/v2/a/manifests/latest',
      reply: () => ({
        status: 200,
        headers: {
          'content-type': 'application/vnd.oci.image.index.v1+json',
          'docker-content-digest': `sha256:${'0'.repeat(64)}`,
        },
        body: '{"schemaVersion":2,"manifests":[]}',
      }),
    },
  ]);
  servers.push(server);
  const { session } = tracedSession('wrong digest header', server.host);
  return getManifest(session, parseReference(`${server.host}/a:latest`));
}

function hangingHelper() {
  writeFileSync(join(dir, 'docker-credential-hang'), '#!/bin/sh\nsleep 30\n');
  chmodSync(join(dir, 'docker-credential-hang'), 0o755);
  return getFromHelper('hang', 'r.example', {
    configFile: 'config.json',
    env: { PATH: `${dir}:${process.env.PATH ?? ''}` },
    timeoutMs: 100,
  });
}

const cases: [string, () => unknown][] = [
  ['registry 400', () => Promise.reject(registryError(400, 'bad request'))],
  ['registry 500', () => Promise.reject(registryError(500))],
  ['registry 502', () => Promise.reject(registryError(502))],
  ['registry 503', () => Promise.reject(registryError(503))],
  ['registry 418', () => Promise.reject(registryError(418))],
  ['registry 404', () => Promise.reject(registryError(404))],
  ['digest mismatch (Digest.verify)', () => Digest.of(enc('a')).verify(enc('b'))],
  [
    'digest mismatch (parseManifest)',
    () =>
      parseManifest(enc('{"schemaVersion":2,"manifests":[]}'), {
        expectedDigest: Digest.of(enc('other')),
      }),
  ],
  ['digest mismatch (Docker-Content-Digest)', wrongDigestHeader],
  ['manifest that is an HTML page', () => parseManifest(enc('<html>sign in</html>'))],
  ['manifest of no known kind', () => parseManifest(enc('{"schemaVersion":2}'))],
  [
    'connection refused',
    () => Promise.reject(networkError(syscall('ECONNREFUSED'), 'GET', 'u', 'r')),
  ],
  [
    'timeout',
    () =>
      Promise.reject(networkError(syscall('UND_ERR_HEADERS_TIMEOUT'), 'GET', 'u', 'r')),
  ],
  [
    'plain HTTP server',
    () =>
      Promise.reject(
        networkError(syscall('ERR_SSL_WRONG_VERSION_NUMBER'), 'GET', 'u', 'r'),
      ),
  ],
  [
    'untrusted certificate',
    () =>
      Promise.reject(
        networkError(syscall('DEPTH_ZERO_SELF_SIGNED_CERT'), 'GET', 'u', 'r'),
      ),
  ],
  ['HTTPS-only registry', () => Promise.reject(httpsOnlyError('r', 'GET u'))],
  ['credential helper timeout', hangingHelper],
  [
    'empty password on stdin',
    () => {
      const stdin = new PassThrough();
      stdin.end('\n');
      return readPasswordFromStdin(stdin);
    },
  ],
];

describe('every error family has a hint', () => {
  for (const [label, raise] of cases) {
    it(label, async () => {
      const error = await caught(raise);
      assert.ok(isGantryError(error), `${label}: ${String(error)}`);
      assert.equal(typeof error.hint, 'string', `${label}: ${error.code} has no hint`);
      assert.notEqual(error.hint?.trim(), '', label);
    });
  }
});
