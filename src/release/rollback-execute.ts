import { ErrorCode, isGantryError } from '../errors.js';
import { parseRepository } from '../reference/parse.js';
import type { RegistryClient } from '../registry/client.js';
import type { OciLayoutTarget } from '../store/oci-layout.js';
import { openTarget } from '../store/open-target.js';
import type { WriteTarget } from '../store/target.js';
import type { RollbackEvent, RollbackPlan, RollbackStep } from './rollback-types.js';

/**
 * Carries out a rollback plan in its order: each restore points the tag at
 * its previous manifest (the registry target PUTs that manifest's exact
 * bytes, read by digest from the same repository). A registry removal
 * deletes a manifest by digest once, which takes every tag that names it
 * (the plan made sure those are exactly the tags being removed); a layout
 * removal drops the tag's index.json entry only if it still names the
 * release's digest, compared under the layout's lock, and leaves the tag
 * (a `changed` event) when someone moved it since the plan.
 */
export async function executeRollback(
  plan: RollbackPlan,
  options: { client: RegistryClient; onEvent?: (event: RollbackEvent) => void },
): Promise<void> {
  const { client } = options;
  const targets = new Map<string, Promise<WriteTarget>>();
  const open = (name: string) => {
    let target = targets.get(name);
    if (target === undefined) {
      target = openTarget(name, { client }).then((opened) => opened.target);
      targets.set(name, target);
    }
    return target;
  };
  const deleted = new Set<string>();

  for (const step of plan.steps) {
    if (step.action === 'restore') {
      const target = await open(step.destination);
      await target.tag(await target.resolve(step.target!), step.tag);
      options.onEvent?.({ kind: 'restored', step });
    } else if (step.action === 'remove' && step.removal === 'tag') {
      const layout = (await open(step.destination)) as OciLayoutTarget;
      options.onEvent?.(await untagLayout(layout, step));
    } else if (step.action === 'remove') {
      const key = `${step.destination}@${step.target}`;
      if (deleted.has(key)) continue;
      deleted.add(key);
      const repository = parseRepository(step.destination);
      await client.deleteManifest(repository.withDigest(step.target!));
      const tags = plan.steps
        .filter((s) => s.action === 'remove' && `${s.destination}@${s.target}` === key)
        .map((s) => s.tag);
      options.onEvent?.({ kind: 'removed', step, tags });
    }
  }
}

/** Removes one layout tag if it still names the release's digest. */
async function untagLayout(
  layout: OciLayoutTarget,
  step: RollbackStep,
): Promise<RollbackEvent> {
  try {
    await layout.untag(step.tag, { expect: { digest: step.target } });
    return { kind: 'removed', step, tags: [step.tag] };
  } catch (error) {
    if (!isGantryError(error, ErrorCode.TagMoved)) throw error;
    const now = String(error.details.actual);
    return {
      kind: 'changed',
      step,
      reason: `names ${now}, not the release's ${step.target}`,
    };
  }
}
