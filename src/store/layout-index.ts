import { ErrorCode, GantryError } from '../errors.js';
import {
  AnnotationKey,
  type Descriptor,
  descriptorToJSON,
  parseDescriptor,
} from '../oci/descriptor.js';
import { expectArray, expectObject, type JsonObject } from '../oci/fields.js';
import { decodeJson } from '../oci/manifest.js';
import { MediaType } from '../oci/mediatype.js';

/**
 * The `index.json` of an OCI image layout (image-spec image-layout.md,
 * "index.json file"): an image index whose entries may name themselves
 * with `org.opencontainers.image.ref.name` (annotations.md).
 *
 * Entries are kept as the JSON they were read as, so rewriting the file to
 * add one tag leaves every other entry exactly as it was, fields gantry
 * does not know included; so are the other top-level fields.
 *
 * Names are matched exactly: `1.0` finds the entry named `1.0`, and
 * `example.com/app:1.0` the entry with that full name; a short tag never
 * matches a full-reference name (skopeo compares the same way), since two
 * full names could end in the same tag.
 */

export interface LayoutEntry {
  /** The entry as read (or as gantry wrote it). */
  readonly json: JsonObject;
  readonly descriptor: Descriptor;
  /** The `org.opencontainers.image.ref.name`, when the entry has one. */
  readonly refName: string | undefined;
}

export interface LayoutIndex {
  /** Every top-level field but `manifests`, as read. */
  readonly fields: JsonObject;
  readonly entries: readonly LayoutEntry[];
}

export function emptyLayoutIndex(): LayoutIndex {
  return { fields: { schemaVersion: 2, mediaType: MediaType.OciIndex }, entries: [] };
}

export function parseLayoutIndex(bytes: Uint8Array, where: string): LayoutIndex {
  const body = expectObject(decodeJson(bytes, where), where, ErrorCode.InvalidManifest);
  const { manifests, ...fields } = body;
  // BuildKit and docker save write `"manifests": null` for an empty layout.
  const list =
    manifests === null || manifests === undefined
      ? []
      : expectArray(manifests, `${where} manifests`, ErrorCode.InvalidManifest);

  const entries = list.map((item, i) => {
    const descriptor = parseDescriptor(item, `${where} manifests[${i}]`);
    const refName = descriptor.annotations?.[AnnotationKey.RefName];
    return { json: item as JsonObject, descriptor, refName };
  });
  return { fields, entries };
}

export function serializeLayoutIndex(index: LayoutIndex): Uint8Array {
  const json = { ...index.fields, manifests: index.entries.map((e) => e.json) };
  return new TextEncoder().encode(JSON.stringify(json));
}

/**
 * `index` with `name` on an entry for `descriptor`: the first entry that
 * had that name is replaced in place and any later one with the same name
 * dropped; every other entry, named or not, is kept (field case BR-29).
 */
export function withRefName(
  index: LayoutIndex,
  descriptor: Descriptor,
  name: string,
): LayoutIndex {
  const annotations = { ...descriptor.annotations, [AnnotationKey.RefName]: name };
  const tagged = { ...descriptor, annotations };
  const entry: LayoutEntry = {
    json: descriptorToJSON(tagged) as unknown as JsonObject,
    descriptor: tagged,
    refName: name,
  };

  const first = index.entries.findIndex((e) => e.refName === name);
  const entries =
    first < 0
      ? [...index.entries, entry]
      : index.entries.flatMap((e, i) => {
          if (i === first) return [entry];
          return e.refName === name ? [] : [e];
        });
  return { fields: index.fields, entries };
}

/**
 * `index` with an entry without a name for `descriptor`, unless some entry
 * already has its digest. This is how a layout keeps a referrer findable
 * (regclient writes referrers the same way): a layout has no other list of
 * its manifests, and an entry without a name is no tag.
 */
export function withUnnamedEntry(
  index: LayoutIndex,
  descriptor: Descriptor,
): LayoutIndex {
  if (index.entries.some((e) => e.descriptor.digest.equals(descriptor.digest)))
    return index;
  const plain: Descriptor = {
    mediaType: descriptor.mediaType,
    digest: descriptor.digest,
    size: descriptor.size,
    ...(descriptor.artifactType === undefined
      ? {}
      : { artifactType: descriptor.artifactType }),
  };
  const entry: LayoutEntry = {
    json: descriptorToJSON(plain) as unknown as JsonObject,
    descriptor: plain,
    refName: undefined,
  };
  return { fields: index.fields, entries: [...index.entries, entry] };
}

/**
 * `index` without the entries named `name`: only the name goes. The same
 * digest under another name, or in an entry without a name (a referrer's),
 * stays, as does every other entry, exactly as it was read.
 */
export function withoutRefName(index: LayoutIndex, name: string): LayoutIndex {
  return {
    fields: index.fields,
    entries: index.entries.filter((e) => e.refName !== name),
  };
}

/** The entry named `name`; undefined when none. */
export function findByRefName(
  index: LayoutIndex,
  name: string,
  where: string,
): LayoutEntry | undefined {
  const named = index.entries.filter((e) => e.refName === name);
  const first = named[0];
  if (named.some((e) => !e.descriptor.digest.equals(first!.descriptor.digest))) {
    throw new GantryError(
      ErrorCode.InvalidLayout,
      `${where}: ${named.length} entries of index.json are named "${name}" ` +
        'and point at different digests',
      { hint: 'remove all but one of them from index.json, or give them other names' },
    );
  }
  return first;
}

/** Every name, each once, in index.json order. */
export function refNames(index: LayoutIndex): string[] {
  const names = new Set<string>();
  for (const entry of index.entries) {
    if (entry.refName !== undefined) names.add(entry.refName);
  }
  return [...names];
}
