/** Attestations: in-toto statements (SLSA provenance, SPDX SBOM) and their carriage. */
export {
  type AttestationMode,
  attachAttestations,
  pushContent,
  type StatementsByManifest,
} from './attach.js';
export { digestPlacedFiles, type PlacedFile } from './files.js';
export {
  ATTESTATION_PLATFORM,
  type AttestationContent,
  attestationEntry,
  attestationManifest,
  PREDICATE_TYPE_ANNOTATION,
  referrerArtifact,
} from './manifest.js';
export {
  DEFAULT_BUILDER_ID,
  GANTRY_RELEASE_BUILD_TYPE,
  type ProvenanceInput,
  provenanceStatement,
  SLSA_PROVENANCE_V1,
} from './provenance.js';
export {
  type AttestationSettings,
  attestRelease,
  type ReleaseAttestationInput,
} from './release.js';
export { type SbomInput, SPDX_PREDICATE_TYPE, sbomStatement } from './sbom.js';
export { AttestedStaging } from './staging.js';
export {
  canonicalJson,
  encodeStatement,
  type InTotoStatement,
  manifestSubject,
  type ResourceDescriptor,
  STATEMENT_TYPE_V1,
} from './statement.js';
