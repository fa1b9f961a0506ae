import { ErrorCode, GantryError } from '../errors.js';
import { type Descriptor, descriptorToJSON } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { decodeJson, type Manifest, parseManifest } from '../oci/manifest.js';
import { MediaType } from '../oci/mediatype.js';
import type { Reference } from '../reference/reference.js';
import { nextLink } from './link.js';
import { findManifest, putManifest, readManifestBody } from './manifests.js';
import type { RegistrySession } from './types.js';

/**
 * Referrers: the manifests whose `subject` is a given digest
 * (distribution-spec v1.1, "Listing Referrers"). Registries without the API
 * answer 404 on the endpoint; then the referrers tag schema is read instead:
 * an index at the tag `<alg>-<hex>` of the subject ("Referrers Tag Schema").
 */

/**
 * A guard against `Link` headers that never end. Referrer lists are short
 * (signatures, SBOMs, provenance), so this is far beyond any real one.
 */
export const MAX_REFERRER_PAGES = 1_000;

export interface ReferrersOptions {
  /** Only referrers with this artifact type. */
  artifactType?: string;
}

/**
 * Whether each registry (one session each) has the referrers API, once its
 * first answer says so. A registry with the API never answers 404 on it
 * (distribution-spec v1.1, "Listing Referrers"), so one 404 holds for every
 * repository and subject: later lookups go straight to the tag schema
 * instead of asking again, one round trip less per subject.
 */
const referrersApi = new WeakMap<RegistrySession, Promise<boolean>>();

export async function referrers(
  session: RegistrySession,
  repo: Reference,
  subject: Digest,
  options: ReferrersOptions = {},
): Promise<Descriptor[]> {
  const known = referrersApi.get(session);
  // A first lookup still under way is waited for; a failed one counts as unknown.
  const hasApi = known === undefined ? true : await known.catch(() => true);
  if (hasApi) {
    const asking = fromReferrersApi(session, repo, subject, options);
    if (known === undefined) {
      const answer = asking.then((found) => found !== undefined);
      referrersApi.set(session, answer);
      answer.catch(() => {
        if (referrersApi.get(session) === answer) referrersApi.delete(session);
      });
    }
    const fromApi = await asking;
    if (fromApi !== undefined) return fromApi;
  }

  const index = await findManifest(session, fallbackRef(repo, subject));
  if (index === undefined) return [];
  return filtered(entriesOf(index, repo, subject), options.artifactType);
}

/** Undefined when the registry has no referrers API (404). */
async function fromReferrersApi(
  session: RegistrySession,
  repo: Reference,
  subject: Digest,
  options: ReferrersOptions,
): Promise<Descriptor[] | undefined> {
  const filter = options.artifactType;
  const query = filter === undefined ? '' : `?artifactType=${encodeURIComponent(filter)}`;
  let url: string | undefined = `/v2/${repo.repository}/referrers/${subject}${query}`;
  const found: Descriptor[] = [];

  for (let page = 0; url !== undefined; page++) {
    if (page >= MAX_REFERRER_PAGES) throw endlessPages(repo, subject);
    const response = await session.request({
      method: 'GET',
      url,
      headers: { accept: MediaType.OciIndex },
      scopes: [repo.scope(['pull'])],
      // Only the first page tells whether the API exists.
      expect: page === 0 ? [200, 404] : [200],
      operation: `referrers of ${subject}`,
    });
    if (response.status === 404) {
      await response.dump();
      return undefined;
    }
    const bytes = await readManifestBody(response, `referrers of ${subject}`);
    const index = parseManifest(bytes, { contentType: MediaType.OciIndex });
    const entries = entriesOf(index, repo, subject);
    // OCI-Filters-Applied names the filters the registry applied; without it
    // the filter is applied here (distribution-spec, "Listing Referrers").
    const applied = (response.headers['oci-filters-applied'] ?? '').split(',');
    const byRegistry = applied.some((name) => name.trim() === 'artifactType');
    found.push(...(byRegistry ? entries : filtered(entries, filter)));
    const link = response.headers.link;
    url = link === undefined ? undefined : nextLink(link, response.url);
  }
  return found;
}

/**
 * Adds `descriptor` to the referrers tag-schema index of `subject`: read,
 * append, write. The index is created when missing; an entry with the same
 * digest is not added twice. Other fields of an existing index are kept.
 * Returns the digest of the index now at the tag.
 * TODO(spec): two writers racing on the same tag can lose an entry; the
 * schema offers no compare-and-swap, so callers push referrers one at a time.
 */
export async function putReferrerFallback(
  session: RegistrySession,
  repo: Reference,
  subject: Digest,
  descriptor: Descriptor,
): Promise<Digest> {
  const ref = fallbackRef(repo, subject);
  const existing = await findManifest(session, ref);
  if (existing !== undefined) {
    const entries = entriesOf(existing, repo, subject);
    if (entries.some((entry) => entry.digest.equals(descriptor.digest)))
      return existing.digest;
  }

  const body = existing === undefined ? emptyIndex() : existingJson(existing);
  const manifests = Array.isArray(body.manifests) ? body.manifests : [];
  body.manifests = [...manifests, descriptorToJSON(descriptor)];
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  return putManifest(session, ref, { bytes, mediaType: MediaType.OciIndex });
}

function fallbackRef(repo: Reference, subject: Digest): Reference {
  return repo.repositoryReference().withTag(subject.toReferrersTag());
}

function entriesOf(manifest: Manifest, repo: Reference, subject: Digest): Descriptor[] {
  if (manifest.kind === 'index') return [...manifest.manifests];
  throw new GantryError(
    ErrorCode.Registry,
    `referrers of ${subject} in ${repo.repository}: expected an index, got a manifest`,
    { hint: `the tag ${subject.toReferrersTag()} holds something else than referrers` },
  );
}

function filtered(entries: Descriptor[], artifactType: string | undefined): Descriptor[] {
  if (artifactType === undefined) return entries;
  return entries.filter((entry) => entry.artifactType === artifactType);
}

function emptyIndex(): Record<string, unknown> {
  return { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] };
}

function existingJson(index: Manifest): Record<string, unknown> {
  return decodeJson(index.bytes, `referrers index ${index.digest}`) as Record<
    string,
    unknown
  >;
}

function endlessPages(repo: Reference, subject: Digest): GantryError {
  return new GantryError(
    ErrorCode.Registry,
    `referrers of ${subject} in ${repo.repository}: the registry's pages do not end`,
    { hint: 'copy without referrers (--no-referrers), and tell the registry operator' },
  );
}
