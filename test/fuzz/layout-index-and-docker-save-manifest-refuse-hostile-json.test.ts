import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { parseDockerManifest } from '../../src/store/docker-archive-manifest.js';
import { parseLayoutIndex } from '../../src/store/layout-index.js';
import {
  anyBytes,
  anyJsonText,
  descriptorLike,
  digestText,
  oddValue,
  onlyGantryErrors,
  tried,
  utf8,
} from './support.js';

/**
 * The `index.json` of an OCI layout and the `manifest.json` of a
 * `docker save` archive come from whoever made the folder or the file:
 * anything is read or refused with a GantryError, never anything else.
 */

after(() =>
  console.log(
    `fuzz: layout index and docker-save manifest: ${tried.inputs} inputs tried`,
  ),
);

const layoutIndexLike = fc
  .record(
    {
      schemaVersion: fc.oneof(fc.constant(2), oddValue),
      mediaType: oddValue,
      manifests: fc.oneof(fc.array(descriptorLike, { maxLength: 4 }), oddValue),
      annotations: oddValue,
    },
    { requiredKeys: [] },
  )
  .map((value) => utf8(JSON.stringify(value)));

const path = fc.oneof(
  fc.constantFrom('../etc/passwd', '/abs/layer.tar', 'a/../../b', 'ok/layer.tar', ''),
  fc.string({ maxLength: 30 }),
  oddValue,
);

const saveEntryLike = fc.record(
  {
    Config: path,
    RepoTags: fc.oneof(
      fc.array(fc.oneof(fc.string({ maxLength: 20 }), oddValue)),
      oddValue,
    ),
    Layers: fc.oneof(fc.array(path, { maxLength: 4 }), oddValue),
    LayerSources: fc.oneof(
      fc.dictionary(digestText, descriptorLike, { maxKeys: 2 }),
      oddValue,
    ),
  },
  { requiredKeys: [] },
);
const dockerManifestLike = fc
  .oneof(fc.array(saveEntryLike, { maxLength: 3 }), oddValue)
  .map((value) => utf8(JSON.stringify(value)));

test('parseLayoutIndex refuses hostile index.json only with gantry errors', () => {
  onlyGantryErrors(
    'parseLayoutIndex',
    fc.oneof(anyBytes, anyJsonText.map(utf8), layoutIndexLike),
    (bytes) => parseLayoutIndex(bytes, 'index.json'),
  );
});

test('parseDockerManifest refuses hostile manifest.json only with gantry errors', () => {
  onlyGantryErrors(
    'parseDockerManifest',
    fc.oneof(anyBytes, anyJsonText.map(utf8), dockerManifestLike),
    (bytes) => parseDockerManifest(bytes, 'manifest.json'),
  );
});

test('docker-save paths that leave the archive are never accepted', () => {
  const escapes = (p: string) => p.startsWith('/') || p.split('/').includes('..');
  fc.assert(
    fc.property(fc.array(saveEntryLike, { minLength: 1, maxLength: 3 }), (entries) => {
      tried.inputs++;
      let parsed: ReturnType<typeof parseDockerManifest>;
      try {
        parsed = parseDockerManifest(utf8(JSON.stringify(entries)), 'manifest.json');
      } catch {
        return;
      }
      for (const entry of parsed) {
        assert.ok(![entry.config, ...entry.layers].some(escapes), JSON.stringify(entry));
      }
    }),
    { numRuns: 300 },
  );
});
