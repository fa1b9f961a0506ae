/** Image references: parsing, Docker normalisation and canonical forms. */
export {
  DEFAULT_TAG,
  DOCKER_HUB,
  DOCKER_HUB_ALIASES,
  MAX_NAME_LENGTH,
  OFFICIAL_NAMESPACE,
} from './grammar.js';
export { assertTaggable, parseReference, parseRepository } from './parse.js';
export { DOCKER_HUB_API_HOST, Reference } from './reference.js';
