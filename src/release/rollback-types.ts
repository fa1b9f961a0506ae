/**
 * The rollback of a release: what `gantry rollback RECORD` plans from a
 * release record before it writes anything, and what it did.
 */

/**
 * What happens to one tag the release wrote:
 *
 * - `restore`: the release moved it; it goes back to its previous digest.
 * - `remove`: the release created it. On a registry, when no tag outside
 *   the rollback uses its digest, the manifest is deleted by digest (a
 *   registry cannot delete a tag alone), which removes the tag; in an OCI
 *   layout its index.json entry goes and nothing else.
 * - `keep`: the release created it but it cannot be removed without
 *   removing other tags (or the destination cannot remove tags); left.
 * - `changed`: the tag names neither the release's digest nor its previous
 *   one: someone moved it since, so rollback leaves it.
 * - `done`: already where the rollback would put it (a re-run).
 * - `untouched`: the release left it where it was.
 */
export type RollbackAction =
  | 'restore'
  | 'remove'
  | 'keep'
  | 'changed'
  | 'done'
  | 'untouched';

export interface RollbackStep {
  destination: string;
  image: string;
  tag: string;
  action: RollbackAction;
  /** The digest the tag names now; absent when there is no such tag. */
  current?: string;
  /** `restore`: the digest the tag goes back to; `remove`: the digest it names. */
  target?: string;
  /**
   * `remove`: how: `digest` deletes the manifest (a registry), `tag` drops
   * the tag's index.json entry, its blobs kept (an OCI layout).
   */
  removal?: 'digest' | 'tag';
  /** Why a tag is kept or left, in words. */
  reason?: string;
  /** 1-based place among the writes of the rollback; only on restore and remove. */
  sequence?: number;
}

export interface RollbackPlan {
  /** The record file the plan comes from. */
  record: string;
  version: string;
  /** Steps in execution order: every restore, then every removal, then the rest. */
  steps: RollbackStep[];
  counts: Record<RollbackAction, number>;
}

/**
 * `changed`: a layout tag the plan would remove moved between the plan and
 * its removal (checked under the layout's lock), so it was left.
 */
export type RollbackEvent =
  | { kind: 'restored'; step: RollbackStep }
  | { kind: 'removed'; step: RollbackStep; tags: string[] }
  | { kind: 'changed'; step: RollbackStep; reason: string };
