import { ErrorCode, GantryError } from '../errors.js';
import type { TagOptions } from './target.js';

/**
 * The check behind `tag(..., { expect })`: a writer that planned a tag write
 * from what the tag named then refuses to write when the tag has moved since,
 * since another writer is publishing into the same place and one of the two
 * would otherwise silently undo the other.
 */
export function checkTagExpected(
  options: TagOptions | undefined,
  current: string | undefined,
  tag: string,
  where: string,
): void {
  const expect = options?.expect;
  if (expect === undefined || expect.digest === current) return;
  const now = current ?? 'nothing (it was removed)';
  const before = expect.digest ?? 'no such tag';
  throw new GantryError(
    ErrorCode.TagMoved,
    `tag ${tag} in ${where} moved to ${now} since the release planned it ` +
      `(expected ${before}); another writer is publishing there`,
    {
      hint: 're-run to plan again from what the destination holds now',
      details: { tag, expected: before, actual: now },
    },
  );
}
