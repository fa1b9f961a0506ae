import { isGantryError } from '../errors.js';
import { parseRepository } from '../reference/parse.js';
import { describeRepeat, repeatedDestination } from './file-destinations.js';
import { type Field, fieldOf } from './file-node.js';
import type {
  AnnotationLevel,
  AnnotationSpec,
  AttestationSpec,
  Destination,
  LatestRule,
  MetadataSpec,
  OrderRule,
  TagRules,
} from './file-types.js';
import {
  DEFAULT_BASE_TAGS,
  DEFAULT_VARIANT_TAGS,
  renderTemplate,
  TAG_PATTERN,
  type TagValues,
  templateProblem,
} from './tags.js';
import { parseVersion } from './version.js';

/** With no destination named, a release goes to a folder: no server needed. */
export const DEFAULT_DESTINATION = 'oci:./gantry-release';

/** The prefix that names a local OCI layout folder, as skopeo writes it. */
export const LAYOUT_PREFIX = 'oci:';

export const ANNOTATION_LEVELS: readonly AnnotationLevel[] = [
  'index',
  'manifest',
  'descriptor',
];

/** Annotations go on the index unless the file says otherwise (what registries show). */
const DEFAULT_ANNOTATION_LEVELS: AnnotationLevel[] = ['index'];

/** Provenance is cheap and expected by registries; an SBOM is opt-in. */
export const DEFAULT_ATTESTATIONS: AttestationSpec = {
  provenance: true,
  sbom: false,
  mode: 'index',
};

export function readDestinations(field: Field): Destination[] {
  const items = field.isMissing ? [] : field.list();
  if (items.length === 0) return [toDestination(field, DEFAULT_DESTINATION)];
  const destinations = items.map((item) => toDestination(item, item.string()));
  const repeated = repeatedDestination(destinations);
  if (repeated !== undefined) {
    throw items[repeated.index]!.error(
      `destination ${describeRepeat(repeated)}`,
      'list each destination once',
    );
  }
  return destinations;
}

function toDestination(field: Field, text: string): Destination {
  if (text.startsWith(LAYOUT_PREFIX)) {
    const path = text.slice(LAYOUT_PREFIX.length);
    if (path === '') throw field.error('"oci:" needs a folder, e.g. oci:./out');
    return { kind: 'layout', name: text, path };
  }
  try {
    const repository = parseRepository(text);
    return { kind: 'registry', name: repository.name, repository: repository.name };
  } catch (error) {
    if (!isGantryError(error)) throw error;
    throw field.error(`bad destination: ${error.message}`, error.hint);
  }
}

export function readLevels(field: Field): AnnotationLevel[] {
  if (field.isMissing) return [...DEFAULT_ANNOTATION_LEVELS];
  const items = field.listOrOne();
  return [...new Set(items.map((item) => item.choice(ANNOTATION_LEVELS)))];
}

/**
 * `annotations: { key: value }` puts a value on the index; the long form
 * `key: { value: v, level: [index, manifest] }` names the levels.
 */
export function readAnnotations(field: Field): AnnotationSpec[] {
  if (field.isMissing) return [];
  const result: AnnotationSpec[] = [];
  for (const [key, value] of field.entries()) {
    if (!value.isMap) {
      result.push({ key, value: value.string(), levels: [...DEFAULT_ANNOTATION_LEVELS] });
      continue;
    }
    const fields = value.entries(['value', 'level']);
    const text = fieldOf(fields, 'value', value).string();
    result.push({
      key,
      value: text,
      levels: readLevels(fieldOf(fields, 'level', value)),
    });
  }
  return result;
}

const METADATA_TEXT_KEYS = ['title', 'description', 'licenses', 'source', 'url'] as const;

export function readMetadata(field: Field): MetadataSpec {
  if (field.isMissing) return { levels: [...DEFAULT_ANNOTATION_LEVELS] };
  const fields = field.entries([...METADATA_TEXT_KEYS, 'level']);
  const metadata: MetadataSpec = { levels: readLevels(fieldOf(fields, 'level', field)) };
  if (!metadata.levels.includes('index')) metadata.levels.unshift('index');
  for (const key of METADATA_TEXT_KEYS) {
    const value = fields.get(key);
    if (value !== undefined && !value.isMissing) metadata[key] = value.string();
  }
  return metadata;
}

/** Stand-ins used to check that a template gives a valid tag. */
const SAMPLE_VALUES: TagValues = {
  version: parseVersion('1.2.3', 'semver'),
  sha: '0123456789abcdef0123456789abcdef01234567',
};

export function readTagRules(field: Field): TagRules {
  const fields = field.isMissing
    ? new Map<string, Field>()
    : field.entries(['base', 'variant', 'prefix', 'suffix']);
  const templates = (key: 'base' | 'variant', fallback: string[]): string[] => {
    const list = fieldOf(fields, key, field);
    if (list.isMissing) return [...fallback];
    return list.listOrOne().map((item) => {
      const template = item.string();
      const problem = templateProblem(template, key);
      if (problem !== undefined) throw item.error(`bad tag template: ${problem}`);
      const sample = renderTemplate(template, SAMPLE_VALUES, 'suffix');
      if (!TAG_PATTERN.test(sample)) {
        throw item.error(
          `bad tag template: it gives "${sample}", not a valid tag`,
          'a tag is 1 to 128 of A-Z a-z 0-9 _ . -, not starting with . or -',
        );
      }
      return template;
    });
  };
  const text = (key: 'prefix' | 'suffix') => {
    const value = fieldOf(fields, key, field);
    if (value.isMissing) return '';
    // The prefix starts every tag, so it must be a valid tag start itself.
    const affix = value.string();
    const pattern = key === 'prefix' ? TAG_PATTERN : /^[\w.-]+$/;
    if (!pattern.test(affix)) throw value.error(`"${affix}" cannot be part of a tag`);
    return affix;
  };
  return {
    base: templates('base', DEFAULT_BASE_TAGS),
    variant: templates('variant', DEFAULT_VARIANT_TAGS),
    prefix: text('prefix'),
    suffix: text('suffix'),
    at: field.at,
  };
}

/** `latest` follows the newest final release unless the file says otherwise. */
export const DEFAULT_LATEST: LatestRule = 'auto';

/** The base last, so registry pages that sort by push time list it first. */
export const DEFAULT_ORDER: OrderRule = 'base-last';

export function readLatest(field: Field): LatestRule {
  if (field.isMissing) return DEFAULT_LATEST;
  const value = field.choice(
    ['auto', 'true', 'false'] as const,
    'write auto (latest for a final release, never a pre-release), true or false',
  );
  return value === 'auto' ? 'auto' : value === 'true';
}

export function readOrder(field: Field): OrderRule {
  if (field.isMissing) return DEFAULT_ORDER;
  if (field.isList) return field.list().map((item) => item.string());
  return field.choice(
    ['base-last', 'base-first'] as const,
    'write base-last, base-first, or the image names in order: [debian12, base]',
  );
}

export function readAttestations(field: Field): AttestationSpec {
  if (field.isMissing) return { ...DEFAULT_ATTESTATIONS };
  const fields = field.entries(['provenance', 'sbom', 'mode']);
  const flag = (key: 'provenance' | 'sbom') => {
    const value = fieldOf(fields, key, field);
    return value.isMissing ? DEFAULT_ATTESTATIONS[key] : value.boolean();
  };
  const mode = fieldOf(fields, 'mode', field);
  return {
    provenance: flag('provenance'),
    sbom: flag('sbom'),
    mode: mode.isMissing
      ? DEFAULT_ATTESTATIONS.mode
      : mode.choice(['index', 'referrers']),
  };
}
