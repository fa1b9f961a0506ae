import type { WriteTarget } from '../store/target.js';
import { onSide, throwIfAborted } from './errors.js';
import type { Limit } from './limit.js';
import type { CopyPlan, PlannedManifest } from './plan.js';
import type { CopyEvent, CopyStats } from './types.js';

export interface ManifestContext {
  destination: WriteTarget;
  signal: AbortSignal;
  limit: Limit;
  emit: (event: CopyEvent) => void;
}

/**
 * Pushes the plan's manifests, each only after the manifests it names
 * (children before parents) and a referrer after its subject, leaving out
 * those in `held` (the destination has them). A registry takes siblings at
 * once: the platform and attestation manifests of an index go together, so
 * an index costs one round trip per level rather than one per manifest.
 * Other targets write one at a time in plan order, as a layout's or an
 * archive's index is rewritten on each write.
 */
export async function pushManifests(
  context: ManifestContext,
  plan: CopyPlan,
  held: ReadonlySet<string>,
  stats: CopyStats,
): Promise<void> {
  const wanted = plan.manifests.filter((n) => !held.has(n.descriptor.digest.toString()));
  if (context.destination.kind !== 'registry') {
    for (const node of wanted) await pushOne(context, node, stats);
    return;
  }

  const position = new Map(plan.manifests.map((n, i) => [key(n), i]));
  const pushes = new Map<string, Promise<void>>();
  const push = (node: PlannedManifest): Promise<void> => {
    let pushing = pushes.get(key(node));
    if (pushing === undefined) {
      pushing = pushAfter(node);
      pushes.set(key(node), pushing);
    }
    return pushing;
  };
  const pushAfter = async (node: PlannedManifest): Promise<void> => {
    const at = position.get(key(node)) ?? 0;
    // Only edges to earlier manifests: the plan's order is already children
    // first and subjects first, and a cycle through `subject` cannot wait.
    const before = dependencies(node).flatMap((digest) => {
      const i = position.get(digest);
      return i !== undefined && i < at ? [plan.manifests[i]!] : [];
    });
    await Promise.all(before.map(push));
    if (held.has(key(node))) return;
    await context.limit(() => pushOne(context, node, stats));
  };
  await settleInOrder(plan.manifests.map(push));
}

/** Waits for every push; the first failure in plan order is the one thrown. */
async function settleInOrder(pushes: Promise<void>[]): Promise<void> {
  const settled = await Promise.allSettled(pushes);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
}

async function pushOne(
  context: ManifestContext,
  node: PlannedManifest,
  stats: CopyStats,
): Promise<void> {
  throwIfAborted(context.signal);
  const { descriptor } = node;
  await onSide('destination', descriptor.digest, () =>
    context.destination.push(descriptor, node.manifest.bytes),
  );
  stats.manifests++;
  const { digest, mediaType, size } = descriptor;
  context.emit({ type: 'manifest', digest, mediaType, size });
}

function dependencies(node: PlannedManifest): string[] {
  const subject = node.manifest.subject?.digest.toString();
  const children = node.children.map((child) => child.digest.toString());
  return subject === undefined ? children : [...children, subject];
}

function key(node: PlannedManifest): string {
  return node.descriptor.digest.toString();
}
