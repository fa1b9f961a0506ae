import { isGantryError } from '../../src/errors.js';
import { MemoryLogger } from '../../src/log.js';
import { SecretRegistry } from '../../src/registry/redact.js';
import {
  createSession,
  type Session,
  type SessionOptions,
} from '../../src/registry/session.js';
import { captureText } from '../harness/cli.js';

/**
 * Sessions for tests: every one logs into a MemoryLogger, and everything it
 * logged, and every error message a test saw, goes to the secret scan.
 */

export interface TracedSession {
  session: Session;
  logger: MemoryLogger;
  secrets: SecretRegistry;
  /** Debug lines of requests sent (`http > METHOD URL ...`). */
  sent(): string[];
  close(): Promise<void>;
}

const open = new Set<TracedSession>();

export function tracedSession(
  label: string,
  registry: string,
  options: SessionOptions = {},
): TracedSession {
  const logger = new MemoryLogger();
  const secrets = options.secrets ?? new SecretRegistry();
  const session = createSession(registry, { logger, secrets, ...options });
  const traced: TracedSession = {
    session,
    logger,
    secrets,
    sent: () => logger.messages('debug').filter((line) => line.startsWith('http > ')),
    async close() {
      open.delete(traced);
      captureText(`${label} trace`, logger.lines.map((l) => l.message).join('\n'));
      await session.close();
    },
  };
  open.add(traced);
  return traced;
}

export async function closeAll(): Promise<void> {
  await Promise.all([...open].map((traced) => traced.close()));
}

/** Runs `fn`, expecting a GantryError; captures and returns it. */
export async function expectError(label: string, fn: () => Promise<unknown>) {
  try {
    await fn();
  } catch (error) {
    if (!isGantryError(error)) throw error;
    captureText(label, `${error.code} ${error.message}\n${error.hint ?? ''}`);
    return error;
  }
  throw new Error(`${label}: expected an error, got none`);
}
