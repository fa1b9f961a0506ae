import { type ErrorCode, GantryError } from '../errors.js';

/**
 * Typed readers for fields of parsed JSON. Each names the place that was
 * wrong (`where`, e.g. `manifest sha256:… layers[2].size`) in its error.
 * Internal to the oci part: other parts get value types, not raw JSON.
 */

export type JsonObject = Record<string, unknown>;

export type FieldErrorCode =
  | typeof ErrorCode.InvalidManifest
  | typeof ErrorCode.InvalidConfig
  | typeof ErrorCode.SchemaViolation;

export function fieldError(
  code: FieldErrorCode,
  where: string,
  problem: string,
  hint?: string,
): GantryError {
  return new GantryError(
    code,
    `${where}: ${problem}`,
    hint === undefined ? {} : { hint },
  );
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectObject(
  value: unknown,
  where: string,
  code: FieldErrorCode,
): JsonObject {
  if (!isObject(value))
    throw fieldError(code, where, `expected an object, got ${kind(value)}`);
  return value;
}

export function expectString(
  value: unknown,
  where: string,
  code: FieldErrorCode,
): string {
  if (typeof value !== 'string') {
    throw fieldError(code, where, `expected a string, got ${kind(value)}`);
  }
  return value;
}

export function optionalString(
  value: unknown,
  where: string,
  code: FieldErrorCode,
): string | undefined {
  return value === undefined ? undefined : expectString(value, where, code);
}

export function optionalStringArray(
  value: unknown,
  where: string,
  code: FieldErrorCode,
): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    throw fieldError(code, where, `expected an array of strings, got ${kind(value)}`);
  }
  return value.map((item, i) => expectString(item, `${where}[${i}]`, code));
}

/** A JSON array; `null` reads as empty (Go writes nil slices as null). */
export function expectArray(
  value: unknown,
  where: string,
  code: FieldErrorCode,
): unknown[] {
  if (value === null) return [];
  if (!Array.isArray(value))
    throw fieldError(code, where, `expected an array, got ${kind(value)}`);
  return value;
}

/** A string-to-string map, such as annotations or labels. */
export function optionalStringMap(
  value: unknown,
  where: string,
  code: FieldErrorCode,
): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  const object = expectObject(value, where, code);
  const map: Record<string, string> = {};
  for (const [key, item] of Object.entries(object)) {
    map[key] = expectString(item, `${where}["${key}"]`, code);
  }
  return map;
}

/** A short description of a JSON value's type for error messages. */
export function kind(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
