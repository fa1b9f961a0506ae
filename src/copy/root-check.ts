import type { WriteTarget } from '../store/target.js';
import { onSide } from './errors.js';
import type { CopyPlan, PlannedManifest } from './plan.js';
import { order } from './plan-graph.js';

/** For blobs nobody vouches for: each is checked at the destination. */
export const NOT_HELD: Promise<boolean> = Promise.resolve(false);

/**
 * Whether a registry destination already holds the copy's root, by digest.
 * If it does, everything under the root is there too: distribution refuses
 * an index until its child manifests exist and a manifest until its config
 * and layers exist (400 MANIFEST_BLOB_UNKNOWN; REGISTRY-NOTES.md, "The
 * index's children must exist first"), so nothing under it needs a check
 * or a push. Layouts and archives take content in any order, so for them
 * the answer is always no. One HEAD, asked while the walk goes on.
 */
export class RootCheck {
  readonly #destination: WriteTarget;
  #held: Promise<boolean> = NOT_HELD;

  constructor(destination: WriteTarget) {
    this.#destination = destination;
  }

  get held(): Promise<boolean> {
    return this.#held;
  }

  start(root: PlannedManifest): void {
    if (this.#destination.kind !== 'registry') return;
    const { descriptor } = root;
    this.#held = onSide('destination', descriptor.digest, () =>
      this.#destination.exists(descriptor),
    );
    // Awaited by the transfers and the copy; a failure meanwhile is no crash.
    this.#held.catch(() => undefined);
  }

  /**
   * The digests of the root and everything under it, which the destination
   * holds. A root with a `subject` is pushed again all the same: the
   * push also lists it in its subject's referrers, which an interrupted
   * run may have missed.
   */
  subtree(plan: CopyPlan): Set<string> {
    const nodes = new Map(plan.manifests.map((n) => [n.descriptor.digest.toString(), n]));
    const under = order(nodes, [plan.root]);
    const held = new Set(under.map((n) => n.descriptor.digest.toString()));
    if (plan.root.manifest.subject !== undefined) {
      held.delete(plan.root.descriptor.digest.toString());
    }
    return held;
  }
}
