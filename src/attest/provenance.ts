import type { Digest } from '../oci/digest.js';
import {
  type InTotoStatement,
  type JsonValue,
  type ResourceDescriptor,
  STATEMENT_TYPE_V1,
} from './statement.js';

/**
 * SLSA provenance v1 (slsa.dev/spec/v1.0/provenance) for one platform image
 * of a release, as an in-toto Statement v1. Only what the release file and
 * the build decided goes in: the file's name (never its folder), the
 * version, image and platform, the base image and the placed files with
 * their digests. Destinations stay out: the same release rehearsed with
 * `--to` elsewhere must give the same digests as every destination of
 * the release (DESIGN.md: the same digests everywhere), and where bytes
 * go does not change what they are. No credential, environment variable
 * or host path is read here, so none can reach the statement. Times come
 * from the plan's `created`, so two runs of one release give the same
 * bytes.
 */

export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';

/**
 * provenance.md, "buildType": a URI naming the template the external
 * parameters follow; versioned so a later layout can get a new one.
 */
export const GANTRY_RELEASE_BUILD_TYPE = 'https://gantry.dev/release/v1';

/**
 * provenance.md, "builder.id": who ran the build. Nothing trusted is known
 * about the machine a release runs on, so the default names the tool; a CI
 * system that vouches for its runners passes its own id.
 */
export const DEFAULT_BUILDER_ID = 'https://gantry.dev/builder/local';

export interface ProvenanceInput {
  /** The release file's name, as the plan records it. */
  file: string;
  version: string;
  image: string;
  platform: string;
  /** The platform image's base; absent for `scratch`. */
  base?: { ref: string; digest: Digest };
  /** Files placed in the image: path in the image and content digest. */
  files: { path: string; digest: Digest }[];
  /** RFC 3339: the plan's time; absent leaves the run times out. */
  created?: string;
  builderId?: string;
  /** Referrers mode names the platform manifest; inside an index it stays empty. */
  subject?: ResourceDescriptor;
}

export function provenanceStatement(input: ProvenanceInput): InTotoStatement {
  const externalParameters: Record<string, JsonValue> = {
    file: input.file,
    version: input.version,
    image: input.image,
    platform: input.platform,
  };
  const resolvedDependencies: JsonValue[] = [];
  if (input.base !== undefined) {
    resolvedDependencies.push(baseDependency(input.base, input.platform));
  }
  for (const file of [...input.files].sort((a, b) => compare(a.path, b.path))) {
    resolvedDependencies.push(digestOf(file.path, file.digest));
  }

  return {
    _type: STATEMENT_TYPE_V1,
    subject: input.subject === undefined ? [] : [input.subject],
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: GANTRY_RELEASE_BUILD_TYPE,
        externalParameters,
        resolvedDependencies,
      },
      runDetails: {
        builder: { id: input.builderId ?? DEFAULT_BUILDER_ID },
        metadata: runMetadata(input),
      },
    },
  };
}

/**
 * provenance.md, "BuildMetadata": the invocation id is derived from the
 * release, not random, so a repeated run writes the same statement.
 */
function runMetadata(input: ProvenanceInput): Record<string, JsonValue> {
  const invocationId = `${input.file}#${input.version}/${input.image}/${input.platform}`;
  if (input.created === undefined) return { invocationId };
  return { invocationId, startedOn: input.created, finishedOn: input.created };
}

/** A base image as a package URL (purl-spec, type `docker`), as BuildKit names it. */
function baseDependency(base: { ref: string; digest: Digest }, platform: string) {
  const { repository, tag } = splitTag(base.ref);
  const name = repository.split('/').map(encodeURIComponent).join('/');
  const version = tag === undefined ? '' : `@${encodeURIComponent(tag)}`;
  const uri = `pkg:docker/${name}${version}?platform=${encodeURIComponent(platform)}`;
  return { uri, digest: { [base.digest.algorithm]: base.digest.hex } };
}

function digestOf(name: string, digest: Digest): JsonValue {
  return { name, digest: { [digest.algorithm]: digest.hex } };
}

/** `host:port/repo:tag` → repository and tag; a `@digest` part is left out. */
function splitTag(ref: string): { repository: string; tag?: string } {
  const withoutDigest = ref.split('@')[0]!;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon <= slash) return { repository: withoutDigest };
  return {
    repository: withoutDigest.slice(0, colon),
    tag: withoutDigest.slice(colon + 1),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
