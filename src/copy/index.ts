/** The graph copy between targets: plan, blobs, manifests children first, tags last. */

export { PROGRESS_STEP_BYTES, UPLOAD_SESSIONS_PER_BLOB } from './blobs.js';
export { copyAllTags, copyImage } from './copy.js';
export type { CopyPlan, PlannedManifest } from './plan.js';
export { selectPlatforms } from './platforms.js';
export * from './types.js';
