/** The registry part: the distribution API client and what it is built on. */

export { type BlobDescriptor, getBlob, headBlob, MAX_BLOB_RESUMES } from './blobs.js';
export { type ClientSession, RegistryClient, type SessionFactory } from './client.js';
export {
  type Credential,
  type CredentialPurpose,
  type CredentialStore,
  chainCredentials,
  credentialsFromEnv,
  MAX_STDIN_PASSWORD_BYTES,
  readPasswordFromStdin,
  StaticCredentials,
} from './credentials.js';
export { DockerConfigCredentials, type DockerConfigOptions } from './docker-config.js';
export {
  deleteManifest,
  findManifest,
  getManifest,
  headManifest,
  type ManifestBytes,
  putManifest,
} from './manifests.js';
export {
  MAX_REFERRER_PAGES,
  putReferrerFallback,
  type ReferrersOptions,
  referrers,
} from './referrers.js';
export { RegistryError, type RegistryErrorEntry } from './registry-error.js';
export { createSession, type SessionOptions } from './session.js';
export {
  type ListTagsOptions,
  listTags,
  MAX_TAG_PAGE_BYTES,
  MAX_TAG_PAGES,
} from './tags.js';
export {
  DEFAULT_TRANSPORT_TIMEOUTS,
  HEADERS_TIMEOUT_MS,
  type TransportTimeouts,
  UPLOAD_HEADERS_TIMEOUT_MS,
} from './transport.js';
export type * from './types.js';
export {
  type BlobSource,
  cancelUpload,
  DEFAULT_CHUNK_SIZE,
  MAX_UPLOAD_RESUMES,
  MONOLITHIC_LIMIT,
  mountBlob,
  startUpload,
  type UploadOptions,
  uploadBlob,
} from './upload.js';
