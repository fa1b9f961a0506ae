/**
 * `gantry index create`: a new OCI index assembled from platform images
 * in the same or other repositories, or from `--push-by-digest` metadata.
 */
export * from './annotations.js';
export * from './create.js';
export * from './entries.js';
export * from './sources.js';
