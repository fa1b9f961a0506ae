import { ErrorCode, GantryError } from '../errors.js';
import { MediaType, type MediaTypeFamily } from '../oci/mediatype.js';

export type LayerCompression = 'gzip' | 'zstd' | 'none';

/** zstd's own default level (the `zstd` command's), as containerd uses. */
export const DEFAULT_ZSTD_LEVEL = 3;

/**
 * The time stamped on every entry when neither `epoch` nor
 * SOURCE_DATE_EPOCH is given: 0 (1970-01-01), as ko and apko do. Any fixed
 * value makes layers reproducible; 0 at least claims no false date.
 */
export const DEFAULT_LAYER_EPOCH = 0;

/** Largest mtime a ustar header holds: 11 octal digits (year 2242). */
const MAX_EPOCH = 8 ** 11 - 1;

/**
 * The entry time of a layer: `epoch` if given, else SOURCE_DATE_EPOCH
 * (reproducible-builds.org specification: a decimal count of seconds since
 * the Unix epoch), else DEFAULT_LAYER_EPOCH.
 */
export function resolveEpoch(
  epoch: number | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): number {
  if (epoch !== undefined) return checkEpoch(epoch, 'epoch');
  const text = env.SOURCE_DATE_EPOCH;
  if (text === undefined || text === '') return DEFAULT_LAYER_EPOCH;
  if (!/^[0-9]+$/.test(text)) {
    throw new GantryError(
      ErrorCode.Usage,
      `SOURCE_DATE_EPOCH "${text.slice(0, 40)}" is not a count of seconds`,
      {
        hint: 'set SOURCE_DATE_EPOCH to a whole number, e.g. $(git log -1 --format=%ct)',
      },
    );
  }
  return checkEpoch(Number(text), 'SOURCE_DATE_EPOCH');
}

function checkEpoch(epoch: number, what: string): number {
  if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH) {
    throw new GantryError(ErrorCode.Usage, `${what} ${epoch} is out of range`, {
      hint: `give whole seconds from 0 to ${MAX_EPOCH}`,
    });
  }
  return epoch;
}

/**
 * The layer media type. Docker schema 2 (manifest-v2-2.md) defines only the
 * gzip layer; gantry also writes its uncompressed form, which Docker reads,
 * but no zstd type exists there.
 */
export function layerMediaType(
  family: MediaTypeFamily,
  compression: LayerCompression,
): string {
  if (family === 'oci') {
    if (compression === 'gzip') return MediaType.OciLayerGzip;
    if (compression === 'zstd') return MediaType.OciLayerZstd;
    return MediaType.OciLayer;
  }
  if (compression === 'gzip') return MediaType.DockerLayerGzip;
  if (compression === 'none') return MediaType.DockerLayer;
  throw new GantryError(ErrorCode.Unsupported, 'Docker images have no zstd layer type', {
    hint: 'build an OCI image for zstd layers, or use gzip',
  });
}
