import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseReference } from '../../src/reference/index.js';
import { scopeToString } from '../../src/registry/challenge.js';

const A = `sha256:${'a'.repeat(64)}`;

interface Expected {
  registry: string;
  repository: string;
  tag?: string | undefined;
  digest?: string | undefined;
}

function expectParts(text: string, expected: Expected): void {
  const ref = parseReference(text);
  assert.deepEqual(
    {
      registry: ref.registry,
      repository: ref.repository,
      tag: ref.tag,
      digest: ref.digest?.toString(),
    },
    { tag: undefined, digest: undefined, ...expected },
    text,
  );
}

describe('Docker normalisation of references', () => {
  it('takes localhost as a registry only when more components follow (BR-01)', () => {
    expectParts('localhost/testimage:mytag', {
      registry: 'localhost',
      repository: 'testimage',
      tag: 'mytag',
    });
    expectParts('localhost:5000/testimage:mytag', {
      registry: 'localhost:5000',
      repository: 'testimage',
      tag: 'mytag',
    });
    expectParts('localhost', {
      registry: 'docker.io',
      repository: 'library/localhost',
      tag: 'latest',
    });
    expectParts('testimage:mytag', {
      registry: 'docker.io',
      repository: 'library/testimage',
      tag: 'mytag',
    });
  });

  it('starts a tag only after the last slash, keeping ports (BR-02)', () => {
    expectParts('localhost:5000/user/app', {
      registry: 'localhost:5000',
      repository: 'user/app',
      tag: 'latest',
    });
    expectParts('registry.example.com:5000/a/b:1.0', {
      registry: 'registry.example.com:5000',
      repository: 'a/b',
      tag: '1.0',
    });
    expectParts(`registry.example.com:5000/a/b@${A}`, {
      registry: 'registry.example.com:5000',
      repository: 'a/b',
      digest: A,
    });
    expectParts('127.0.0.1:5000/app:1.2.3', {
      registry: '127.0.0.1:5000',
      repository: 'app',
      tag: '1.2.3',
    });
  });

  it('adds library/ to single names on Docker Hub however it is written (BR-03)', () => {
    expectParts('docker.io/bash:5.3.9', {
      registry: 'docker.io',
      repository: 'library/bash',
      tag: '5.3.9',
    });
    expectParts('index.docker.io/ubuntu', {
      registry: 'docker.io',
      repository: 'library/ubuntu',
      tag: 'latest',
    });
    expectParts('registry-1.docker.io/ubuntu', {
      registry: 'docker.io',
      repository: 'library/ubuntu',
      tag: 'latest',
    });
    expectParts('docker.io/library/bash:5.3.9', {
      registry: 'docker.io',
      repository: 'library/bash',
      tag: '5.3.9',
    });
    expectParts('docker.io/user/app', {
      registry: 'docker.io',
      repository: 'user/app',
      tag: 'latest',
    });
  });

  it('sends Docker Hub requests to registry-1.docker.io (BR-03)', () => {
    const ref = parseReference('docker.io/bash:5.3.9');
    assert.equal(ref.apiHost, 'registry-1.docker.io');
    assert.equal(scopeToString(ref.scope(['pull'])), 'repository:library/bash:pull');
    assert.equal(parseReference('ghcr.io/o/a').apiHost, 'ghcr.io');
  });

  it('keeps tag and digest of name:tag@digest, resolving by digest (BR-04)', () => {
    const digest =
      'sha256:6efc7717226ae757dbe3dc1f629cd06cf8bf736a5fbdfb3bae738d602d15c003';
    const ref = parseReference(`golang:1.4.2@${digest}`);
    expectParts(`golang:1.4.2@${digest}`, {
      registry: 'docker.io',
      repository: 'library/golang',
      tag: '1.4.2',
      digest,
    });
    assert.equal(ref.identifier, digest);
    assert.equal(ref.toString(), `docker.io/library/golang:1.4.2@${digest}`);
  });

  it('accepts bracketed IPv6 registries with ports', () => {
    expectParts('[::1]:5000/app:v1', {
      registry: '[::1]:5000',
      repository: 'app',
      tag: 'v1',
    });
    expectParts('[2001:db8::1]/a/b', {
      registry: '[2001:db8::1]',
      repository: 'a/b',
      tag: 'latest',
    });
  });

  it('allows upper case in tags and in registry hosts, not in repositories', () => {
    expectParts('ghcr.io/org/app:V1.0-RC', {
      registry: 'ghcr.io',
      repository: 'org/app',
      tag: 'V1.0-RC',
    });
    expectParts('MyRegistry/app', {
      registry: 'MyRegistry',
      repository: 'app',
      tag: 'latest',
    });
  });
});
