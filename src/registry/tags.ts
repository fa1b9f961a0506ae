import { ErrorCode, GantryError } from '../errors.js';
import type { Reference } from '../reference/reference.js';
import { nextLink } from './link.js';
import { redactUrl } from './redact.js';
import type { RegistrySession } from './types.js';

/**
 * Tag listing (distribution-spec, "Listing Tags"). A registry may answer in
 * pages: each page names the next in a `Link` header with `rel="next"`
 * (RFC 8288). The target is followed verbatim, resolved against the URL that
 * answered, so opaque page tokens are never decoded and re-encoded (field
 * case BR-22).
 */

/**
 * A page of tags is a small JSON document; 16 MiB holds hundreds of
 * thousands of tags and still bounds what a misbehaving registry can make us
 * hold in memory.
 */
export const MAX_TAG_PAGE_BYTES = 16 * 1024 * 1024;

/**
 * A guard against a registry whose `Link` headers never end: far more pages
 * than any real repository needs at the smallest page size registries use.
 */
export const MAX_TAG_PAGES = 10_000;

export interface ListTagsOptions {
  /** Page size to ask for (`?n=`); the registry may send fewer or ignore it. */
  pageSize?: number;
}

/** Every tag of the repository, in the order the registry gave them. */
export async function listTags(
  session: RegistrySession,
  repo: Reference,
  options: ListTagsOptions = {},
): Promise<string[]> {
  const query = options.pageSize === undefined ? '' : `?n=${options.pageSize}`;
  let url: string | undefined = `/v2/${repo.repository}/tags/list${query}`;
  const seen = new Set<string>();
  const tags: string[] = [];

  while (url !== undefined) {
    if (seen.has(url) || seen.size >= MAX_TAG_PAGES) throw endlessPages(repo, url);
    seen.add(url);
    const response = await session.request({
      method: 'GET',
      url,
      headers: { accept: 'application/json' },
      scopes: [repo.scope(['pull'])],
      expect: [200],
      operation: `tag list of ${repo.repository}`,
    });
    tags.push(...tagsOf(await response.json(MAX_TAG_PAGE_BYTES), repo));
    const link = response.headers.link;
    url = link === undefined ? undefined : nextLink(link, response.url);
  }
  return tags;
}

/** `{"name": "...", "tags": [...]}`; distribution answers `"tags": null` for none. */
function tagsOf(body: unknown, repo: Reference): string[] {
  const tags = (body as { tags?: unknown } | null)?.tags;
  if (tags === null || tags === undefined) return [];
  if (Array.isArray(tags) && tags.every((tag) => typeof tag === 'string')) return tags;
  throw new GantryError(
    ErrorCode.Registry,
    `tag list of ${repo.repository}: the registry sent no "tags" array of strings`,
    { hint: 'the registry does not follow the distribution spec here: ask its operator' },
  );
}

function endlessPages(repo: Reference, url: string): GantryError {
  return new GantryError(
    ErrorCode.Registry,
    `tag list of ${repo.repository}: the pages do not end ` +
      `(at ${redactUrl(url).slice(0, 120)})`,
    {
      hint: 'the registry links back to a page already read: report it to its operators',
    },
  );
}
