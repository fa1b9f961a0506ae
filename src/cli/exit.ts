import { ErrorCode, isGantryError } from '../errors.js';

/**
 * The exit codes of the `gantry` command. Scripts rely on them, so a code
 * never changes meaning once published.
 *
 * | code | meaning                                                          |
 * |------|------------------------------------------------------------------|
 * | 0    | success                                                          |
 * | 1    | a failure not listed below, or an internal error                 |
 * | 2    | usage error or invalid input (reference, digest, platform, a     |
 * |      | folder or file that is not an OCI layout or archive)             |
 * | 3    | not found (manifest, tag, blob, repository, platform in an index)|
 * | 4    | authentication or authorisation failed                           |
 * | 5    | network, TLS, timeout, too many requests or redirects            |
 * | 6    | content check failed (digest or size mismatch, short read,       |
 * |      | trailing data, invalid or oversized manifest)                    |
 * | 7    | verification failed: a release or image does not hold (verify)   |
 */
export const ExitCode = {
  Ok: 0,
  Failure: 1,
  Usage: 2,
  NotFound: 3,
  Auth: 4,
  Network: 5,
  Content: 6,
  Verify: 7,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

const EXIT_BY_ERROR_CODE: ReadonlyMap<string, ExitCodeValue> = new Map<
  string,
  ExitCodeValue
>([
  [ErrorCode.Usage, ExitCode.Usage],
  [ErrorCode.InvalidReference, ExitCode.Usage],
  [ErrorCode.InvalidDigest, ExitCode.Usage],
  [ErrorCode.InvalidPlatform, ExitCode.Usage],
  [ErrorCode.InvalidMediaType, ExitCode.Usage],
  // A folder or file named as a layout or archive that is not one.
  [ErrorCode.InvalidLayout, ExitCode.Usage],
  [ErrorCode.InvalidArchive, ExitCode.Usage],
  [ErrorCode.BuildInput, ExitCode.Usage],
  [ErrorCode.ReleaseFile, ExitCode.Usage],
  [ErrorCode.InvalidVersion, ExitCode.Usage],
  [ErrorCode.TagConflict, ExitCode.Usage],

  [ErrorCode.NotFound, ExitCode.NotFound],
  // An index without the requested platform: the thing asked for is absent.
  [ErrorCode.PlatformNotFound, ExitCode.NotFound],

  [ErrorCode.Unauthorized, ExitCode.Auth],
  [ErrorCode.Denied, ExitCode.Auth],
  [ErrorCode.Credentials, ExitCode.Auth],
  [ErrorCode.CredentialHelper, ExitCode.Auth],
  [ErrorCode.Token, ExitCode.Auth],

  [ErrorCode.Network, ExitCode.Network],
  [ErrorCode.Tls, ExitCode.Network],
  [ErrorCode.Timeout, ExitCode.Network],
  [ErrorCode.TooManyRequests, ExitCode.Network],
  [ErrorCode.Redirect, ExitCode.Network],

  [ErrorCode.DigestMismatch, ExitCode.Content],
  [ErrorCode.SizeMismatch, ExitCode.Content],
  [ErrorCode.ShortRead, ExitCode.Content],
  [ErrorCode.TrailingData, ExitCode.Content],
  [ErrorCode.InvalidManifest, ExitCode.Content],
  [ErrorCode.ManifestTooLarge, ExitCode.Content],
  [ErrorCode.ContentTooLarge, ExitCode.Content],
  [ErrorCode.InvalidConfig, ExitCode.Content],
  [ErrorCode.SchemaViolation, ExitCode.Content],

  [ErrorCode.VerifyFailed, ExitCode.Verify],
]);

/** The exit code for anything thrown out of a command. */
export function exitCodeFor(error: unknown): ExitCodeValue {
  if (!isGantryError(error)) return ExitCode.Failure;
  return EXIT_BY_ERROR_CODE.get(error.code) ?? ExitCode.Failure;
}
