import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../src/errors.js';
import { configPlatform, parseImageConfig } from '../../src/oci/config.js';
import { Digest } from '../../src/oci/digest.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

const full = {
  created: '2024-05-01T10:00:00Z',
  author: 'gantry tests',
  architecture: 'arm',
  variant: 'v7',
  os: 'linux',
  config: {
    User: '1000:1000',
    Env: ['PATH=/usr/bin'],
    Entrypoint: ['/tool'],
    Cmd: null,
    Labels: { 'org.opencontainers.image.version': '1.4.2' },
    ExposedPorts: { '8080/tcp': {} },
    WorkingDir: '/work',
    StopSignal: 'SIGTERM',
    ArgsEscaped: true,
  },
  rootfs: { type: 'layers', diff_ids: [D1, D2] },
  history: [
    { created: '2024-05-01T10:00:00Z', created_by: 'COPY tool /', comment: 'c' },
    { created_by: 'ENV X=1', empty_layer: true },
  ],
};

test('the config view holds platform, container config, diff IDs and history', () => {
  const bytes = encode(full);
  const config = parseImageConfig(bytes);
  assert.equal(config.bytes, bytes);
  assert.equal(config.digest.toString(), Digest.of(bytes).toString());
  assert.equal(config.size, bytes.byteLength);
  assert.deepEqual(config.platform, { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(configPlatform(config), config.platform);
  assert.equal(config.created, '2024-05-01T10:00:00Z');
  assert.equal(config.author, 'gantry tests');
  assert.deepEqual(config.config, {
    User: '1000:1000',
    Env: ['PATH=/usr/bin'],
    Entrypoint: ['/tool'],
    Labels: { 'org.opencontainers.image.version': '1.4.2' },
    ExposedPorts: { '8080/tcp': {} },
    WorkingDir: '/work',
    StopSignal: 'SIGTERM',
  });
  assert.deepEqual(
    config.rootfs.diffIds.map((d) => d.toString()),
    [D1, D2],
  );
  assert.deepEqual(config.history, [
    { created: '2024-05-01T10:00:00Z', createdBy: 'COPY tool /', comment: 'c' },
    { createdBy: 'ENV X=1', emptyLayer: true },
  ]);
});

test('a minimal config reads with empty container config and history', () => {
  const config = parseImageConfig(
    encode({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
    }),
  );
  assert.deepEqual(config.config, {});
  assert.deepEqual(config.history, []);
  assert.deepEqual(config.rootfs.diffIds, []);
});

test('an expected digest is verified', () => {
  assert.throws(
    () => parseImageConfig(encode(full), { expectedDigest: Digest.parse(D1) }),
    {
      code: ErrorCode.DigestMismatch,
    },
  );
});

test('invalid configs are InvalidConfig errors naming the field', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ ...full, architecture: undefined }, /architecture/],
    [{ ...full, os: 7 }, /os/],
    [{ ...full, rootfs: undefined }, /rootfs/],
    [{ ...full, rootfs: { type: 'other', diff_ids: [] } }, /rootfs\.type/],
    [{ ...full, rootfs: { type: 'layers' } }, /diff_ids/],
    [{ ...full, rootfs: { type: 'layers', diff_ids: ['nope'] } }, /diff_ids\[0\]/],
    [{ ...full, config: { Env: 'PATH=/x' } }, /Env/],
    [{ ...full, config: { Labels: { a: 1 } } }, /Labels/],
    [{ ...full, history: [{ empty_layer: 'yes' }] }, /empty_layer/],
    [[], /expected an object/],
  ];
  for (const [json, field] of cases) {
    assert.throws(
      () => parseImageConfig(encode(json)),
      (error: unknown) => {
        const e = error as { code: string; message: string };
        assert.equal(e.code, ErrorCode.InvalidConfig);
        assert.match(e.message, field);
        return true;
      },
      JSON.stringify(json),
    );
  }
  assert.throws(() => parseImageConfig(new Uint8Array([0x7b])), {
    code: ErrorCode.InvalidConfig,
  });
});
