import { isIPv6 } from 'node:net';
import { ErrorCode, GantryError } from '../errors.js';
import { Digest } from '../oci/digest.js';

/**
 * The image reference grammar of distribution/reference (its `reference.go`
 * grammar comment) with Docker's normalisation (`ParseNormalizedNamed`),
 * written from the grammar:
 *
 *   reference      := name [ ":" tag ] [ "@" digest ]
 *   name           := [ domain "/" ] path-component [ "/" path-component ]*
 *   domain         := host [ ":" port-number ]
 *   host           := domain-name | IPv4address | "[" IPv6address "]"
 *   path-component := alpha-numeric [ separator alpha-numeric ]*
 *   separator      := /[_.]|__|[-]+/
 *   tag            := /[\w][\w.-]{0,127}/
 */

/** Docker Hub, as written in canonical references. */
export const DOCKER_HUB = 'docker.io';
/** Other names of Docker Hub that normalise to `docker.io`. */
export const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set([
  'index.docker.io',
  'registry-1.docker.io',
]);
/** Single-component Docker Hub names live under `library/` (official images). */
export const OFFICIAL_NAMESPACE = 'library';
/** What `docker pull alpine` means: a reference without tag or digest gets this tag. */
export const DEFAULT_TAG = 'latest';
/** distribution/reference `NameTotalLengthMax`: registry + "/" + repository. */
export const MAX_NAME_LENGTH = 255;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const TAG = /^\w[\w.-]{0,127}$/;
/** A bare 64-hex string is an image ID, never a name (Docker refuses it too). */
const IMAGE_ID = /^[a-f0-9]{64}$/;
const MAX_PORT = 65535;

export interface ReferenceParts {
  registry: string;
  repository: string;
  tag: string | undefined;
  digest: Digest | undefined;
}

export function referenceError(text: string, rule: string, hint?: string): GantryError {
  const shown = text.length > 100 ? `${text.slice(0, 97)}...` : text;
  return new GantryError(
    ErrorCode.InvalidReference,
    `invalid image reference ${JSON.stringify(shown)}: ${rule}`,
    {
      hint: hint ?? 'a reference looks like [registry[:port]/]repository[:tag][@digest]',
    },
  );
}

/**
 * Splits and validates `text`. The digest starts at the first `@`; a `:`
 * starts a tag only after the last `/` (so `host:5000/app` keeps its port).
 */
export function splitReference(text: string): ReferenceParts {
  if (IMAGE_ID.test(text)) {
    throw referenceError(text, 'a 64-character hex string is an image ID, not a name');
  }
  const at = text.indexOf('@');
  const beforeDigest = at < 0 ? text : text.slice(0, at);
  const digest = at < 0 ? undefined : checkDigest(text, text.slice(at + 1));

  const colon = beforeDigest.lastIndexOf(':');
  const hasTag = colon > beforeDigest.lastIndexOf('/');
  const name = hasTag ? beforeDigest.slice(0, colon) : beforeDigest;
  const tag = hasTag ? checkTag(text, beforeDigest.slice(colon + 1)) : undefined;

  const { registry, repository } = splitName(text, name);
  return { registry, repository, tag, digest };
}

/**
 * The first of several components is a registry only if it holds `.` or
 * `:`, is `localhost`, or has an upper-case letter (repositories cannot).
 */
export function isRegistryComponent(first: string): boolean {
  return /[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase();
}

/** Splits a name into registry and repository; Docker Hub when there is no registry. */
export function splitName(
  text: string,
  name: string,
): { registry: string; repository: string } {
  const slash = name.indexOf('/');
  const isRegistry = slash >= 0 && isRegistryComponent(name.slice(0, slash));
  const first = name.slice(0, Math.max(slash, 0));

  let registry = isRegistry ? checkDomain(text, first) : DOCKER_HUB;
  if (DOCKER_HUB_ALIASES.has(registry.toLowerCase())) registry = DOCKER_HUB;
  let repository = isRegistry ? name.slice(slash + 1) : name;
  if (registry === DOCKER_HUB && !repository.includes('/')) {
    repository = `${OFFICIAL_NAMESPACE}/${repository}`;
  }

  checkRepository(text, repository);
  if (registry.length + 1 + repository.length > MAX_NAME_LENGTH) {
    throw referenceError(text, `the name is longer than ${MAX_NAME_LENGTH} characters`);
  }
  return { registry, repository };
}

export function checkRepository(text: string, repository: string): void {
  if (repository !== repository.toLowerCase()) {
    throw referenceError(
      text,
      `repository name "${repository}" must be lowercase`,
      'only tags may hold upper-case letters; write the repository in lower case',
    );
  }
  for (const component of repository.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      throw referenceError(
        text,
        `repository path component "${component}" is not valid`,
        'use lowercase letters and digits joined by ".", "_", "__" or dashes',
      );
    }
  }
}

export function checkTag(text: string, tag: string): string {
  if (!TAG.test(tag)) {
    throw referenceError(
      text,
      `tag "${tag}" is not valid`,
      'a tag is 1 to 128 letters, digits, "_", "." or "-", not starting with "." or "-"',
    );
  }
  return tag;
}

function checkDigest(text: string, digest: string): Digest {
  try {
    return Digest.parse(digest);
  } catch (cause) {
    throw new GantryError(
      ErrorCode.InvalidReference,
      `invalid image reference ${JSON.stringify(text)}: digest "${digest}" is not valid`,
      { hint: 'a digest looks like sha256:<64 lowercase hex digits>', cause },
    );
  }
}

/** domain := host [":" port]; host := domain-name | IPv4 | "[" IPv6 "]". */
function checkDomain(text: string, domain: string): string {
  const portMatch = /:([0-9]+)$/.exec(domain);
  const host = portMatch === null ? domain : domain.slice(0, portMatch.index);
  if (portMatch !== null && Number(portMatch[1]) > MAX_PORT) {
    throw referenceError(text, `port ${portMatch[1]} is out of range`);
  }
  const valid =
    host.startsWith('[') && host.endsWith(']')
      ? isIPv6(host.slice(1, -1))
      : host.split('.').every((part) => DOMAIN_COMPONENT.test(part));
  if (!valid) {
    throw referenceError(text, `registry "${domain}" is not a valid host[:port]`);
  }
  checkUrlHost(text, domain, host);
  return domain;
}

/**
 * A name the grammar allows can still be no host a URL can hold: WHATWG URL
 * (which every HTTP request goes through) reads a name whose last label is
 * a number as an IPv4 address, so `127.0.0.1.5000`, `localhost.5000` or
 * `10.0.0.256` fail there, and `127.1` or `0x7f.0.0.1` become `127.0.0.1`
 * (and would then not be known as loopback). Refused here, where the
 * reference is read, with what was likely meant.
 */
function checkUrlHost(text: string, domain: string, host: string): void {
  if (host.startsWith('[')) return;
  const last = host.slice(host.lastIndexOf('.') + 1);
  if (!/^(?:0x[0-9a-f]*|[0-9]+)$/i.test(last)) return;
  const port = domain.slice(host.length);
  if (URL.canParse(`http://${domain}/`)) {
    const canonical = new URL(`http://${domain}/`).hostname;
    if (canonical === host) return;
    throw referenceError(
      text,
      `registry "${domain}" is read as the IPv4 address ${canonical}`,
      `write it as four decimal numbers: ${canonical}${port}`,
    );
  }
  const rest = host.slice(0, host.length - last.length - 1);
  const meant =
    rest !== '' && /^[0-9]+$/.test(last) && port === '' && URL.canParse(`http://${rest}/`)
      ? ` (did you mean ${rest}:${last}?)`
      : '';
  throw referenceError(
    text,
    `registry "${domain}" is not a valid host: a name ending in a number ` +
      `is read as an IPv4 address, and this one is not${meant}`,
    'write the port after a colon (host:port), and an IPv4 address as four numbers 0-255',
  );
}
