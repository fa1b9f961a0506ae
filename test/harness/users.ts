import { randomBytes } from 'node:crypto';

/**
 * The test users of the `basic` and `token` registries and their passwords.
 *
 * Passwords are random per run and long and distinctive, so the secret scan
 * (test/secrets) can find them in any captured output without false hits.
 * `scripts/test.ts` makes them once and hands them to every test process in
 * `GANTRY_TEST_USERS`; a process started without it makes its own and puts
 * them into its environment, so processes it starts see the same ones.
 */
export interface TestUsers {
  /** May pull, push and delete everywhere. */
  alice: string;
  /** May only pull, even when it asks for push. */
  bob: string;
}

export const USERS_ENV = 'GANTRY_TEST_USERS';

/** 16 random bytes as hex: long enough that no output matches by chance. */
const PASSWORD_RANDOM_BYTES = 16;

function newPassword(): string {
  return `gantry-test-pw-${randomBytes(PASSWORD_RANDOM_BYTES).toString('hex')}`;
}

function loadUsers(): TestUsers {
  const fromEnv = process.env[USERS_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    const parsed = JSON.parse(fromEnv) as Partial<TestUsers>;
    if (typeof parsed.alice === 'string' && typeof parsed.bob === 'string') {
      return { alice: parsed.alice, bob: parsed.bob };
    }
    throw new Error(`${USERS_ENV} must be JSON {"alice": "...", "bob": "..."}`);
  }
  const users = { alice: newPassword(), bob: newPassword() };
  process.env[USERS_ENV] = JSON.stringify(users);
  return users;
}

export const TEST_USERS: TestUsers = loadUsers();

/** The users as a plain map, as `TestRegistry.users` carries them. */
export function userMap(): Record<string, string> {
  return { alice: TEST_USERS.alice, bob: TEST_USERS.bob };
}
