import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGantryError } from '../../src/errors.js';
import { Digest } from '../../src/oci/digest.js';
import {
  assertTaggable,
  parseReference,
  parseRepository,
} from '../../src/reference/index.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

function isReferenceError(error: unknown): boolean {
  return isGantryError(error, 'GANTRY_E_REFERENCE');
}

describe('canonical and familiar forms', () => {
  it('writes the canonical form with registry and library/', () => {
    assert.equal(
      parseReference('alpine:3.21').toString(),
      'docker.io/library/alpine:3.21',
    );
    assert.equal(parseReference('alpine').toString(), 'docker.io/library/alpine:latest');
    assert.equal(
      JSON.stringify(parseReference('alpine')),
      '"docker.io/library/alpine:latest"',
    );
  });

  it('writes the familiar form people type', () => {
    assert.equal(
      parseReference('docker.io/library/alpine:3.21').familiar(),
      'alpine:3.21',
    );
    assert.equal(parseReference(`user/app@${A}`).familiar(), `user/app@${A}`);
    assert.equal(
      parseReference('docker.io/library/a/b').familiar(),
      'library/a/b:latest',
    );
    assert.equal(
      parseReference('localhost:5000/app:1').familiar(),
      'localhost:5000/app:1',
    );
  });

  it('keeps docker.io/ where the short form would read as another registry', () => {
    const ref = parseReference('docker.io/my.org/app:1');
    assert.equal(ref.familiar(), 'docker.io/my.org/app:1');
    assert.ok(parseReference(ref.familiar()).equals(ref));
  });
});

describe('derived references', () => {
  const base = parseReference(`ghcr.io/org/app:1.0@${A}`);

  it('replaces the tag and keeps the digest', () => {
    assert.equal(base.withTag('2.0').toString(), `ghcr.io/org/app:2.0@${A}`);
    assert.throws(() => base.withTag('-bad'), isReferenceError);
  });

  it('replaces the digest from a Digest or a string', () => {
    assert.equal(base.withDigest(Digest.parse(B)).toString(), `ghcr.io/org/app:1.0@${B}`);
    assert.equal(base.withDigest(B).digest?.toString(), B);
    assert.throws(() => base.withDigest('sha256:nope'), isReferenceError);
  });

  it('drops tag, digest or both', () => {
    assert.equal(base.withoutTag().toString(), `ghcr.io/org/app@${A}`);
    assert.equal(base.withoutDigest().toString(), 'ghcr.io/org/app:1.0');
    assert.equal(base.repositoryReference().toString(), 'ghcr.io/org/app');
    assert.equal(base.name, 'ghcr.io/org/app');
  });

  it('asks the registry for the tag when there is no digest', () => {
    assert.equal(parseReference('a:1').identifier, '1');
    assert.equal(base.identifier, A);
    assert.equal(base.repositoryReference().identifier, undefined);
  });

  it('builds repository scopes without sharing the action array', () => {
    const actions: ('pull' | 'push')[] = ['pull', 'push'];
    const scope = base.scope(actions);
    actions.pop();
    assert.deepEqual(scope, {
      type: 'repository',
      name: 'org/app',
      actions: ['pull', 'push'],
    });
  });
});

describe('loopback registries', () => {
  it('recognises localhost, 127.0.0.0/8 and [::1] with or without port', () => {
    for (const text of [
      'localhost/a',
      'localhost:5000/a',
      '127.0.0.1/a',
      '127.9.8.7:80/a',
      '[::1]/a',
      '[::1]:5000/a',
    ]) {
      assert.equal(parseReference(text).isLoopback, true, text);
    }
  });

  it('treats every other registry as remote', () => {
    for (const text of [
      'alpine',
      'localhost',
      '128.0.0.1:5000/a',
      '[::2]:5000/a',
      'localhost.example.com/a',
      '127.example.com/a',
    ]) {
      assert.equal(parseReference(text).isLoopback, false, text);
    }
  });
});

describe('repositories and tag destinations', () => {
  it('parses a repository without adding a tag', () => {
    const repo = parseRepository('alpine');
    assert.equal(repo.toString(), 'docker.io/library/alpine');
    assert.equal(repo.tag, undefined);
    assert.equal(parseRepository('localhost:5000/a/b').repository, 'a/b');
  });

  it('rejects a repository given with a tag or digest', () => {
    for (const text of ['alpine:3', `alpine@${A}`, 'localhost:5000']) {
      assert.throws(() => parseRepository(text), isReferenceError, text);
    }
  });

  it('refuses a digest reference as a tag destination (BR-04)', () => {
    const ref = parseReference(`golang:1.4.2@${A}`);
    assert.throws(
      () => assertTaggable(ref),
      (error: unknown) => isReferenceError(error) && /digest/.test(String(error)),
    );
    assert.throws(() => assertTaggable(parseRepository('golang')), isReferenceError);
  });

  it('accepts a tagged reference as a destination', () => {
    const ref = parseReference('golang:1.4.2');
    assertTaggable(ref);
    assert.equal(ref.tag, '1.4.2');
  });
});
