/**
 * Targets: memory, OCI image layout folders, OCI archives and docker-save
 * archives behind one interface.
 */
export * from './docker-archive.js';
export type { ArchiveImage } from './docker-archive-names.js';
export type { LayoutEntry, LayoutIndex } from './layout-index.js';
export { LOCK_FILE_NAME, LOCK_TIMEOUT_MS, STALE_LOCK_MS } from './layout-lock.js';
export * from './memory.js';
export * from './oci-archive.js';
export * from './oci-layout.js';
export * from './open-target.js';
export { type ReferrerScan, referrerDescriptor, scanReferrers } from './referrers.js';
export * from './registry-target.js';
export * from './target.js';
export * from './transport-reference.js';
