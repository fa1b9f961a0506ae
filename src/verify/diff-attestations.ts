import { attestedDigest, type Descriptor } from '../oci/descriptor.js';
import type { ImageTree } from './read-image.js';

/** Attestation manifests compared between two images. */

/** The platform each attestation describes, sorted; one entry per attestation. */
export function attested(tree: ImageTree): string[] {
  return tree.attestations
    .map((entry) => {
      let subject: string | undefined;
      try {
        subject = attestedDigest(entry)?.toString();
      } catch {
        subject = undefined;
      }
      const named = (image: { descriptor: Descriptor }) =>
        image.descriptor.digest.toString() === subject;
      // A platform whose config is absent is still named by its index entry.
      const platform =
        tree.platforms.find(named)?.platform ?? tree.incomplete.find(named)?.platform;
      return platform ?? subject ?? `unknown subject (${entry.digest})`;
    })
    .sort();
}

/** `a` less one occurrence of each entry of `b`. */
export function without(a: string[], b: string[]): string[] {
  const rest = [...b];
  return a.filter((entry) => {
    const at = rest.indexOf(entry);
    if (at < 0) return true;
    rest.splice(at, 1);
    return false;
  });
}
