import { ErrorCode, GantryError } from '../errors.js';
import { DIGEST_MISMATCH_HINT, Digest } from './digest.js';
import {
  expectArray,
  expectObject,
  expectString,
  fieldError,
  type JsonObject,
  optionalString,
  optionalStringArray,
  optionalStringMap,
} from './fields.js';
import { decodeJson } from './manifest.js';
import type { Platform } from './platform.js';

/**
 * The image config: image-spec config.md (the Docker image config v1 is the
 * same JSON). Like manifests, the exact bytes plus a read-only view; fields
 * the view does not name are still in the bytes.
 */

/** config.md, "config": the defaults for a container run from the image. */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, unknown>;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  Volumes?: Record<string, unknown>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
}

/** config.md, "history", one entry per build step. */
export interface HistoryEntry {
  created?: string;
  author?: string;
  createdBy?: string;
  comment?: string;
  /** The step made no layer (no entry in rootfs.diff_ids). */
  emptyLayer?: boolean;
}

export interface ImageConfig {
  readonly bytes: Uint8Array;
  readonly digest: Digest;
  readonly size: number;
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly osVersion?: string;
  readonly osFeatures?: string[];
  readonly created?: string;
  readonly author?: string;
  readonly config: ContainerConfig;
  /** config.md, "rootfs": `diff_ids`, the digests of the uncompressed layers. */
  readonly rootfs: { type: 'layers'; diffIds: Digest[] };
  readonly history: HistoryEntry[];
  /** The platform the config declares (architecture, os, variant ...). */
  readonly platform: Platform;
}

const code = ErrorCode.InvalidConfig;

export function parseImageConfig(
  bytes: Uint8Array,
  hints: { expectedDigest?: Digest; where?: string } = {},
): ImageConfig {
  const digest = Digest.of(bytes, hints.expectedDigest?.algorithm ?? 'sha256');
  const where = hints.where ?? `config ${digest}`;
  if (hints.expectedDigest !== undefined && !digest.equals(hints.expectedDigest)) {
    throw new GantryError(
      ErrorCode.DigestMismatch,
      `${where}: expected digest ${hints.expectedDigest}, got ${digest}`,
      { hint: DIGEST_MISMATCH_HINT },
    );
  }

  const body = expectObject(decodeJson(bytes, where, code), where, code);
  const platform = readPlatform(body, where);
  const created = optionalString(body.created, `${where} created`, code);
  const author = optionalString(body.author, `${where} author`, code);
  return {
    bytes,
    digest,
    size: bytes.byteLength,
    ...platform,
    ...(created === undefined ? {} : { created }),
    ...(author === undefined ? {} : { author }),
    config: readContainerConfig(body.config, `${where} config`),
    rootfs: readRootfs(body.rootfs, `${where} rootfs`),
    history: readHistory(body.history, `${where} history`),
    platform,
  };
}

/** The platform a config declares; the same as `config.platform`. */
export function configPlatform(config: ImageConfig): Platform {
  return config.platform;
}

function readPlatform(body: JsonObject, where: string): Platform {
  const platform: Platform = {
    architecture: expectString(body.architecture, `${where} architecture`, code),
    os: expectString(body.os, `${where} os`, code),
  };
  const variant = optionalString(body.variant, `${where} variant`, code);
  const osVersion = optionalString(body['os.version'], `${where} os.version`, code);
  const osFeatures = optionalStringArray(
    body['os.features'],
    `${where} os.features`,
    code,
  );
  if (variant !== undefined) platform.variant = variant;
  if (osVersion !== undefined) platform.osVersion = osVersion;
  if (osFeatures !== undefined) platform.osFeatures = osFeatures;
  return platform;
}

function readContainerConfig(value: unknown, where: string): ContainerConfig {
  if (value === undefined || value === null) return {};
  const object = expectObject(value, where, code);
  const config: ContainerConfig = {};
  const strings = ['User', 'WorkingDir', 'StopSignal'] as const;
  for (const key of strings) {
    const text = optionalString(object[key], `${where}.${key}`, code);
    if (text !== undefined) config[key] = text;
  }
  for (const key of ['Env', 'Entrypoint', 'Cmd'] as const) {
    const list = optionalStringArray(object[key], `${where}.${key}`, code);
    if (list !== undefined) config[key] = list;
  }
  for (const key of ['ExposedPorts', 'Volumes'] as const) {
    if (object[key] === undefined || object[key] === null) continue;
    config[key] = expectObject(object[key], `${where}.${key}`, code);
  }
  const labels = optionalStringMap(object.Labels, `${where}.Labels`, code);
  if (labels !== undefined) config.Labels = labels;
  return config;
}

function readRootfs(value: unknown, where: string): ImageConfig['rootfs'] {
  const object = expectObject(value, where, code);
  if (object.type !== 'layers') {
    throw fieldError(
      code,
      `${where}.type`,
      `expected "layers", got ${JSON.stringify(object.type)}`,
    );
  }
  if (object.diff_ids === undefined)
    throw fieldError(code, `${where}.diff_ids`, 'is missing');
  const ids = expectArray(object.diff_ids, `${where}.diff_ids`, code);
  const diffIds = ids.map((id, i) => {
    const text = expectString(id, `${where}.diff_ids[${i}]`, code);
    if (!Digest.isValid(text)) {
      throw fieldError(
        code,
        `${where}.diff_ids[${i}]`,
        `invalid digest "${text.slice(0, 80)}"`,
      );
    }
    return Digest.parse(text);
  });
  return { type: 'layers', diffIds };
}

function readHistory(value: unknown, where: string): HistoryEntry[] {
  if (value === undefined) return [];
  return expectArray(value, where, code).map((item, i) => {
    const at = `${where}[${i}]`;
    const object = expectObject(item, at, code);
    const entry: HistoryEntry = {};
    const created = optionalString(object.created, `${at}.created`, code);
    const author = optionalString(object.author, `${at}.author`, code);
    const createdBy = optionalString(object.created_by, `${at}.created_by`, code);
    const comment = optionalString(object.comment, `${at}.comment`, code);
    if (created !== undefined) entry.created = created;
    if (author !== undefined) entry.author = author;
    if (createdBy !== undefined) entry.createdBy = createdBy;
    if (comment !== undefined) entry.comment = comment;
    if (object.empty_layer !== undefined) {
      if (typeof object.empty_layer !== 'boolean') {
        throw fieldError(code, `${at}.empty_layer`, 'must be true or false');
      }
      entry.emptyLayer = object.empty_layer;
    }
    return entry;
  });
}
