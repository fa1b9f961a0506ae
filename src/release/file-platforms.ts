import { ErrorCode, GantryError } from '../errors.js';
import { normalizePlatform, type Platform, parsePlatform } from '../oci/platform.js';
import { unknownPlatformPart } from '../oci/platform-known.js';
import { closestName } from './suggest.js';

/**
 * A platform a user wrote (a release file's `platforms`, `gantry build
 * --platform`): well-formed, and naming an OS and an architecture Go knows,
 * so that `linux/amd46` is caught as it is typed, with a suggestion,
 * instead of becoming an image for a machine that does not exist; an alias
 * is written as its canonical name.
 */
export function parseUserPlatform(text: string): Platform {
  const platform = parsePlatform(text);
  const unknown = unknownPlatformPart(platform);
  // The names BuildKit writes: linux/x86_64 is linux/amd64, linux/aarch64
  // linux/arm64, linux/armhf linux/arm/v7 (and linux/arm the same), so
  // $TARGETARCH and the index entry say what every runtime looks for.
  if (unknown === undefined) return normalizePlatform(platform);

  const near = closestName(unknown.value, unknown.known);
  const hint =
    near === undefined
      ? `known values (Go's $GOOS/$GOARCH): ${unknown.known.join(', ')}`
      : `did you mean "${near}"?`;
  throw new GantryError(
    ErrorCode.InvalidPlatform,
    `platform "${text}": unknown ${unknown.part} "${unknown.value}"`,
    { hint },
  );
}
