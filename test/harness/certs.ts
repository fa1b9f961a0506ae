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

/** A self-signed CA for the `tls` registry's server certificate. */
export async function makeCertificateAuthority(dir: string): Promise<KeyPair> {
  const pair = { keyFile: join(dir, 'ca.key'), certFile: join(dir, 'ca.crt') };
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
    '/CN=gantry-test-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return pair;
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
export async function makeTokenSigningCertificate(dir: string): Promise<KeyPair> {
  const pair = { keyFile: join(dir, 'token.key'), certFile: join(dir, 'token.crt') };
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
    '/CN=gantry-test-token-issuer',
  ]);
  return pair;
}
