/**
 * Every failure gantry reports is a GantryError with a stable code.
 *
 * Codes never change meaning once published: scripts match on them. The
 * message says what failed; `hint` says, in one line, how a user can fix it;
 * `side` says whether the source or the destination of an operation failed.
 * Messages and hints never contain credentials (see registry/redact.ts).
 */

export type ErrorSide = 'source' | 'destination';

export interface GantryErrorOptions {
  hint?: string;
  side?: ErrorSide;
  cause?: unknown;
  /** Extra facts for `--json` output and for callers; no secrets. */
  details?: Record<string, unknown>;
}

export class GantryError extends Error {
  override readonly name = 'GantryError';
  readonly code: string;
  readonly hint: string | undefined;
  readonly side: ErrorSide | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, options: GantryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.side = options.side;
    this.details = options.details ?? {};
  }

  /** A copy of this error that names the side of a copy or transfer. */
  withSide(side: ErrorSide): GantryError {
    const copy = new GantryError(this.code, `${side}: ${this.message}`, {
      hint: this.hint,
      side,
      cause: this.cause,
      details: this.details,
    });
    copy.stack = this.stack;
    return copy;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.side === undefined ? {} : { side: this.side }),
      ...(Object.keys(this.details).length === 0 ? {} : { details: this.details }),
    };
  }
}

export function isGantryError(value: unknown, code?: string): value is GantryError {
  return value instanceof GantryError && (code === undefined || value.code === code);
}

/**
 * The stable error codes. Grouped by the part that raises them; the CLI maps
 * each group to an exit code (see cli/exit.ts).
 */
export const ErrorCode = {
  // input given by the user or read from a file
  InvalidReference: 'GANTRY_E_REFERENCE',
  InvalidDigest: 'GANTRY_E_DIGEST',
  InvalidPlatform: 'GANTRY_E_PLATFORM',
  InvalidMediaType: 'GANTRY_E_MEDIA_TYPE',
  InvalidManifest: 'GANTRY_E_MANIFEST_INVALID',
  ManifestTooLarge: 'GANTRY_E_MANIFEST_TOO_LARGE',
  InvalidConfig: 'GANTRY_E_CONFIG_INVALID',
  SchemaViolation: 'GANTRY_E_SCHEMA',
  InvalidHeader: 'GANTRY_E_HEADER',
  Usage: 'GANTRY_E_USAGE',

  // content checks
  DigestMismatch: 'GANTRY_E_DIGEST_MISMATCH',
  SizeMismatch: 'GANTRY_E_SIZE_MISMATCH',
  ShortRead: 'GANTRY_E_SHORT_READ',
  TrailingData: 'GANTRY_E_TRAILING_DATA',
  PlatformNotFound: 'GANTRY_E_PLATFORM_NOT_FOUND',

  // registry and network
  Unauthorized: 'GANTRY_E_UNAUTHORIZED',
  Denied: 'GANTRY_E_DENIED',
  NotFound: 'GANTRY_E_NOT_FOUND',
  Registry: 'GANTRY_E_REGISTRY',
  Unsupported: 'GANTRY_E_UNSUPPORTED',
  Network: 'GANTRY_E_NETWORK',
  Tls: 'GANTRY_E_TLS',
  Timeout: 'GANTRY_E_TIMEOUT',
  TooManyRequests: 'GANTRY_E_TOO_MANY_REQUESTS',
  Redirect: 'GANTRY_E_REDIRECT',

  // credentials
  Credentials: 'GANTRY_E_CREDENTIALS',
  CredentialHelper: 'GANTRY_E_CREDENTIAL_HELPER',
  Token: 'GANTRY_E_TOKEN',

  Internal: 'GANTRY_E_INTERNAL',

  // stores: OCI layouts and archives
  InvalidLayout: 'GANTRY_E_LAYOUT',
  LayoutLocked: 'GANTRY_E_LAYOUT_LOCKED',
  /** A layout folder or its files could not be made or written (permissions, space). */
  LayoutCreate: 'GANTRY_E_LAYOUT_CREATE',
  /** A tag moved between reading it and writing it: another writer is at work. */
  TagMoved: 'GANTRY_E_TAG_MOVED',
  InvalidArchive: 'GANTRY_E_ARCHIVE',
  /**
   * A file gantry was asked to write (an archive, a metadata file) or its
   * folder could not be made or written (permissions, space).
   */
  OutputWrite: 'GANTRY_E_OUTPUT_WRITE',
  ContentTooLarge: 'GANTRY_E_CONTENT_TOO_LARGE',

  // operations stopped by the caller (an AbortSignal)
  Aborted: 'GANTRY_E_ABORTED',

  // image build: layer inputs (missing, unreadable, conflicting, changed)
  BuildInput: 'GANTRY_E_BUILD_INPUT',

  // release: the release file, its version and the tags it plans
  ReleaseFile: 'GANTRY_E_RELEASE_FILE',
  InvalidVersion: 'GANTRY_E_VERSION',
  TagConflict: 'GANTRY_E_TAG_CONFLICT',
  /** The release record file could not be written (the release itself is done). */
  ReleaseRecord: 'GANTRY_E_RELEASE_RECORD',

  // verification: a published release or image does not hold
  VerifyFailed: 'GANTRY_E_VERIFY_FAILED',
  /** `gantry diff`: the two images differ (exit 1, like diff(1)). */
  ImagesDiffer: 'GANTRY_E_IMAGES_DIFFER',

  /** GitHub Actions: a GITHUB_OUTPUT or GITHUB_STEP_SUMMARY file could not be written. */
  ActionsFile: 'GANTRY_E_ACTIONS_FILE',
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];
