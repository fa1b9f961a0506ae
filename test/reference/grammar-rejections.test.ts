import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGantryError } from '../../src/errors.js';
import { parseReference } from '../../src/reference/index.js';

function rejects(text: string, pattern?: RegExp): void {
  assert.throws(
    () => parseReference(text),
    (error: unknown) =>
      isGantryError(error, 'GANTRY_E_REFERENCE') &&
      (pattern === undefined || pattern.test(error.message)),
    text,
  );
}

describe('reference grammar rejections', () => {
  it('rejects upper-case repositories naming the lowercase rule (BR-04)', () => {
    rejects('Org/App', /must be lowercase/);
    rejects('org/App:1.0', /must be lowercase/);
    rejects('ghcr.io/Org/app', /must be lowercase/);
    rejects('Alpine', /must be lowercase/);
  });

  it('rejects a host no URL can hold, suggesting the port it likely meant', () => {
    rejects('127.0.0.1.5231/team/x:1', /read as an IPv4 address.*127\.0\.0\.1:5231\?/);
    rejects('10.0.0.256:5000/x:1', /read as an IPv4 address/);
    rejects('1.2.3.4.5/x', /did you mean 1\.2\.3\.4:5\?/);
    rejects('registry.123/x', /read as an IPv4 address/);
    rejects('localhost.5000/app', /did you mean localhost:5000\?/);
    rejects('example.com.5000/app', /did you mean example\.com:5000\?/);
    // Short and hex forms a URL turns into 127.0.0.1 (then not seen as loopback).
    rejects('127.1/a', /is read as the IPv4 address 127\.0\.0\.1$/);
    rejects('0x7f.0.0.1:5000/a', /is read as the IPv4 address 127\.0\.0\.1$/);
    // Names that only look numeric, and real addresses, stay valid.
    for (const text of ['127.0.0.1:5231/team/x:1', 'r2.cloud/x', '10.0.0.255/x']) {
      assert.equal(parseReference(text).registry, text.slice(0, text.indexOf('/')));
    }
  });

  it('rejects malformed path components', () => {
    for (const text of [
      'a//b',
      '/a',
      'a/',
      'a/-b',
      'a/b-',
      'a/.b',
      'a/b..c',
      'a/b___c',
      'a/b c',
    ]) {
      rejects(text, /path component/);
    }
  });

  it('accepts every separator the grammar allows', () => {
    for (const text of ['a/b.c', 'a/b_c', 'a/b__c', 'a/b-c', 'a/b---c', 'a0/9z']) {
      assert.equal(parseReference(text).repository, text);
    }
  });

  it('rejects bad tags', () => {
    rejects('alpine:', /tag "" is not valid/);
    rejects('alpine:-x', /tag/);
    rejects('alpine:.x', /tag/);
    rejects(`alpine:${'t'.repeat(129)}`, /tag/);
    assert.equal(parseReference(`alpine:${'t'.repeat(128)}`).tag?.length, 128);
  });

  it('rejects bad digests with the reference code', () => {
    rejects('alpine@sha256:abc', /digest/);
    rejects('alpine@md5:0123', /digest/);
    rejects(`alpine@sha256:${'A'.repeat(64)}`, /digest/);
    rejects('alpine@', /digest/);
  });

  it('rejects bad registries', () => {
    rejects('bad_host.example.com/app', /registry/);
    rejects('host:99999/app', /port/);
    rejects('[::zz]:5000/app', /registry/);
    rejects(':5000/app', /registry/);
    rejects('-host.com/app', /registry/);
  });

  it('limits the whole name to 255 characters', () => {
    const host = 'registry.example.com';
    const ok = `${host}/${'a'.repeat(255 - host.length - 1)}`;
    assert.equal(parseReference(ok).name.length, 255);
    rejects(`${ok}a`, /longer than 255/);
  });

  it('refuses a bare 64-hex image ID and empty input', () => {
    rejects('a'.repeat(64), /image ID/);
    rejects('');
    rejects('@');
    rejects(':tag');
  });
});
