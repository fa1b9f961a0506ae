/**
 * `gantry release`, the pure front half: the release file, versions, tags,
 * metadata, and the plan with its comparison against the destinations.
 */
export * from './file.js';
export {
  DEFAULT_ATTESTATIONS,
  DEFAULT_DESTINATION,
  LAYOUT_PREFIX,
} from './file-sections.js';
export type * from './file-types.js';
export * from './git.js';
export * from './images.js';
export * from './inputs.js';
export * from './metadata.js';
export * from './plan.js';
export * from './plan-diff.js';
export * from './plan-render.js';
export type * from './plan-types.js';
export * from './tags.js';
export * from './version.js';
