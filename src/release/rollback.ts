/**
 * `gantry rollback`: reads a release record, plans the reverse of the
 * release against what the destinations hold now, and carries it out.
 */
export * from './rollback-decide.js';
export * from './rollback-execute.js';
export * from './rollback-plan.js';
export * from './rollback-read.js';
export * from './rollback-render.js';
export type * from './rollback-types.js';
