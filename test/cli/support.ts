import { randomBytes } from 'node:crypto';
import { parseReference } from '../../src/reference/index.js';
import type { Reference } from '../../src/reference/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { StaticCredentials } from '../../src/registry/credentials.js';
import type { TestRegistry } from '../harness/registries.js';
import { TEST_USERS } from '../harness/users.js';

/**
 * Shared set-up of the CLI tests: a library client that can seed images
 * into each kind of test registry, and the `gantry` flags and stdin that
 * reach the same registry as alice.
 */

/** A fresh repository per test, so tests sharing a registry never collide. */
export function uniqueRepository(registry: TestRegistry, label: string): string {
  return `${registry.host}/cli-test/${label}-${randomBytes(4).toString('hex')}`;
}

export function ref(text: string): Reference {
  return parseReference(text);
}

/** A client acting as alice (push, pull, delete) on `registry`. */
export function seedingClient(registry: TestRegistry): RegistryClient {
  const credentials = new StaticCredentials();
  if (registry.users !== undefined) {
    credentials.set(registry.host, { username: 'alice', password: TEST_USERS.alice });
  }
  const caFiles: Record<string, string> =
    registry.caFile === undefined ? {} : { [registry.host]: registry.caFile };
  return new RegistryClient({ credentials, caFiles });
}

/** Global flags and stdin for running `gantry` against `registry` as `user`. */
export function access(
  registry: TestRegistry,
  user: 'alice' | 'bob' = 'alice',
  password: string = TEST_USERS[user],
): { flags: string[]; input?: string } {
  const flags =
    registry.caFile === undefined
      ? []
      : ['--ca-file', `${registry.host}=${registry.caFile}`];
  if (registry.users === undefined) return { flags };
  return {
    flags: [...flags, '--username', user, '--password-stdin'],
    input: `${password}\n`,
  };
}
