import { after, test } from 'node:test';
import fc from 'fast-check';
import { parseImageConfig } from '../../src/oci/config.js';
import { parseManifest } from '../../src/oci/manifest.js';
import {
  anyBytes,
  anyJsonText,
  descriptorLike,
  oddValue,
  onlyGantryErrors,
  tried,
  utf8,
} from './support.js';

/**
 * Manifests, indexes and image configs come from registries, layouts and
 * archives: any bytes, any JSON and near-valid documents with wrong fields
 * are parsed or refused with a GantryError, never anything else.
 */

after(() => console.log(`fuzz: manifests and configs: ${tried.inputs} inputs tried`));

const manifestLike = fc
  .record(
    {
      schemaVersion: fc.oneof(fc.constant(2), oddValue),
      mediaType: fc.oneof(
        fc.constantFrom(
          'application/vnd.oci.image.manifest.v1+json',
          'application/vnd.oci.image.index.v1+json',
          'application/vnd.docker.distribution.manifest.list.v2+json',
          'application/vnd.docker.distribution.manifest.v1+json',
        ),
        oddValue,
      ),
      config: fc.oneof(descriptorLike, oddValue),
      layers: fc.oneof(fc.array(descriptorLike, { maxLength: 4 }), oddValue),
      manifests: fc.oneof(fc.array(descriptorLike, { maxLength: 4 }), oddValue),
      subject: fc.oneof(descriptorLike, oddValue),
      artifactType: oddValue,
      annotations: oddValue,
    },
    { requiredKeys: [] },
  )
  .map((value) => utf8(JSON.stringify(value)));

const configLike = fc
  .record(
    {
      architecture: fc.oneof(fc.constantFrom('amd64', 'arm64', 'arm'), oddValue),
      os: fc.oneof(fc.constantFrom('linux', 'windows'), oddValue),
      variant: oddValue,
      'os.version': oddValue,
      'os.features': oddValue,
      config: fc.oneof(
        fc.record(
          { Env: oddValue, Entrypoint: oddValue, Cmd: oddValue, Labels: oddValue },
          { requiredKeys: [] },
        ),
        oddValue,
      ),
      rootfs: fc.oneof(
        fc.record({ type: oddValue, diff_ids: fc.array(oddValue, { maxLength: 3 }) }),
        oddValue,
      ),
      history: oddValue,
      created: oddValue,
    },
    { requiredKeys: [] },
  )
  .map((value) => utf8(JSON.stringify(value)));

const inputs = fc.oneof(anyBytes, anyJsonText.map(utf8), manifestLike);
const configs = fc.oneof(anyBytes, anyJsonText.map(utf8), configLike);

test('parseManifest refuses random bytes, JSON and near-manifests only with gantry errors', () => {
  onlyGantryErrors('parseManifest', inputs, (bytes) => parseManifest(bytes));
  onlyGantryErrors('parseManifest with a descriptor type', manifestLike, (bytes) =>
    parseManifest(bytes, {
      descriptorMediaType: 'application/vnd.oci.image.index.v1+json',
    }),
  );
});

test('parseImageConfig refuses random bytes, JSON and near-configs only with gantry errors', () => {
  onlyGantryErrors('parseImageConfig', configs, (bytes) => parseImageConfig(bytes));
});
