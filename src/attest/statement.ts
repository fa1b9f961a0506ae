import type { Digest } from '../oci/digest.js';

/**
 * in-toto attestation framework, Statement layer v1
 * (github.com/in-toto/attestation, spec/v1/statement.md): a subject list,
 * a predicate type and the predicate. Encoded with object keys sorted at
 * every level and no whitespace, so the same statement always has the same
 * bytes and digest.
 */

export const STATEMENT_TYPE_V1 = 'https://in-toto.io/Statement/v1';

/** spec/v1/resource_descriptor.md: a name or URI and its digests. */
export interface ResourceDescriptor {
  uri?: string;
  name?: string;
  digest?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The JSON value of a statement's predicate (no functions, no undefined). */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

export interface InTotoStatement {
  _type: typeof STATEMENT_TYPE_V1;
  /**
   * What the statement is about. Empty inside an index, as BuildKit writes
   * it: the index entry's `vnd.docker.reference.digest` names the image.
   */
  subject: ResourceDescriptor[];
  predicateType: string;
  predicate: { [key: string]: JsonValue };
}

/** A subject naming one manifest by its digest (statement.md, "subject"). */
export function manifestSubject(name: string, digest: Digest): ResourceDescriptor {
  return { name, digest: { [digest.algorithm]: digest.hex } };
}

/** The statement's bytes: sorted keys, no whitespace, UTF-8. */
export function encodeStatement(statement: InTotoStatement): Uint8Array {
  return new TextEncoder().encode(canonicalJson(statement));
}

/** JSON with object keys sorted by code unit at every level; undefined dropped. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) sorted[key] = sortKeys(item);
  }
  return sorted;
}
