import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Digest } from '../../src/oci/digest.js';
import { Reference } from '../../src/reference/reference.js';
import { putReferrerFallback, referrers } from '../../src/registry/referrers.js';
import { fetchSession, type Step, startScripted } from '../harness/scripted.js';

// The referrers API (distribution 2.8 has none, so it is scripted here):
// the artifactType filter applied client-side unless OCI-Filters-Applied
// says the registry did, pages followed, and the tag-schema fallback on 404.

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const SUBJECT = Digest.of(Buffer.from('subject'));
const SBOM = 'application/vnd.example.sbom';
const SIG = 'application/vnd.example.signature';
const API = `/v2/org/app/referrers/${SUBJECT}`;
const FALLBACK = `/v2/org/app/manifests/${SUBJECT.toReferrersTag()}`;

function entry(name: string, artifactType: string) {
  const digest = Digest.of(Buffer.from(name));
  return { mediaType: OCI_MANIFEST, digest: `${digest}`, size: 100, artifactType };
}

function index(entries: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: entries,
    ...extra,
  });
}

function answer(body: string, headers: Record<string, string> = {}) {
  return () => ({
    status: 200,
    headers: { 'content-type': OCI_INDEX, ...headers },
    body,
  });
}

const NOT_FOUND = () => ({ status: 404, body: '404 page not found' });

async function run<T>(
  steps: Step[],
  action: (repo: Reference, s: ReturnType<typeof fetchSession>) => Promise<T>,
) {
  const server = await startScripted(steps);
  try {
    const repo = Reference.parseRepository(`${server.host}/org/app`);
    const result = await action(repo, fetchSession(server.url));
    server.assertDone();
    return { result, requests: server.requests };
  } finally {
    await server.close();
  }
}

const names = (list: { artifactType?: string }[]) => list.map((d) => d.artifactType);

test('artifactType is filtered here unless the registry says it did', async () => {
  const body = index([entry('a', SBOM), entry('b', SIG)]);
  const { result, requests } = await run(
    [
      {
        method: 'GET',
        path: `${API}?artifactType=${encodeURIComponent(SBOM)}`,
        reply: answer(body),
      },
    ],
    (repo, session) => referrers(session, repo, SUBJECT, { artifactType: SBOM }),
  );
  assert.deepEqual(names(result), [SBOM]);
  assert.equal(requests[0]?.headers.accept, OCI_INDEX);
});

test('a registry that says OCI-Filters-Applied is trusted with the filter', async () => {
  const body = index([entry('a', SBOM), entry('b', SIG)]);
  const headers = { 'oci-filters-applied': 'artifactType' };
  const { result } = await run(
    [
      {
        method: 'GET',
        path: `${API}?artifactType=${encodeURIComponent(SBOM)}`,
        reply: answer(body, headers),
      },
    ],
    (repo, session) => referrers(session, repo, SUBJECT, { artifactType: SBOM }),
  );
  assert.deepEqual(names(result), [SBOM, SIG]);
});

test('referrer pages linked with rel="next" are all read', async () => {
  const next = `<${API}?last=a>; rel="next"`;
  const { result } = await run(
    [
      {
        method: 'GET',
        path: API,
        reply: answer(index([entry('a', SBOM)]), { link: next }),
      },
      { method: 'GET', path: `${API}?last=a`, reply: answer(index([entry('b', SIG)])) },
    ],
    (repo, session) => referrers(session, repo, SUBJECT),
  );
  assert.deepEqual(names(result), [SBOM, SIG]);
});

test('without the API the tag-schema index is read; no index, no referrers', async () => {
  const body = index([entry('a', SBOM), entry('b', SIG)]);
  // The first 404 holds for the registry: the second lookup asks the API no more.
  const { result } = await run(
    [
      {
        method: 'GET',
        path: `${API}?artifactType=${encodeURIComponent(SIG)}`,
        reply: NOT_FOUND,
      },
      { method: 'GET', path: FALLBACK, reply: answer(body) },
      { method: 'GET', path: FALLBACK, reply: NOT_FOUND },
    ],
    async (repo, session) => [
      await referrers(session, repo, SUBJECT, { artifactType: SIG }),
      await referrers(session, repo, SUBJECT),
    ],
  );
  assert.deepEqual(names(result[0]!), [SIG]);
  assert.deepEqual(result[1], []);
});

test('the fallback index is extended, other fields kept, never duplicated', async () => {
  const existing = index([entry('a', SBOM)], { annotations: { keep: 'me' } });
  const added = entry('b', SIG);
  const { requests } = await run(
    [
      { method: 'GET', path: FALLBACK, reply: answer(existing) },
      { method: 'PUT', path: FALLBACK, reply: () => ({ status: 201 }) },
      { method: 'GET', path: FALLBACK, reply: answer(index([entry('a', SBOM), added])) },
    ],
    async (repo, session) => {
      const descriptor = { ...added, digest: Digest.parse(added.digest) };
      await putReferrerFallback(session, repo, SUBJECT, descriptor);
      // Already listed: read, and nothing written.
      await putReferrerFallback(session, repo, SUBJECT, descriptor);
    },
  );
  const written = JSON.parse(`${requests[1]?.body}`);
  assert.deepEqual(written.annotations, { keep: 'me' });
  assert.deepEqual(
    written.manifests.map((d: { digest: string }) => d.digest),
    [entry('a', SBOM).digest, added.digest],
  );
  assert.equal(requests[1]?.headers['content-type'], OCI_INDEX);
});
