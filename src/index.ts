/**
 * gantry as a library: the OCI model, image references, the registry
 * client, errors and the logger interface. The CLI (cli/) is built on
 * exactly this surface.
 */
export * from './errors.js';
export * from './log.js';
export * from './oci/index.js';
export * from './reference/index.js';
export * from './registry/index.js';
