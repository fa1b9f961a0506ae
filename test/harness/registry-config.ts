import { randomBytes } from 'node:crypto';

/**
 * The config.yml of one test registry (distribution 2.8, docs/configuration.md).
 * Written from scratch: the Debian stock config turns on htpasswd auth with a
 * directory as its file and stores data under /var/lib.
 */

export interface RegistryConfigOptions {
  port: number;
  dataDir: string;
  tls?: { certFile: string; keyFile: string };
  htpasswdFile?: string;
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
  /** `http.relativeurls`: Location headers as `/v2/...` instead of absolute. */
  relativeUrls?: boolean;
}

/** Paths and URLs as YAML double-quoted scalars (a JSON string is one). */
const q = (value: string): string => JSON.stringify(value);

export function registryConfig(options: RegistryConfigOptions): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${q(options.dataDir)}`,
    // Tests delete manifests and blobs; distribution disables deletes by default.
    '  delete:',
    '    enabled: true',
    // Upload purging runs a background sweep; tests never leave uploads that long.
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${options.port}`,
    // Set so the registry does not warn about a random one; one instance only.
    `  secret: ${q(randomBytes(16).toString('hex'))}`,
    `  relativeurls: ${options.relativeUrls === true}`,
  ];
  if (options.tls !== undefined) {
    lines.push(
      '  tls:',
      `    certificate: ${q(options.tls.certFile)}`,
      `    key: ${q(options.tls.keyFile)}`,
    );
  }
  if (options.htpasswdFile !== undefined) {
    lines.push(
      'auth:',
      '  htpasswd:',
      '    realm: gantry-test-basic',
      `    path: ${q(options.htpasswdFile)}`,
    );
  }
  if (options.token !== undefined) {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${q(options.token.realm)}`,
      `    service: ${q(options.token.service)}`,
      `    issuer: ${q(options.token.issuer)}`,
      `    rootcertbundle: ${q(options.token.rootCertBundle)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
