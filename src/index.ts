/**
 * gantry as a library: the OCI model, image references, the registry
 * client, deterministic layers and image builds, targets (registry, OCI
 * layout, OCI archive, docker-save archive, memory), the copy graph, the
 * release (file, plan, execution, record, rollback), attestations,
 * verification, errors and the logger interface. The CLI (cli/) is built
 * on exactly this surface.
 */
export * from './attest/index.js';
export * from './build/index.js';
export * from './copy/index.js';
export * from './errors.js';
export * from './index-create/index.js';
export * from './log.js';
export * from './oci/index.js';
export * from './reference/index.js';
export * from './registry/index.js';
export * from './release/index.js';
export * from './store/index.js';
export * from './verify/index.js';
