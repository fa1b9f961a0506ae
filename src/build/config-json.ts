import { decodeJson } from '../oci/manifest.js';

/**
 * Deterministic image config JSON. Known keys go in the order of
 * image-spec's Go types (specs-go/v1/config.go) and Docker's container
 * config, so that the same config always gives the same bytes; keys gantry
 * does not know (a base's `container_config`, `docker_version` ...) follow
 * in the order the base had them, untouched.
 */

export type JsonObject = { [key: string]: unknown };

/** image-spec config.md, top level (specs-go/v1 `Image`), then Docker's. */
const IMAGE_KEYS = [
  'created',
  'author',
  'architecture',
  'os',
  'os.version',
  'os.features',
  'variant',
  'config',
  'rootfs',
  'history',
];

/** image-spec `ImageConfig`, then Docker's container config additions. */
const CONTAINER_KEYS = [
  'User',
  'ExposedPorts',
  'Env',
  'Entrypoint',
  'Cmd',
  'Volumes',
  'WorkingDir',
  'Labels',
  'StopSignal',
  'ArgsEscaped',
  'Shell',
  'Healthcheck',
  'OnBuild',
];

const ROOTFS_KEYS = ['type', 'diff_ids'];
const HISTORY_KEYS = ['created', 'author', 'created_by', 'comment', 'empty_layer'];

/** The raw JSON object of config bytes (already checked by parseImageConfig). */
export function configObject(bytes: Uint8Array): JsonObject {
  return decodeJson(bytes, 'image config', 'GANTRY_E_CONFIG_INVALID') as JsonObject;
}

/** Compact UTF-8 JSON with the fixed key order. */
export function encodeConfig(image: JsonObject): Uint8Array {
  const ordered = ordering(image, IMAGE_KEYS);
  if (isObject(ordered.config)) ordered.config = ordering(ordered.config, CONTAINER_KEYS);
  if (isObject(ordered.rootfs)) ordered.rootfs = ordering(ordered.rootfs, ROOTFS_KEYS);
  if (Array.isArray(ordered.history)) {
    ordered.history = ordered.history.map((entry: unknown) =>
      isObject(entry) ? ordering(entry, HISTORY_KEYS) : entry,
    );
  }
  return new TextEncoder().encode(JSON.stringify(ordered));
}

/** A copy with its keys sorted (maps: Labels, ExposedPorts, Volumes). */
export function sortedKeys(object: JsonObject): JsonObject {
  const result: JsonObject = {};
  for (const key of Object.keys(object).sort()) result[key] = object[key];
  return result;
}

function ordering(object: JsonObject, known: readonly string[]): JsonObject {
  const result: JsonObject = {};
  for (const key of known) if (object[key] !== undefined) result[key] = object[key];
  for (const [key, value] of Object.entries(object)) {
    if (!known.includes(key) && value !== undefined) result[key] = value;
  }
  return result;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
