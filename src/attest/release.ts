import { basename } from 'node:path';
import { SCRATCH } from '../build/base.js';
import type { BuildResult, PlatformBuild } from '../build/build-image.js';
import type { PathInput } from '../build/entries.js';
import type { Digest } from '../oci/digest.js';
import { platformToString } from '../oci/platform.js';
import type { ReleasePlan } from '../release/plan-types.js';
import { type AttestationMode, attachAttestations } from './attach.js';
import { digestPlacedFiles } from './files.js';
import { provenanceStatement } from './provenance.js';
import { sbomStatement } from './sbom.js';
import { type InTotoStatement, manifestSubject } from './statement.js';

/**
 * The release's attestations for one built image: per platform, SLSA
 * provenance and optionally an SPDX SBOM of the placed files, in the index
 * or as referrers, as the release file's `attestations` says.
 */

export interface AttestationSettings {
  provenance: boolean;
  sbom: boolean;
  mode: AttestationMode;
  builder?: { id: string };
}

export interface ReleaseAttestationInput {
  plan: ReleasePlan;
  image: string;
  /** The image's builds (planBuilds), whose layer inputs are the placed files. */
  builds: PlatformBuild[];
  /** Where relative sources are found: the release file's folder. */
  baseDir: string;
  /** Each platform's base (the build's `base` events), by platform string. */
  bases: ReadonlyMap<string, { ref: string; digest: Digest }>;
}

/** The SBOM creator line (SPDX 2.3 §6.8): the tool, not the machine. */
const SBOM_TOOL = 'gantry';

export async function attestRelease(
  result: BuildResult,
  settings: AttestationSettings,
  input: ReleaseAttestationInput,
): Promise<BuildResult> {
  if (!settings.provenance && !settings.sbom) return result;
  const statements = new Map<string, InTotoStatement[]>();
  for (const built of result.manifests) {
    const platform = platformToString(built.platform);
    const build = input.builds.find((b) => platformToString(b.platform) === platform);
    const files = await digestPlacedFiles(placedFiles(build), input.baseDir);
    const subject =
      settings.mode === 'referrers'
        ? manifestSubject(`${input.image}@${platform}`, built.manifest.digest)
        : undefined;
    const list: InTotoStatement[] = [];
    if (settings.provenance) {
      list.push(provenance(input, platform, files, settings.builder?.id, subject));
    }
    if (settings.sbom) list.push(sbom(input, platform, files, subject));
    statements.set(`${built.manifest.digest}`, list);
  }
  return attachAttestations(result, statements, settings.mode);
}

type Files = Awaited<ReturnType<typeof digestPlacedFiles>>;
type Subject = ReturnType<typeof manifestSubject> | undefined;

function provenance(
  input: ReleaseAttestationInput,
  platform: string,
  files: Files,
  builderId: string | undefined,
  subject: Subject,
): InTotoStatement {
  const { plan } = input;
  // `scratch` is no image: nothing was resolved (Dockerfile reference, FROM).
  const known = input.bases.get(platform);
  const base = known?.ref === SCRATCH ? undefined : known;
  return provenanceStatement({
    file: basename(plan.file),
    version: plan.version.normalized,
    image: input.image,
    platform,
    files,
    ...(base === undefined ? {} : { base }),
    ...(plan.created === undefined ? {} : { created: plan.created }),
    ...(builderId === undefined ? {} : { builderId }),
    ...(subject === undefined ? {} : { subject }),
  });
}

function sbom(
  input: ReleaseAttestationInput,
  platform: string,
  files: Files,
  subject: Subject,
): InTotoStatement {
  const statement = sbomStatement({
    image: input.image,
    version: input.plan.version.normalized,
    platform,
    files,
    tool: SBOM_TOOL,
    ...(input.plan.created === undefined ? {} : { created: input.plan.created }),
  });
  return subject === undefined ? statement : { ...statement, subject: [subject] };
}

function placedFiles(
  build: PlatformBuild | undefined,
): { source: string; target: string }[] {
  const files: { source: string; target: string }[] = [];
  for (const step of build?.steps ?? []) {
    if (step.kind !== 'layer') continue;
    for (const item of step.inputs) {
      if (!('source' in item)) continue;
      const path = item as PathInput;
      files.push({ source: path.source, target: path.destination });
    }
  }
  return files;
}
