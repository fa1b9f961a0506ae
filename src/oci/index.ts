/** The OCI model: value types for digests, media types, platforms, descriptors,
 * manifests, indexes and image configs. The library entry point re-exports this. */
export * from './classify.js';
export * from './config.js';
export * from './create.js';
export * from './descriptor.js';
export * from './digest.js';
export * from './manifest.js';
export * from './mediatype.js';
export * from './platform.js';
export * from './platform-json.js';
export * from './platform-match.js';
export * from './validate.js';
