/** Verification of published releases and images, and image comparison. */
export * from './check-image.js';
export * from './diff.js';
export * from './diff-maps.js';
export * from './layers.js';
export * from './policy.js';
export * from './read-image.js';
export * from './release.js';
export * from './release-layers.js';
export * from './render.js';
export * from './types.js';
