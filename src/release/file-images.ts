import { isGantryError } from '../errors.js';
import { type Platform, platformToString } from '../oci/platform.js';
import { parseReference } from '../reference/parse.js';
import {
  formatLayoutReference,
  isLayoutReference,
  parseLayoutReference,
} from '../store/transport-reference.js';
import { readArguments } from './file-arguments.js';
import { type Field, fieldOf } from './file-node.js';
import { parseUserPlatform } from './file-platforms.js';
import type { BaseFileSpec, BaseSpec, ConfigSpec, VariantSpec } from './file-types.js';
import { TAG_PATTERN } from './tags.js';

const CONFIG_KEYS = ['env', 'entrypoint', 'cmd', 'workdir', 'user', 'labels'] as const;
const BASE_KEYS = ['files', 'workdir', 'entrypoint', 'cmd', 'env', 'labels', 'user'];
const VARIANT_KEYS = ['from', 'suffixes', 'copy', 'config'];
const FILE_KEYS = ['from', 'to'];

/**
 * Build variables as BuildKit defines them for multi-platform builds
 * (Dockerfile reference, "Automatic platform ARGs in the global scope").
 */
const PLATFORM_VARIABLE = /\$(?:\{(\w+)\}|(\w+))/g;

export function readBase(field: Field, platforms: Platform[]): BaseSpec {
  const fields = field.entries(BASE_KEYS);
  const filesField = fieldOf(fields, 'files', field);
  const files = filesField.isMissing
    ? []
    : filesField.list().map((item) => readBaseFile(item, platforms));
  return { files, config: readConfigFields(fields, field), at: field.at };
}

function readBaseFile(field: Field, platforms: Platform[]): BaseFileSpec {
  const fields = field.entries(FILE_KEYS);
  const fromField = fieldOf(fields, 'from', field);
  const to = fieldOf(fields, 'to', field).string();
  if (!to.startsWith('/')) {
    throw fieldOf(fields, 'to', field).error(
      `"${to}" must be an absolute path in the image`,
    );
  }
  if (fromField.isMap) {
    const from = readPlatformMap(fromField, platforms);
    return { from, to, at: field.at, fromAt: fromField.at };
  }
  const from = substituteAll(fromField, platforms);
  return { from, to, at: field.at, fromAt: fromField.at, template: fromField.string() };
}

/** `from: dist/$TARGETOS-$TARGETARCH/tool`, filled in for every platform. */
function substituteAll(field: Field, platforms: Platform[]): Record<string, string> {
  const template = field.string();
  const result: Record<string, string> = {};
  for (const platform of platforms) {
    result[platformToString(platform)] = template.replace(
      PLATFORM_VARIABLE,
      (_, braced: string | undefined, bare: string | undefined) =>
        platformVariable(field, braced ?? bare ?? '', platform),
    );
  }
  return result;
}

function platformVariable(field: Field, name: string, platform: Platform): string {
  switch (name) {
    case 'TARGETOS':
      return platform.os;
    case 'TARGETARCH':
      return platform.architecture;
    case 'TARGETVARIANT':
      return platform.variant ?? '';
    case 'TARGETPLATFORM':
      return platformToString(platform);
    default:
      throw field.error(
        `unknown variable $${name}`,
        'use $TARGETOS, $TARGETARCH, $TARGETVARIANT or $TARGETPLATFORM',
      );
  }
}

/** `from: { linux/amd64: out/x64/tool, linux/arm64: out/arm64/tool }`. */
function readPlatformMap(field: Field, platforms: Platform[]): Record<string, string> {
  const wanted = new Set(platforms.map(platformToString));
  const result: Record<string, string> = {};
  for (const [key, value] of field.entries()) {
    const name = platformToString(readPlatform(value, key));
    if (!wanted.has(name)) {
      throw value.error(`platform ${name} is not in the release's platforms`);
    }
    result[name] = value.string();
  }
  const missing = [...wanted].filter((name) => result[name] === undefined);
  if (missing.length > 0) {
    throw field.error(`no file given for ${missing.join(', ')}`);
  }
  return result;
}

/** Parses a platform, turning the parser's error into one at `field`. */
export function readPlatform(field: Field, text: string): Platform {
  try {
    return parseUserPlatform(text);
  } catch (error) {
    if (!isGantryError(error)) throw error;
    throw field.error(`bad platform: ${error.message}`, error.hint ?? 'write os/arch');
  }
}

export function readVariant(field: Field): VariantSpec {
  const fields = field.entries(VARIANT_KEYS);
  const fromField = fieldOf(fields, 'from', field);
  const from = readImageReference(fromField);
  const suffixField = fieldOf(fields, 'suffixes', field);
  const suffixes = readSuffixes(suffixField);
  const copyField = fieldOf(fields, 'copy', field);
  const copy = copyField.isMissing ? undefined : readCopyPaths(copyField);
  const configField = fieldOf(fields, 'config', field);
  const config = configField.isMissing
    ? {}
    : readConfigFields(configField.entries(CONFIG_KEYS), configField);
  return {
    from,
    suffixes,
    ...(copy === undefined ? {} : { copy }),
    config,
    at: field.at,
  };
}

/** Paths in the base image, so absolute; `/` alone copies everything. */
function readCopyPaths(field: Field): string[] {
  return field.listOrOne().map((item) => {
    const path = item.string();
    if (!path.startsWith('/')) throw item.error(`"${path}" must be an absolute path`);
    return path;
  });
}

function readImageReference(field: Field): string {
  const text = field.string();
  try {
    // A local base (`oci:DIR[:tag]`, `docker-archive:FILE`) stays as written:
    // its path is taken from the working directory, as by every command
    // that opens a reference.
    if (isLayoutReference(text)) {
      return formatLayoutReference(parseLayoutReference(text));
    }
    // A docker-save archive, as `gantry copy` and skopeo name one.
    if (text.startsWith('docker-archive:')) {
      if (text.length === 'docker-archive:'.length) {
        throw field.error('docker-archive: needs a path', 'e.g. docker-archive:base.tar');
      }
      return text;
    }
    return parseReference(text).toString();
  } catch (error) {
    if (!isGantryError(error)) throw error;
    throw field.error(`bad image reference: ${error.message}`, error.hint);
  }
}

function readSuffixes(field: Field): string[] {
  const items = field.listOrOne();
  if (items.length === 0) {
    throw field.error(
      'a variant needs at least one suffix',
      'e.g. suffixes: [alpine3.21, alpine]; the first names the image',
    );
  }
  return items.map((item) => {
    const suffix = item.string();
    if (!TAG_PATTERN.test(suffix)) {
      throw item.error(
        `suffix "${suffix}" is not valid in a tag`,
        'use A-Z a-z 0-9 _ . -',
      );
    }
    return suffix;
  });
}

/** The image config keys, shared by `base` and each variant's `config`. */
export function readConfigFields(fields: Map<string, Field>, parent: Field): ConfigSpec {
  const config: ConfigSpec = {};
  for (const key of CONFIG_KEYS) {
    const field = fields.get(key);
    if (field === undefined || field.isMissing) continue;
    if (key === 'env' || key === 'labels') config[key] = field.stringMap();
    else if (key === 'entrypoint' || key === 'cmd')
      config[key] = readArguments(field, key);
    else config[key] = field.string();
  }
  if (config.workdir !== undefined && !config.workdir.startsWith('/')) {
    throw fieldOf(fields, 'workdir', parent).error('workdir must be an absolute path');
  }
  return config;
}
