import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ExitCode } from '../../src/cli/exit.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { runInProcess } from './run-in-process.js';

/**
 * `--insecure-registry` means HTTPS without a certificate check, also on
 * loopback; `--plain-http` means HTTP; a wrong guess ends with exit 5 and a
 * hint naming the flag that fixes it. A repository that does not exist
 * answers 404 (exit 3): that exit shows the registry was reached.
 */

let plain: TestRegistry;
let tls: TestRegistry;
before(async () => {
  ({ plain, tls } = await getRegistries());
});

const missing = (registry: TestRegistry) => `${registry.host}/cli-test/no-such-repo`;

describe('HTTP or HTTPS from the command line', () => {
  it('names --ca-file and --insecure-registry for an HTTPS-only registry', async () => {
    const result = await runInProcess(['tags', missing(tls)]);
    assert.equal(result.code, ExitCode.Network, result.stderr);
    assert.match(result.stderr, /speaks HTTPS/);
    assert.ok(result.stderr.includes(`--ca-file ${tls.host}=PEM`), result.stderr);
    assert.ok(result.stderr.includes(`--insecure-registry ${tls.host}`), result.stderr);
  });

  it('reaches a loopback TLS registry with --insecure-registry', async () => {
    const args = ['--insecure-registry', tls.host, 'tags', missing(tls)];
    const result = await runInProcess(args);
    assert.equal(result.code, ExitCode.NotFound, result.stderr);
  });

  it('hints --plain-http when HTTPS meets a plain HTTP registry', async () => {
    const args = ['--insecure-registry', plain.host, 'tags', missing(plain)];
    const result = await runInProcess(args);
    assert.equal(result.code, ExitCode.Network, result.stderr);
    assert.ok(result.stderr.includes(`--plain-http ${plain.host}`), result.stderr);
  });

  it('speaks plain HTTP to a registry named with --plain-http', async () => {
    const args = [
      '--insecure-registry',
      plain.host,
      '--plain-http',
      plain.host,
      'tags',
      missing(plain),
    ];
    const result = await runInProcess(args);
    assert.equal(result.code, ExitCode.NotFound, result.stderr);
  });
});
