/**
 * A tag or digest of `target` as users type the pair: `oci:/path:1.0`,
 * `host/repo@sha256:...`.
 */
export function describeRef(
  target: { description: string },
  tagOrDigest: string,
): string {
  const joiner = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-f0-9]{32,}$/.test(tagOrDigest)
    ? '@'
    : ':';
  return `${target.description}${joiner}${tagOrDigest}`;
}
