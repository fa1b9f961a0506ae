import type { Digest } from '../oci/digest.js';
import { type InTotoStatement, type JsonValue, STATEMENT_TYPE_V1 } from './statement.js';

/**
 * An SPDX 2.3 JSON document (spdx.github.io/spdx-spec/v2.3) of the files a
 * release placed in one platform image, carried as an in-toto statement
 * like BuildKit's SBOM attestations. Only gantry's own files are listed:
 * the base image's packages are its own SBOM's business.
 */

export const SPDX_PREDICATE_TYPE = 'https://spdx.dev/Document';

/**
 * SPDX 2.3 §6.9 requires a creation time; without the plan's time the
 * document uses the Unix epoch rather than the clock, to stay reproducible.
 */
export const SBOM_EPOCH_TIME = '1970-01-01T00:00:00Z';

/**
 * SPDX 2.3 §6.5: a URI unique to this document. It is derived from the
 * image, version and platform under a name gantry controls.
 */
export const SBOM_NAMESPACE_BASE = 'https://gantry.dev/spdx';

export interface SbomInput {
  image: string;
  version: string;
  platform: string;
  files: { path: string; digest: Digest }[];
  created?: string;
  /** Tool name and version for `creationInfo.creators`. */
  tool: string;
}

export function sbomStatement(input: SbomInput): InTotoStatement {
  const files = [...input.files].sort((a, b) => (a.path < b.path ? -1 : 1));
  const name = `${input.image}-${input.version}-${input.platform}`;
  const document: Record<string, JsonValue> = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name,
    documentNamespace: `${SBOM_NAMESPACE_BASE}/${encodeURIComponent(name)}`,
    creationInfo: {
      created: input.created ?? SBOM_EPOCH_TIME,
      creators: [`Tool: ${input.tool}`],
    },
    files: files.map((file, i) => ({
      fileName: file.path,
      SPDXID: `SPDXRef-File-${i + 1}`,
      checksums: [{ algorithm: 'SHA256', checksumValue: file.digest.hex }],
    })),
  };
  return {
    _type: STATEMENT_TYPE_V1,
    subject: [],
    predicateType: SPDX_PREDICATE_TYPE,
    predicate: document,
  };
}
