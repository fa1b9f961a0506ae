/**
 * Daemonless image build, lowest part: deterministic layer blobs from files,
 * folders, tarballs and in-memory content, with their diff ID and digest.
 */

export {
  BaseCache,
  type ResolvedBase,
  resolveBase,
  SCRATCH,
  scratchBase,
} from './base.js';
export {
  type BuildEvent,
  type BuildOptions,
  type BuildResult,
  type BuildStep,
  type BuiltManifest,
  buildImages,
  DEFAULT_BUILD_COMPRESSION,
  type PlatformBuild,
  pushBuild,
} from './build-image.js';
export {
  type CachedBuildOptions,
  cachedLayer,
  defaultCacheDir,
  type LayerFile,
} from './cache.js';
export { LAYER_FORMAT_VERSION, layerCacheKey } from './cache-key.js';
export type { ConfigChanges, HealthcheckConfig } from './config.js';
export { loadImageTree } from './dockerfile-image-tree.js';
export {
  type Dockerfile,
  type Instruction,
  parseDockerfile,
  type Stage,
} from './dockerfile-parse.js';
export {
  type BaseFacts,
  type DockerfilePlanOptions,
  planDockerfile,
} from './dockerfile-plan.js';
export { DockerIgnore } from './dockerignore.js';
export {
  type ContentInput,
  DEFAULT_FILE_MODE,
  DEFAULT_OWNER,
  type DirectoryInput,
  type EntryContent,
  type EntryType,
  IMPLIED_DIRECTORY_MODE,
  type InputOwnership,
  type LayerEntry,
  type LayerInput,
  OPAQUE_WHITEOUT,
  type PathInput,
  SYMLINK_MODE,
  type SymlinkInput,
  WHITEOUT_MODE,
  WHITEOUT_PREFIX,
  type WhiteoutInput,
} from './entries.js';
export { planEntries } from './entries-plan.js';
export { sortEntries } from './entries-sort.js';
export {
  DEFAULT_GZIP_LEVEL,
  GZIP_BLOCK_SIZE,
  type GzipOptions,
  gzipParallel,
  ParallelGzip,
} from './gzip-parallel.js';
export {
  addHistory,
  annotate,
  appendLayers,
  type BaseRef,
  type BuiltImage,
  type HistoryInput,
  type LayerBlob,
  rfc3339,
  setConfig,
  setCreated,
  startImage,
} from './image.js';
export { type BuildLayerOptions, buildLayer, type LayerResult } from './layer.js';
export {
  DEFAULT_LAYER_EPOCH,
  type LayerCompression,
  layerMediaType,
  resolveEpoch,
} from './layer-options.js';
export { OverlayTarget } from './overlay.js';
export {
  hostPlatform,
  type PlatformArgs,
  platformArgs,
  substituteArgs,
  substituteInput,
} from './platform-args.js';
export { encodeHeader, type TarHeader, TypeFlag } from './tar-header.js';
export {
  readTarEntries,
  type TarEntry,
  type TarEntryType,
  type TarSource,
  tarSourceFromBytes,
  tarSourceFromFile,
} from './tar-read.js';
export { tarChunks } from './tar-write.js';
export {
  DEFAULT_ZSTD_LEVEL,
  ZSTD_FRAME_SIZE,
  ZstdFrames,
  type ZstdOptions,
} from './zstd.js';
