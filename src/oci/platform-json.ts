import {
  expectObject,
  expectString,
  type FieldErrorCode,
  fieldError,
  optionalString,
  optionalStringArray,
} from './fields.js';
import type { Platform } from './platform.js';

/**
 * The JSON form of a platform, as in an index entry (image-spec
 * image-index.md, "platform"). Values read from images are kept as written
 * (`unknown/unknown` for attestation entries); normalisation is for matching.
 */
export interface PlatformJSON {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

export function platformFromJSON(
  value: unknown,
  where: string,
  code: FieldErrorCode,
): Platform {
  const object = expectObject(value, where, code);
  const architecture = expectString(object.architecture, `${where}.architecture`, code);
  const os = expectString(object.os, `${where}.os`, code);
  if (architecture === '' || os === '') {
    throw fieldError(code, where, 'architecture and os must not be empty');
  }

  const platform: Platform = { os, architecture };
  const variant = optionalString(object.variant, `${where}.variant`, code);
  const osVersion = optionalString(object['os.version'], `${where}["os.version"]`, code);
  const osFeatures = optionalStringArray(
    object['os.features'],
    `${where}["os.features"]`,
    code,
  );
  if (variant !== undefined) platform.variant = variant;
  if (osVersion !== undefined) platform.osVersion = osVersion;
  if (osFeatures !== undefined) platform.osFeatures = osFeatures;
  return platform;
}

/** Fields in the order of image-spec's Go types (specs-go/v1 Platform). */
export function platformToJSON(platform: Platform): PlatformJSON {
  const json: PlatformJSON = { architecture: platform.architecture, os: platform.os };
  if (platform.osVersion !== undefined) json['os.version'] = platform.osVersion;
  if (platform.osFeatures !== undefined) json['os.features'] = [...platform.osFeatures];
  if (platform.variant !== undefined && platform.variant !== '') {
    json.variant = platform.variant;
  }
  return json;
}
