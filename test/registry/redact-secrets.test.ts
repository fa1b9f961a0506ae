import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  REDACTED,
  redactHeaders,
  redactText,
  redactUrl,
  SecretRegistry,
} from '../../src/registry/redact.js';

describe('URL redaction', () => {
  it('drops userinfo', () => {
    assert.equal(
      redactUrl('https://user:s3cret@registry.example.com/v2/'),
      'https://registry.example.com/v2/',
    );
  });

  it('hides upload state and signatures but keeps everything else verbatim', () => {
    const upload = 'https://r.example.com/v2/a/blobs/uploads/u1';
    assert.equal(
      redactUrl(`${upload}?_nouploadcache=false&_state=abc%3D&digest=sha256%3Aab`),
      `${upload}?_nouploadcache=false&_state=${REDACTED}&digest=sha256%3Aab`,
    );
    const s3 = 'https://s3.example.com/b';
    assert.equal(
      redactUrl(`${s3}?X-Amz-Credential=AK%2F1&X-Amz-Signature=ff&X-Amz-Expires=60#f`),
      `${s3}?X-Amz-Credential=${REDACTED}&X-Amz-Signature=${REDACTED}&X-Amz-Expires=60#f`,
    );
  });

  it('hides every sensitive parameter named in the policy, in any case', () => {
    for (const name of [
      'token',
      'access_token',
      'refresh_token',
      'password',
      'sig',
      'signature',
      'Signature',
      'X-Goog-Signature',
      'code',
      'TOKEN',
    ]) {
      assert.equal(redactUrl(`/p?${name}=v&n=1`), `/p?${name}=${REDACTED}&n=1`, name);
    }
  });

  it('works on relative URLs and non-URLs without throwing', () => {
    assert.equal(redactUrl('/v2/x?token=abc'), `/v2/x?token=${REDACTED}`);
    assert.equal(redactUrl('not a url %zz'), 'not a url %zz');
    assert.equal(redactUrl('/p?%zz=1&token'), '/p?%zz=1&token');
  });
});

describe('header redaction', () => {
  it('keeps the scheme word of Authorization', () => {
    assert.deepEqual(
      redactHeaders({
        Authorization: 'Bearer eyJhbGciOi.x.y',
        'proxy-authorization': 'Basic dXNlcjpwYXNz',
        Cookie: 'session=abc',
        'set-cookie': 'a=b; HttpOnly',
        Accept: 'application/json',
      }),
      {
        Authorization: `Bearer ${REDACTED}`,
        'proxy-authorization': `Basic ${REDACTED}`,
        Cookie: REDACTED,
        'set-cookie': REDACTED,
        Accept: 'application/json',
      },
    );
  });

  it('redacts credential-looking values in any header but not challenges', () => {
    const out = redactHeaders({
      'X-Custom-Auth': 'Bearer abc.def.ghi',
      'WWW-Authenticate': 'Bearer realm="https://t.example.com/token",service="r"',
      Location: '/v2/a/blobs/uploads/u?_state=opaque',
    });
    assert.equal(out['X-Custom-Auth'], `Bearer ${REDACTED}`);
    assert.equal(
      out['WWW-Authenticate'],
      'Bearer realm="https://t.example.com/token",service="r"',
    );
    assert.equal(out.Location, `/v2/a/blobs/uploads/u?_state=${REDACTED}`);
  });
});

describe('text redaction', () => {
  const password = 'p@ss w0rd/+';

  it('replaces a secret in raw, URL-encoded, JSON and base64 forms', () => {
    const text = [
      `raw ${password}`,
      `url ${encodeURIComponent(password)}`,
      `json ${JSON.stringify({ password })}`,
      `b64 ${Buffer.from(password).toString('base64')}`,
    ].join('\n');
    const out = redactText(text, [password]);
    assert.ok(!out.includes(password));
    assert.ok(!out.includes(encodeURIComponent(password)));
    assert.ok(!out.includes(Buffer.from(password).toString('base64')));
    assert.equal(out.split(REDACTED).length - 1, 4);
  });

  it('replaces any Basic or Bearer credential even when the secret is unknown', () => {
    const basic = Buffer.from(`alice:${password}`).toString('base64');
    const out = redactText(
      `sent "Authorization: Basic ${basic}" and Bearer abc.def.ghi`,
      [],
    );
    assert.equal(out, `sent "Authorization: Basic ${REDACTED}" and Bearer ${REDACTED}`);
  });

  it('leaves prose about authentication alone', () => {
    const text = 'Basic authentication failed; Bearer realm="x" required';
    assert.equal(redactText(text, []), text);
  });

  it('replaces the signature of a known JWT on its own', () => {
    const signature = 'c2lnbmF0dXJlLWJ5dGVzLWhlcmU';
    const jwt = `eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.${signature}`;
    assert.equal(redactText(`sig=${signature}`, [jwt]), `sig=${REDACTED}`);
  });

  it('replaces a longer secret whole when it contains a shorter one', () => {
    assert.equal(redactText('x abcdef y', ['abc', 'abcdef']), `x ${REDACTED} y`);
  });
});

describe('secret registry', () => {
  it('redacts every secret it was given, and Basic credentials built from them', () => {
    const secrets = new SecretRegistry();
    secrets.add('tok-123');
    secrets.add('');
    secrets.add(undefined);
    secrets.addBasic('bob', 'hunter2!');
    assert.equal(secrets.size, 3);
    const basic = Buffer.from('bob:hunter2!').toString('base64');
    assert.equal(
      secrets.redact(`token tok-123, password hunter2!, creds ${basic}`),
      `token ${REDACTED}, password ${REDACTED}, creds ${REDACTED}`,
    );
  });
});
