import { ErrorCode, GantryError } from '../errors.js';
import { type Descriptor, descriptorToJSON, parseDescriptor } from '../oci/descriptor.js';
import { safeArchivePath } from './docker-archive-tar.js';

/**
 * The `manifest.json` of a docker-save archive: a list with one entry per
 * image. Docker defines it in code only (moby image/tarexport, `manifestItem`):
 *
 *   Config       path of the image config in the archive
 *   RepoTags     `name:tag` strings, or null for an image saved by ID
 *   Layers       paths of the layer files, base layer first
 *   LayerSources diff ID → descriptor of the layer as it was pulled;
 *                Docker 25+ writes it for every layer, older Docker only
 *                for foreign layers
 *
 * `Parent` and other fields are ignored, as `docker load` ignores them.
 */

export const DOCKER_MANIFEST_FILE = 'manifest.json';

export interface DockerSaveEntry {
  /** The config's path, normalised. */
  readonly config: string;
  /** As written; null when the image has no tags. */
  readonly repoTags: readonly string[] | null;
  /** The layer files' paths, normalised. */
  readonly layers: readonly string[];
  /** LayerSources by diff ID (`sha256:<hex>`). */
  readonly layerSources: ReadonlyMap<string, Descriptor>;
}

export function parseDockerManifest(bytes: Uint8Array, where: string): DockerSaveEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw invalid(where, 'is not valid UTF-8 JSON', cause);
  }
  if (!Array.isArray(json)) throw invalid(where, `is ${kind(json)}, not a list`);
  return json.map((item, i) => parseEntry(item, `${where}[${i}]`));
}

function parseEntry(item: unknown, where: string): DockerSaveEntry {
  if (!isObject(item)) throw invalid(where, `is ${kind(item)}, not an object`);
  if (typeof item.Config !== 'string') {
    throw invalid(`${where}.Config`, `is ${kind(item.Config)}, not a path`);
  }
  const layers = item.Layers ?? [];
  if (!Array.isArray(layers) || layers.some((l) => typeof l !== 'string')) {
    throw invalid(`${where}.Layers`, 'is not a list of paths');
  }

  return {
    config: safeArchivePath(item.Config, `${where}.Config`),
    repoTags: parseRepoTags(item.RepoTags, `${where}.RepoTags`),
    layers: (layers as string[]).map((l, i) =>
      safeArchivePath(l, `${where}.Layers[${i}]`),
    ),
    layerSources: parseLayerSources(item.LayerSources, `${where}.LayerSources`),
  };
}

/**
 * A list of strings, or null/absent for none. A single string is refused:
 * `docker load` fails on it (it unmarshals into []string), and reading it
 * as one tag would accept archives Docker itself cannot load (BR-28).
 */
function parseRepoTags(value: unknown, where: string): string[] | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') {
    throw new GantryError(
      ErrorCode.InvalidArchive,
      `${where} is the string ${JSON.stringify(value.slice(0, 100))}, not a list`,
      { hint: `docker load refuses this too; write it as ["${value.slice(0, 60)}"]` },
    );
  }
  if (!Array.isArray(value) || value.some((t) => typeof t !== 'string')) {
    throw invalid(where, `is ${kind(value)}, not a list of name:tag strings`);
  }
  return value as string[];
}

function parseLayerSources(value: unknown, where: string): Map<string, Descriptor> {
  const sources = new Map<string, Descriptor>();
  if (value === undefined || value === null) return sources;
  if (!isObject(value)) throw invalid(where, `is ${kind(value)}, not an object`);
  for (const [diffId, item] of Object.entries(value)) {
    const at = `${where}["${diffId.slice(0, 80)}"]`;
    sources.set(diffId, parseDescriptor(item, at));
  }
  return sources;
}

/** One entry as gantry writes it, fields in Docker's order. */
export interface DockerSaveEntryJSON {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
  LayerSources?: Record<string, Descriptor>;
}

export function serializeDockerManifest(
  entries: readonly DockerSaveEntryJSON[],
): Uint8Array {
  const json = entries.map((entry) => ({
    Config: entry.Config,
    RepoTags: entry.RepoTags,
    Layers: entry.Layers,
    ...(entry.LayerSources === undefined
      ? {}
      : { LayerSources: mapValues(entry.LayerSources) }),
  }));
  return new TextEncoder().encode(JSON.stringify(json));
}

function mapValues(sources: Record<string, Descriptor>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(sources).sort())
    out[key] = descriptorToJSON(sources[key]!);
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kind(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

function invalid(where: string, problem: string, cause?: unknown): GantryError {
  return new GantryError(ErrorCode.InvalidArchive, `${where} ${problem}`, {
    hint: 'manifest.json of a docker-save archive lists {Config, RepoTags, Layers}',
    ...(cause === undefined ? {} : { cause }),
  });
}
