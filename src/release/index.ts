/**
 * `gantry release`: the release file, versions, tags, metadata, the plan
 * with its comparison against the destinations (all pure), then the
 * execution (build, publish content, tags in publication order) and the
 * record of what was done.
 */
export * from './builds.js';
export * from './dry-run.js';
export * from './execute.js';
export * from './file.js';
export {
  DEFAULT_ATTESTATIONS,
  DEFAULT_DESTINATION,
  LAYOUT_PREFIX,
} from './file-sections.js';
export type * from './file-types.js';
export * from './from-digests.js';
export * from './git.js';
export * from './github-actions.js';
export * from './github-actions-summary.js';
export * from './images.js';
export * from './inputs.js';
export * from './metadata.js';
export * from './plan.js';
export * from './plan-diff.js';
export * from './plan-render.js';
export type * from './plan-types.js';
export * from './record.js';
export * from './rollback.js';
export * from './tags.js';
export * from './version.js';
