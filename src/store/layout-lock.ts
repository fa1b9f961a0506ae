import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, GantryError } from '../errors.js';

/**
 * A lock on a layout's `index.json`, so that writers in several processes
 * each read, change and replace it in turn and none loses another's entry.
 * The lock is a file created with O_EXCL (`wx`), which exactly one creator
 * wins on local filesystems and NFSv3+. Losers retry with a growing,
 * jittered delay until LOCK_TIMEOUT_MS. A lock file older than
 * STALE_LOCK_MS, or left by a dead process on this host, was left by a
 * crashed writer and is broken.
 */

/** Beside index.json, dot-named so tools listing the layout pass it by. */
export const LOCK_FILE_NAME = '.index.json.lock';
/**
 * How long a writer waits for the lock. Holders only read and rewrite
 * index.json (milliseconds), so waiting this long means something is wrong.
 */
export const LOCK_TIMEOUT_MS = 30_000;
/** A lock older than this was left by a crash: twice the longest wait. */
export const STALE_LOCK_MS = 2 * LOCK_TIMEOUT_MS;
/** First retry delay; doubled each time up to LOCK_RETRY_MAX_MS. */
export const LOCK_RETRY_FIRST_MS = 2;
/** Longest retry delay: short enough that a free lock is taken soon. */
export const LOCK_RETRY_MAX_MS = 100;

interface LockOwner {
  pid: number;
  host: string;
  token: string;
}

/** Runs `action` holding the layout's lock; the lock is released after. */
export async function withLayoutLock<T>(
  layoutPath: string,
  action: () => Promise<T>,
): Promise<T> {
  const lockPath = join(layoutPath, LOCK_FILE_NAME);
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    token: randomBytes(12).toString('hex'),
  };
  await acquire(lockPath, owner);
  try {
    return await action();
  } finally {
    await release(lockPath, owner);
  }
}

async function acquire(lockPath: string, owner: LockOwner): Promise<void> {
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  let delay = LOCK_RETRY_FIRST_MS;

  for (;;) {
    if (await tryCreate(lockPath, owner)) return;
    await breakIfStale(lockPath);
    if (Date.now() > deadline) throw locked(lockPath);

    // Full jitter keeps two waiting writers from retrying in step.
    await sleep(Math.ceil(Math.random() * delay));
    delay = Math.min(delay * 2, LOCK_RETRY_MAX_MS);
  }
}

async function tryCreate(lockPath: string, owner: LockOwner): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx');
    try {
      await handle.writeFile(JSON.stringify(owner));
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if (codeOf(error) === 'EEXIST') return false;
    throw new GantryError(ErrorCode.InvalidLayout, `cannot create the lock ${lockPath}`, {
      hint: 'check that the layout folder exists and is writable',
      cause: error,
    });
  }
}

/**
 * Breaks a stale lock without breaking a fresh one: the lock is renamed
 * aside (atomic), and if what was moved is not the stale lock that was
 * judged (another writer broke it and took a new one meanwhile), it is
 * linked back, which fails rather than overwrite a newer lock.
 */
async function breakIfStale(lockPath: string): Promise<void> {
  const judged = await readLock(lockPath);
  if (judged === undefined || !(await isStale(lockPath, judged.owner))) return;

  const aside = `${lockPath}.stale-${randomBytes(6).toString('hex')}`;
  if (!(await ignoreMissing(rename(lockPath, aside)))) return;
  const moved = await readLock(aside);
  if (moved?.text !== judged.text) await ignoreMissing(link(aside, lockPath), 'EEXIST');
  await ignoreMissing(unlink(aside));
}

async function isStale(lockPath: string, owner: LockOwner | undefined): Promise<boolean> {
  if (owner !== undefined && owner.host === hostname() && !isAlive(owner.pid))
    return true;
  const info = await stat(lockPath).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > STALE_LOCK_MS;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return codeOf(error) === 'EPERM';
  }
}

async function readLock(
  path: string,
): Promise<{ text: string; owner: LockOwner | undefined } | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const owner = JSON.parse(text) as LockOwner;
    return { text, owner: typeof owner.pid === 'number' ? owner : undefined };
  } catch {
    // Being written right now, or not ours: judged by age alone.
    return { text, owner: undefined };
  }
}

async function release(lockPath: string, owner: LockOwner): Promise<void> {
  const held = await readLock(lockPath);
  if (held?.owner?.token === owner.token) await ignoreMissing(unlink(lockPath));
}

/** True when `operation` succeeded; false when it failed with an expected code. */
async function ignoreMissing(operation: Promise<void>, also?: string): Promise<boolean> {
  try {
    await operation;
    return true;
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ENOENT' || code === also) return false;
    throw error;
  }
}

function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function locked(lockPath: string): GantryError {
  return new GantryError(
    ErrorCode.LayoutLocked,
    `the layout is locked by another writer: ${lockPath} ` +
      `stayed for ${LOCK_TIMEOUT_MS} ms`,
    { hint: `if no other gantry is writing this layout, remove ${lockPath}` },
  );
}
