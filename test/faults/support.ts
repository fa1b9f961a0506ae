import assert from 'node:assert/strict';
import { after } from 'node:test';
import { ErrorCode, isGantryError } from '../../src/errors.js';
import type { Digest } from '../../src/oci/digest.js';
import type { WriteTarget } from '../../src/store/target.js';
import { assertComplete } from '../copy/support.js';
import type { Fault, FaultRule, RequestKind } from '../harness/fault-proxy.js';

/**
 * Shared checks of the fault scenarios: what every outcome must hold, and
 * the count printed at the end of each file.
 */

/** Retries come fast and few, so a scenario fails or heals in moments. */
export const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
/**
 * A stalled request gives up after this long instead of minutes; uploads
 * too, as the proxy holds a stalled upload's answer back just the same.
 */
export const SHORT_TIMEOUTS = { headersMs: 400, uploadHeadersMs: 400 };

/** Which faults make sense on each request kind's answers. */
export const FAULTS_BY_KIND: Record<'source' | 'destination', [RequestKind, Fault[]][]> =
  {
    destination: [
      ['blob-upload', ['reset-request', 'status-500', 'status-502', 'status-503']],
      ['blob-upload', ['throttle', 'stall']],
      ['blob-upload-data', ['reset-request', 'status-500', 'status-503', 'stall']],
      ['manifest-put', ['reset-request', 'reset-response', 'status-500', 'status-503']],
      ['manifest-put', ['throttle', 'stall']],
    ],
    source: [
      ['blob-download', ['reset-response', 'status-500', 'status-502', 'status-503']],
      ['blob-download', ['throttle', 'stall', 'truncate', 'corrupt', 'redirect']],
      ['manifest-get', ['reset-response', 'status-502', 'throttle', 'stall']],
      ['manifest-get', ['truncate', 'corrupt']],
    ],
  };

/** Every (side, rule) pair a scenario file runs. */
export function scenarioRules(side: 'source' | 'destination'): FaultRule[] {
  return FAULTS_BY_KIND[side].flatMap(([kind, faults]) =>
    faults.map((fault) => ({ kind, fault })),
  );
}

export const tally = {
  scenarios: 0,
  held: 0,
  faults: 0,
  failedCleanly: 0,
  /** Scenarios faulting a request that carries blob bytes (PATCH, PUT). */
  uploadData: 0,
};

/** Prints the tally of one file when it ends. */
export function printTallyAfter(what: string): void {
  after(() => {
    const { scenarios, held, faults, failedCleanly, uploadData } = tally;
    console.log(
      `faults: ${what}: ${scenarios} scenarios ` +
        `(${uploadData} on upload requests carrying blob bytes), ` +
        `${faults} faults injected, ` +
        `${held === scenarios ? 'all held' : `${scenarios - held} did NOT hold`} ` +
        `(${scenarios - failedCleanly} completed despite the fault, ` +
        `${failedCleanly} failed cleanly and completed on a re-run)`,
    );
    for (const failure of failures) console.log(`faults:   ${failure.slice(0, 200)}`);
  });
}

/**
 * A failure must be a GantryError with a specific code that names the side
 * and the digest it was moving.
 */
export function assertCleanFailure(error: unknown, side: 'source' | 'destination'): void {
  assert.ok(isGantryError(error), `not a GantryError: ${String(error)}`);
  assert.notEqual(error.code, ErrorCode.Internal, error.message);
  assert.equal(error.side, side, `side of: ${error.message}`);
  assert.match(error.message, new RegExp(`^${side}: `));
  assert.match(error.message, /sha256:[0-9a-f]{64}/, `digest in: ${error.message}`);
  failures.push(`${error.code} ${error.message}`);
}

/** The messages of the clean failures, for the summary. */
export const failures: string[] = [];

/** Every tag of `target` names a complete graph. */
export async function assertEveryTagComplete(target: WriteTarget): Promise<string[]> {
  const tags = await target.tags();
  for (const tag of tags) {
    const descriptor = await target.resolve(tag);
    await assertComplete(target, descriptor);
  }
  return tags;
}

export function sameDigest(actual: Digest, expected: string): void {
  assert.equal(`${actual}`, expected);
}
