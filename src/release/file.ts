import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { LineCounter, type Node, parseDocument } from 'yaml';
import { ErrorCode, GantryError } from '../errors.js';
import { type Platform, platformToString } from '../oci/platform.js';
import { checkFileTags } from './file-checks.js';
import { readBase, readPlatform, readVariant } from './file-images.js';
import { DEFAULT_RELEASE_FILE } from './file-name.js';
import { Field, fieldOf } from './file-node.js';
import {
  readAnnotations,
  readAttestations,
  readDestinations,
  readLatest,
  readMetadata,
  readOrder,
  readTagRules,
} from './file-sections.js';
import type { ReleaseFile, VariantSpec, VersionSpec } from './file-types.js';
import { BASE_IMAGE_NAME } from './images.js';
import { DEFAULT_VERSION_SCHEME, type VersionScheme } from './version.js';

/** The file `gantry release` reads when none is named. */
export { DEFAULT_RELEASE_FILE };

/** The two platforms a tool's release images are most often built for. */
export const DEFAULT_PLATFORMS = ['linux/amd64', 'linux/arm64'];

/** Every top-level key a release file may have (the README example shows each). */
export const RELEASE_FILE_KEYS = [
  'version',
  'scheme',
  'platforms',
  'destinations',
  'base',
  'variants',
  'labels',
  'annotations',
  'metadata',
  'tags',
  'latest',
  'order',
  'attestations',
];

const SCHEMES: readonly VersionScheme[] = ['semver', 'pep440'];

/** Reads and validates a release file from disk. */
export async function readReleaseFile(path: string): Promise<ReleaseFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new GantryError(ErrorCode.ReleaseFile, `cannot read release file ${path}`, {
      hint: 'check the path, or pass the release file as an argument',
      cause,
    });
  }
  return parseReleaseFile(text, basename(path));
}

/**
 * Parses and validates release file text. `name` appears in every message:
 * `release.yaml:14:5: variants[3].tags[0]: ...`. Throws GANTRY_E_RELEASE_FILE
 * (or GANTRY_E_TAG_CONFLICT when two images would claim one tag).
 */
export function parseReleaseFile(text: string, name = DEFAULT_RELEASE_FILE): ReleaseFile {
  const lines = new LineCounter();
  const document = parseDocument(text, { schema: 'failsafe', lineCounter: lines });
  const syntax = document.errors[0];
  if (syntax !== undefined) {
    const position = syntax.linePos?.[0];
    const where =
      position === undefined ? name : `${name}:${position.line}:${position.col}`;
    throw new GantryError(
      ErrorCode.ReleaseFile,
      `${where}: ${syntax.message.split('\n')[0]}`,
      {
        hint: 'fix the YAML syntax at that position',
      },
    );
  }

  const root = new Field(
    { name, lines },
    (document.contents ?? null) as Node | null,
    '',
    0,
  );
  const file = readRoot(root, name);
  checkFileTags(file, root);
  return file;
}

function readRoot(root: Field, name: string): ReleaseFile {
  if (!root.isMap)
    throw root.error('a release file is a mapping of keys such as version, base');
  const fields = root.entries(RELEASE_FILE_KEYS);
  const field = (key: string) => fieldOf(fields, key, root);

  const schemeField = field('scheme');
  const platforms = readPlatforms(field('platforms'));
  const variantsField = field('variants');
  const variants = variantsField.isMissing ? [] : variantsField.list().map(readVariant);
  checkSuffixesUnique(variants, variantsField);
  const labels = field('labels');

  return {
    name,
    version: readVersionSpec(field('version')),
    scheme: schemeField.isMissing ? DEFAULT_VERSION_SCHEME : schemeField.choice(SCHEMES),
    platforms,
    destinations: readDestinations(field('destinations')),
    base: readBase(field('base'), platforms),
    variants,
    labels: labels.isMissing ? {} : labels.stringMap(),
    annotations: readAnnotations(field('annotations')),
    metadata: readMetadata(field('metadata')),
    tags: readTagRules(field('tags')),
    latest: readLatest(field('latest')),
    order: readOrder(field('order')),
    attestations: readAttestations(field('attestations')),
  };
}

/** `version: 1.2.3`, or `version: { env: APP_VERSION }`, or nothing (git tag). */
function readVersionSpec(field: Field): VersionSpec {
  if (field.isMissing) return {};
  if (!field.isMap) {
    const value = field.string();
    if (value.trim() === '')
      throw field.error('the version is empty', 'write it, or leave the key out');
    return { value };
  }
  const env = fieldOf(field.entries(['env']), 'env', field);
  const name = env.string();
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw env.error(`"${name}" is not an environment variable name`);
  }
  return { env: name };
}

function readPlatforms(field: Field): Platform[] {
  const items = field.isMissing ? [] : field.list();
  if (items.length === 0)
    return DEFAULT_PLATFORMS.map((text) => readPlatform(field, text));
  const seen = new Set<string>();
  return items.map((item) => {
    const platform = readPlatform(item, item.string());
    const key = platformToString(platform);
    if (seen.has(key)) throw item.error(`platform ${key} is listed twice`);
    seen.add(key);
    return platform;
  });
}

/** A suffix names one image; two variants with one suffix would share tags. */
function checkSuffixesUnique(variants: VariantSpec[], field: Field): void {
  const owners = new Map<string, VariantSpec>();
  variants.forEach((variant, index) => {
    for (const suffix of variant.suffixes) {
      const owner = owners.get(suffix);
      if (suffix === BASE_IMAGE_NAME) {
        throw field.list()[index]!.error(`"${BASE_IMAGE_NAME}" names the base image`);
      }
      if (owner !== undefined && owner !== variant) {
        const item = field.list()[index]!;
        throw item.error(
          `suffix "${suffix}" is already used by the variant at ${owner.at}`,
          'each suffix belongs to one variant; rename one of them',
        );
      }
      owners.set(suffix, variant);
    }
  });
}
