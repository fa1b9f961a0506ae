import { ErrorCode, GantryError } from '../errors.js';
import type { OrderRule, ReleaseFile, VariantSpec } from './file-types.js';

/** The name of the base image in plans, orders and messages. */
export const BASE_IMAGE_NAME = 'base';

/** One image of a release: the scratch base or a variant. */
export interface ReleaseImage {
  /** `base`, or the variant's first suffix. */
  name: string;
  kind: 'base' | 'variant';
  suffixes: string[];
  at: string;
  variant?: VariantSpec;
}

/** The base first, then the variants as the file lists them. */
export function releaseImages(file: ReleaseFile): ReleaseImage[] {
  const base: ReleaseImage = {
    name: BASE_IMAGE_NAME,
    kind: 'base',
    suffixes: [],
    at: file.base.at,
  };
  const variants = file.variants.map(
    (variant): ReleaseImage => ({
      name: variant.suffixes[0]!,
      kind: 'variant',
      suffixes: variant.suffixes,
      at: variant.at,
      variant,
    }),
  );
  return [base, ...variants];
}

/**
 * Image names in publication order. `base-last` (the default) pushes the
 * variants first so the base, pushed last, is the newest entry registry pages
 * list first; variants keep the file's order. An explicit list must name
 * every image exactly once.
 */
export function publicationOrder(
  order: OrderRule,
  images: readonly ReleaseImage[],
): string[] {
  const names = images.map((image) => image.name);
  const variants = names.filter((name) => name !== BASE_IMAGE_NAME);
  if (order === 'base-last') return [...variants, BASE_IMAGE_NAME];
  if (order === 'base-first') return [BASE_IMAGE_NAME, ...variants];

  const problem = explicitOrderProblem(order, names);
  if (problem !== undefined) {
    throw new GantryError(ErrorCode.ReleaseFile, `order: ${problem}`, {
      hint: `list each of ${names.join(', ')} once`,
    });
  }
  return [...order];
}

/** Why an explicit order list is unusable, or undefined. */
export function explicitOrderProblem(
  order: readonly string[],
  names: readonly string[],
): string | undefined {
  const unknown = order.find((name) => !names.includes(name));
  if (unknown !== undefined) return `"${unknown}" is not an image of this release`;
  const twice = order.find((name, index) => order.indexOf(name) !== index);
  if (twice !== undefined) return `"${twice}" is listed twice`;
  const missing = names.filter((name) => !order.includes(name));
  if (missing.length > 0) return `missing ${missing.join(', ')}`;
  return undefined;
}
