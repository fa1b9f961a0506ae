import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Test certificates made with the openssl CLI at test time: nothing secret or
 * long-lived is kept in the repository. All keys are EC P-256, which both Go's
 * TLS stack and the registry's token verifier (ES256) accept.
 */

const run = promisify(execFile);

/** Certificates only have to outlive one test run. */
const CERT_DAYS = '2';

const EC_P256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface KeyPair {
  keyFile: string;
  certFile: string;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim()}`, { cause: error });
  }
}

/** A self-signed EC P-256 certificate and its key, `NAME.key`/`NAME.crt`. */
async function selfSigned(
  dir: string,
  name: string,
  subject: string,
  extensions: string[] = [],
): Promise<KeyPair> {
  const pair = { keyFile: join(dir, `${name}.key`), certFile: join(dir, `${name}.crt`) };
  await openssl([
    'req',
    '-x509',
    ...EC_P256,
    '-days',
    CERT_DAYS,
    '-keyout',
    pair.keyFile,
    '-out',
    pair.certFile,
    '-subj',
    subject,
    ...extensions.flatMap((extension) => ['-addext', extension]),
  ]);
  return pair;
}

/** A self-signed CA for the `tls` registry's server certificate. */
export function makeCertificateAuthority(dir: string): Promise<KeyPair> {
  return selfSigned(dir, 'ca', '/CN=gantry-test-ca', [
    'basicConstraints=critical,CA:TRUE',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

/** A server certificate for `localhost` and `127.0.0.1`, signed by `ca`. */
export async function makeServerCertificate(dir: string, ca: KeyPair): Promise<KeyPair> {
  const pair = { keyFile: join(dir, 'tls.key'), certFile: join(dir, 'tls.crt') };
  const csrFile = join(dir, 'tls.csr');
  const extFile = join(dir, 'tls.ext');
  await writeFile(
    extFile,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '',
    ].join('\n'),
  );
  await openssl([
    'req',
    ...EC_P256,
    '-keyout',
    pair.keyFile,
    '-out',
    csrFile,
    '-subj',
    '/CN=localhost',
  ]);
  await openssl([
    'x509',
    '-req',
    '-in',
    csrFile,
    '-CA',
    ca.certFile,
    '-CAkey',
    ca.keyFile,
    '-CAcreateserial',
    '-days',
    CERT_DAYS,
    '-extfile',
    extFile,
    '-out',
    pair.certFile,
  ]);
  return pair;
}

/**
 * A self-signed key pair for signing tokens: the registry trusts the
 * certificate through `auth.token.rootcertbundle`, and each token carries it
 * in its `x5c` header.
 */
export function makeTokenSigningCertificate(dir: string): Promise<KeyPair> {
  return selfSigned(dir, 'token', '/CN=gantry-test-token-issuer');
}
