import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { ErrorCode, GantryError } from '../errors.js';
import { parseReference, parseRepository } from '../reference/parse.js';
import { parseDestination } from '../release/execute-targets.js';
import { readReleaseFile } from '../release/file.js';
import { assertDistinctDestinations } from '../release/file-destinations.js';
import {
  gatherPlanInputs,
  inputsFromRecord,
  withDestinations,
} from '../release/inputs.js';
import { planRelease } from '../release/plan.js';
import type { ReleasePlan } from '../release/plan-types.js';
import { DEFAULT_RECORD_FILE, type ReleaseRecord } from '../release/record.js';
import { readRecordFile } from '../release/rollback-read.js';
import {
  parseAnnotationRule,
  type VerifyPolicy,
  verifyPolicy,
} from '../verify/policy.js';
import { verifyRelease } from '../verify/release.js';
import { renderVerifyReport } from '../verify/render.js';
import type { VerifyReport } from '../verify/types.js';
import type { CommandContext } from './context.js';
import { isRegistryReference } from './copy-names.js';
import { writeJson, writeLine } from './io.js';
import type { Runner } from './main.js';
import { usageError } from './options.js';

/**
 * `gantry verify [RELEASE_FILE]`: reads a published release back from every
 * destination of its record and checks it against the record and, given
 * the release file, the plan. With policy flags, `gantry verify REF`
 * checks any image. Exit 0 when everything holds, 7 otherwise.
 */

interface VerifyFlags {
  record?: string;
  /** Replaces the destinations the record names, like `release --to`. */
  to?: string[];
  policy?: string;
  requirePlatform?: string[];
  requireAnnotation?: string[];
  ociOnly?: boolean;
  requireAttestations?: boolean;
  blobs: boolean;
}

/** The body of `gantry verify` (see verify.ts), loaded when it runs. */
export async function runVerify(
  run: Runner,
  target: string | undefined,
  flags: VerifyFlags,
  command: Command,
): Promise<void> {
  const policy = await policyOf(flags);
  if (policy !== undefined) {
    if (target === undefined) throw usageError('policy checks need an image reference');
    const registries = isRegistryReference(target)
      ? [parseReference(target).registry]
      : [];
    await run(command, registries, async (context) =>
      finish(context, await verifyPolicy(target, policy, context)),
    );
    return;
  }
  const recordFile = flags.record ?? DEFAULT_RECORD_FILE;
  const record = await readRecordFile(recordFile);
  if (record.complete === false) {
    throw new GantryError(
      ErrorCode.VerifyFailed,
      `record ${recordFile} is of an interrupted release: it was never finished`,
      { hint: 'run the same gantry release again to finish it, then verify' },
    );
  }
  const to = destinationsOf(flags.to);
  const checked = to ?? record.tags.map((tag) => tag.destination);
  await run(command, registriesOf(checked), async (context) => {
    const plan =
      target === undefined ? undefined : await planOf(context, target, record, to);
    const options = {
      client: context.client,
      skipBlobs: !flags.blobs,
      ...(target !== undefined && { baseDir: dirname(resolve(target)) }),
      ...(to !== undefined && { destinations: to }),
    };
    finish(context, await verifyRelease(record, { ...options, ...(plan && { plan }) }));
  });
}

/**
 * The `--to` destinations, which replace the record's, each as named once
 * parsed so that the plan and the checks name it alike.
 */
function destinationsOf(to: string[] | undefined): string[] | undefined {
  if (to === undefined || to.length === 0) return undefined;
  const destinations = to.map(parseDestination);
  assertDistinctDestinations(destinations);
  return destinations.map((destination) => destination.name);
}

async function policyOf(flags: VerifyFlags): Promise<VerifyPolicy | undefined> {
  const fromFile: VerifyPolicy =
    flags.policy === undefined ? {} : await readPolicyFile(flags.policy);
  const policy: VerifyPolicy = {
    ...fromFile,
    ...(flags.requirePlatform && { requirePlatforms: flags.requirePlatform }),
    ...(flags.requireAnnotation && {
      requireAnnotations: Object.fromEntries(
        flags.requireAnnotation.map(parseAnnotationRule),
      ),
    }),
    ...(flags.ociOnly && { ociOnly: true }),
    ...(flags.requireAttestations && { requireAttestations: true }),
  };
  return flags.policy === undefined && Object.keys(policy).length === 0
    ? undefined
    : policy;
}

async function readPolicyFile(path: string): Promise<VerifyPolicy> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw policyError(path, cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw policyError(path);
  }
  return value as VerifyPolicy;
}

function policyError(path: string, cause?: unknown): GantryError {
  return new GantryError(ErrorCode.Usage, `policy file ${path} is not a JSON object`, {
    hint: 'see gantry verify --help for the policy keys',
    ...(cause === undefined ? {} : { cause }),
  });
}

function registriesOf(destinations: string[]): string[] {
  const names = destinations.filter(isRegistryReference);
  return [...new Set(names.map((name) => parseRepository(name).registry))];
}

/**
 * The plan of the recorded release: the release file with the record's
 * inputs (version, git facts, SOURCE_DATE_EPOCH), never today's HEAD or
 * environment, to the destinations the record names (or `--to`). A format 1
 * record has no inputs: its plan reads them as the release did.
 */
async function planOf(
  context: CommandContext,
  path: string,
  record: ReleaseRecord,
  to: string[] | undefined,
): Promise<ReleasePlan> {
  const names = to ?? record.destinations.map((destination) => destination.name);
  const file = withDestinations(await readReleaseFile(path), names);
  const inputs =
    record.inputs === undefined
      ? await gatherPlanInputs(file, {
          cwd: dirname(resolve(path)),
          env: context.io.env,
          version: record.version,
        })
      : inputsFromRecord(file, record.inputs);
  return planRelease(file, inputs);
}

function finish(context: CommandContext, report: VerifyReport): void {
  if (context.json) writeJson(context.io, report);
  else writeLine(context.io, renderVerifyReport(report));
  if (report.ok) return;
  throw new GantryError(
    ErrorCode.VerifyFailed,
    `${report.failures.length} of ${report.checks} checks failed`,
    { hint: 'each failure above names the tag, the destination and what differs' },
  );
}
