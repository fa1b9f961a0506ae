import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';
import {
  type KeyPair,
  makeCertificateAuthority,
  makeServerCertificate,
} from './certs.js';
import { trackTempDir } from './lifecycle.js';
import { REGISTRY_BINARY } from './registry-process.js';
import { userMap } from './users.js';

/**
 * What the test registries need before they start: the binary, a temp dir,
 * TLS certificates and an htpasswd file.
 */

/** Low bcrypt cost: test passwords need no brute-force resistance, and the
 * registry checks the hash on every request. */
const BCRYPT_COST = 5;

const INSTALL_COMMAND =
  'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ' +
  'docker-registry skopeo umoci';

let root: string | undefined;
let tlsPair: Promise<{ ca: KeyPair; server: KeyPair }> | undefined;
let installed: Promise<void> | undefined;

/** The temp dir of this process's registries (made again after a stopAll). */
export function rootDir(): string {
  if (root === undefined || !existsSync(root)) {
    root = mkdtempSync(join(tmpdir(), 'gantry-registries-'));
    trackTempDir(root);
    tlsPair = undefined;
  }
  return root;
}

/** Installs the registry when running as root, else says how to. */
export function ensureRegistryBinary(): Promise<void> {
  if (existsSync(REGISTRY_BINARY)) return Promise.resolve();
  if (process.getuid?.() !== 0) {
    return Promise.reject(
      new Error(
        `${REGISTRY_BINARY} is missing; install it with: sudo sh -c '${INSTALL_COMMAND}'`,
      ),
    );
  }
  installed ??= promisify(execFile)('sh', ['-c', INSTALL_COMMAND], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  }).then(() => undefined);
  return installed;
}

/** The CA and server certificate shared by this process's tls registries. */
export function tlsCertificates(): Promise<{ ca: KeyPair; server: KeyPair }> {
  if (tlsPair === undefined) {
    const dir = join(rootDir(), 'tls');
    mkdirSync(dir);
    tlsPair = makeCertificateAuthority(dir).then(async (ca) => ({
      ca,
      server: await makeServerCertificate(dir, ca),
    }));
  }
  return tlsPair;
}

/** An htpasswd file with bcrypt hashes (the only kind distribution accepts). */
export function writeHtpasswd(file: string): void {
  const lines = Object.entries(userMap()).map(
    ([user, password]) => `${user}:${bcrypt.hashSync(password, BCRYPT_COST)}`,
  );
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
}
