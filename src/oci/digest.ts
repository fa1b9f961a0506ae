import { createHash, type Hash } from 'node:crypto';
import { ErrorCode, GantryError } from '../errors.js';

/**
 * A content digest, `algorithm:encoded`, as defined in the OCI image-spec
 * (descriptor.md, "Digests"). gantry accepts the two registered algorithms,
 * sha256 and sha512, with lowercase hex of the exact length.
 */
export type DigestAlgorithm = 'sha256' | 'sha512';

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };

/**
 * What to do when content does not hash to its digest: the bytes were
 * changed on the way (a registry or proxy served wrong bytes), so another
 * try may get the right ones; if not, the registry's operator must know.
 */
export const DIGEST_MISMATCH_HINT =
  'the registry or a proxy served bytes other than the content: try again, ' +
  'or report it to the registry operator';

export class Digest {
  readonly algorithm: DigestAlgorithm;
  readonly hex: string;

  private constructor(algorithm: DigestAlgorithm, hex: string) {
    this.algorithm = algorithm;
    this.hex = hex;
  }

  static parse(text: string): Digest {
    const colon = text.indexOf(':');
    const algorithm = text.slice(0, colon);
    const hex = text.slice(colon + 1);
    if (colon < 0 || !(algorithm === 'sha256' || algorithm === 'sha512')) {
      throw new GantryError(ErrorCode.InvalidDigest, `invalid digest "${clip(text)}"`, {
        hint: 'a digest looks like sha256:<64 lowercase hex digits>',
      });
    }
    if (hex.length !== HEX_LENGTH[algorithm] || !/^[0-9a-f]+$/.test(hex)) {
      throw new GantryError(
        ErrorCode.InvalidDigest,
        `invalid ${algorithm} digest "${clip(text)}": ` +
          `expected ${HEX_LENGTH[algorithm]} lowercase hex digits`,
      );
    }
    return new Digest(algorithm, hex);
  }

  static isValid(text: string): boolean {
    try {
      Digest.parse(text);
      return true;
    } catch {
      return false;
    }
  }

  /** The digest of `bytes`, sha256 unless told otherwise. */
  static of(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): Digest {
    return new Digest(algorithm, createHash(algorithm).update(bytes).digest('hex'));
  }

  /** A running digest for streamed content. */
  static hasher(algorithm: DigestAlgorithm = 'sha256'): DigestHasher {
    return new DigestHasher(algorithm);
  }

  equals(other: Digest | string): boolean {
    return this.toString() === other.toString();
  }

  /** Throws DigestMismatch unless `bytes` hash to this digest. */
  verify(bytes: Uint8Array, what = 'content'): void {
    const actual = Digest.of(bytes, this.algorithm);
    if (!actual.equals(this)) {
      throw new GantryError(
        ErrorCode.DigestMismatch,
        `${what} does not match its digest: expected ${this}, got ${actual}`,
        {
          details: { expected: this.toString(), actual: actual.toString() },
          hint: DIGEST_MISMATCH_HINT,
        },
      );
    }
  }

  /** The `sha256-<hex>` tag of the referrers tag schema (distribution-spec). */
  toReferrersTag(): string {
    return `${this.algorithm}-${this.hex}`;
  }

  toString(): string {
    return `${this.algorithm}:${this.hex}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

export class DigestHasher {
  readonly algorithm: DigestAlgorithm;
  private readonly hash: Hash;
  private count = 0;

  constructor(algorithm: DigestAlgorithm) {
    this.algorithm = algorithm;
    this.hash = createHash(algorithm);
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.count += chunk.byteLength;
  }

  get size(): number {
    return this.count;
  }

  digest(): Digest {
    return Digest.parse(`${this.algorithm}:${this.hash.digest('hex')}`);
  }
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
