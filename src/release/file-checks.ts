import type { Field } from './file-node.js';
import type { ReleaseFile } from './file-types.js';
import { explicitOrderProblem, releaseImages } from './images.js';
import { checkTagConflicts, imageTags } from './tags.js';
import { parseVersion } from './version.js';

/**
 * A final version and a commit that stand in for the real ones, so tag
 * templates are checked when the file is read, before any version is known.
 */
const SAMPLE_VERSION = '1.2.3';
const SAMPLE_SHA = '0123456789abcdef0123456789abcdef01234567';

/**
 * Checks that need the whole file: the explicit order names each image
 * once, and the tag templates give every image valid tags that no two
 * images share.
 */
export function checkFileTags(file: ReleaseFile, root: Field): void {
  const images = releaseImages(file);
  if (Array.isArray(file.order)) {
    const orderField = root.entries().get('order')!;
    const names = images.map((image) => image.name);
    const problem = explicitOrderProblem(file.order, names);
    if (problem !== undefined)
      throw orderField.error(problem, `images: ${names.join(', ')}`);
  }

  const values = { version: parseVersion(SAMPLE_VERSION, 'semver'), sha: SAMPLE_SHA };
  const claims = images.map((image) => ({
    image: image.name,
    at: image.at,
    tags: imageTags(file.tags, file.latest, values, image),
  }));
  checkTagConflicts(claims);
}
