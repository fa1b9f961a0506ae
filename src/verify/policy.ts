import { ErrorCode, GantryError, isGantryError } from '../errors.js';
import type { RegistryClient } from '../registry/client.js';
import { openTarget } from '../store/open-target.js';
import { checkImage } from './check-image.js';
import { readImage } from './read-image.js';
import { CheckId, Findings, type VerifyReport } from './types.js';

/**
 * A policy any image can be checked against, without a release: the
 * platforms it must have, the annotations it must carry, OCI media types
 * only, attestations required.
 */
export interface VerifyPolicy {
  requirePlatforms?: string[];
  /** Key to value; undefined requires only the key. */
  requireAnnotations?: Record<string, string | undefined>;
  ociOnly?: boolean;
  requireAttestations?: boolean;
}

/** `k=v` requires the value, `k` only the key (as `--require-annotation` takes it). */
export function parseAnnotationRule(text: string): [string, string | undefined] {
  const eq = text.indexOf('=');
  const key = eq < 0 ? text : text.slice(0, eq);
  if (key === '') {
    throw new GantryError(ErrorCode.Usage, `annotation rule "${text}" has no key`, {
      hint: 'write --require-annotation key or key=value',
    });
  }
  return [key, eq < 0 ? undefined : text.slice(eq + 1)];
}

export async function verifyPolicy(
  reference: string,
  policy: VerifyPolicy,
  options: { client: RegistryClient },
): Promise<VerifyReport> {
  const findings = new Findings();
  const { target, ref } = await openTarget(reference, {
    client: options.client,
    readOnly: true,
  });
  const place = {
    destination: target.description,
    ...(ref === undefined ? {} : { tag: ref }),
  };
  try {
    const descriptor = await target.resolve(ref ?? 'latest');
    const tree = await readImage(target, descriptor, { tolerant: true });
    const expect = {
      ociOnly: policy.ociOnly === true,
      blobs: true,
      requireAttestations: policy.requireAttestations === true,
      ...(policy.requirePlatforms === undefined
        ? {}
        : { requiredPlatforms: policy.requirePlatforms }),
      ...(policy.requireAnnotations === undefined
        ? {}
        : { annotations: policy.requireAnnotations }),
    };
    await checkImage(findings, target, tree, expect, {
      ...place,
      digest: descriptor.digest.toString(),
    });
  } catch (error) {
    if (!isGantryError(error)) throw error;
    findings.fail({
      check: CheckId.Unreadable,
      ...place,
      message: `${reference}: unreadable: ${error.message}`,
    });
  }
  return findings.report();
}
