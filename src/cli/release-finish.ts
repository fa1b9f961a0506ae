import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, sep } from 'node:path';
import { ErrorCode, GantryError } from '../errors.js';
import type { ReleaseOutcome } from '../release/execute-types.js';
import { type ActionsRelease, actionsFromRecord } from '../release/github-actions.js';
import type { PlanInputs } from '../release/plan.js';
import type { ReleasePlan } from '../release/plan-types.js';
import {
  type ReleaseRecord,
  recordToJSON,
  releaseRecord,
  writeRecord,
} from '../release/record.js';
import { mergeRecords } from '../release/record-merge.js';
import { readRecordFile } from '../release/rollback-read.js';
import { verifyRelease } from '../verify/release.js';
import { renderVerifyReport } from '../verify/render.js';
import type { VerifyReport } from '../verify/types.js';
import type { CommandContext } from './context.js';
import { counted } from './format.js';
import { writeLine, writeMessage } from './io.js';
import { writeActionsFiles } from './release-actions.js';
import type { ReleaseWatch } from './release-progress.js';
import { recordSummaryTable, summaryTable } from './release-report.js';

/**
 * The end of a published release: the record, the summary (or the record
 * as JSON), the read-back check, and inside GitHub Actions the step
 * outputs and summary, written whatever the check found (or when Ctrl-C
 * cut it short) so that a workflow can report it.
 */

/** What GitHub Actions says of a read-back that Ctrl-C stopped. */
const READ_BACK_INTERRUPTED = 'the read-back was interrupted';

export interface FinishOptions {
  recordFile: string;
  /** What the plan was made from; the record keeps it for gantry verify. */
  inputs: PlanInputs;
  /** False with --no-verify. */
  verify: boolean;
  /** The release file's folder: where verify finds the planned files. */
  baseDir: string;
  watch: ReleaseWatch;
  /** The release file as named on the command line, for hints. */
  releaseFile?: string;
  /**
   * Ctrl-C. The record is written whatever comes (the tags have moved);
   * the read-back stops, and the command says how to run it again.
   */
  signal?: AbortSignal;
}

export async function finishRelease(
  context: CommandContext,
  outcome: ReleaseOutcome,
  options: FinishOptions,
): Promise<void> {
  const { io } = context;
  // This run's own record; the file may keep or merge an earlier run's.
  const run = releaseRecord(outcome, options.inputs);
  let record = run;
  let verification: ActionsRelease['verification'] = { skipped: '--no-verify' };
  let kept = false;
  let interrupted = false;
  try {
    ({ record, kept } = await saveRecord(options.recordFile, run));
    const saved = record;
    ({ verification, interrupted } = await readBack(
      options.verify,
      () => verifyPublished(context, saved, outcome.plan, options),
      options.signal,
    ));
  } finally {
    // The view is erased before anything else is written, whatever failed.
    options.watch.stop();
  }

  // The release is published whether or not its read-back finished, so
  // the table, the record line and the Actions files say so either way.
  if (context.json) io.stdout.write(recordToJSON(record));
  else writeLine(io, summaryTable(outcome));
  writeMessage(io, recordLine(options.recordFile, kept));
  if (!('skipped' in verification))
    writeMessage(io, renderVerifyReport(verification).trimEnd());
  // `changed` and each tag's change say what this run did.
  await writeActionsFiles(io, actionsFromRecord(run, options.recordFile, verification));
  if (interrupted) throw readBackInterrupted(options);

  if ('ok' in verification && !verification.ok) {
    const failures = verification.failures.length;
    throw new GantryError(
      ErrorCode.VerifyFailed,
      `the published release does not match its plan (${counted(failures, 'failure')})`,
      { hint: 'read the failures above; run gantry verify --json for details' },
    );
  }
}

/**
 * Writes the record, merged with the one already in the file when that is
 * of the same release (record-merge.ts): a re-run keeps the digests that a
 * rollback restores, and a run that changed nothing keeps the file as is.
 */
export async function saveRecord(
  path: string,
  record: ReleaseRecord,
): Promise<{ record: ReleaseRecord; kept: boolean }> {
  const merged = mergeRecords(await earlierRecord(path), record);
  if (merged.replace) await writeRecord(path, merged.record);
  return { record: merged.record, kept: !merged.replace };
}

function recordLine(recordFile: string, kept: boolean): string {
  return kept
    ? `nothing changed; record ${recordFile} kept`
    : `record written to ${recordFile}`;
}

/**
 * Fails before a release writes anything when its record could not be
 * written at the end: published tags without a record cannot be rolled
 * back. The record is written beside its path and renamed over it, so
 * the folder must take a new file; the file itself may be read-only.
 */
export async function checkRecordFile(path: string): Promise<void> {
  const problem = await recordFileProblem(path);
  if (problem === undefined) return;
  throw new GantryError(
    ErrorCode.ReleaseRecord,
    `the release record cannot be written to ${path}: ${problem}; nothing was published`,
    {
      hint: 'pass --record FILE with a file name in a folder that exists and is writable',
    },
  );
}

async function recordFileProblem(path: string): Promise<string | undefined> {
  if (path === '') return 'no file name was given';
  if (path.endsWith('/') || path.endsWith(sep)) return 'it names a folder';
  // A missing file is fine (the release creates it); its folder is not.
  const found = await stat(path).catch(() => undefined);
  if (found?.isDirectory() === true) return 'it is a folder';
  if (found !== undefined) {
    // Never replace a file that is not a record (a release file given by
    // mistake, a record edited by hand into something unreadable).
    const problem = await readRecordFile(path).then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    if (problem !== undefined) {
      return (
        'it holds something other than a release record, which gantry does ' +
        `not overwrite (${problem})`
      );
    }
  }
  const folder = dirname(path);
  const parent = await stat(folder).catch(() => undefined);
  if (parent === undefined) return `its folder ${folder} does not exist`;
  if (!parent.isDirectory()) return `${folder} is not a folder`;
  try {
    await access(folder, constants.W_OK | constants.X_OK);
  } catch {
    return `its folder ${folder} is not writable`;
  }
  return undefined;
}

/** The record already in the file; none when absent or not a record. */
async function earlierRecord(path: string): Promise<ReleaseRecord | undefined> {
  try {
    return await readRecordFile(path);
  } catch {
    // A missing or foreign file holds nothing to carry over.
    return undefined;
  }
}

/**
 * The read-back of a published, recorded release (none with --no-verify):
 * its report, or, when `signal` fires first, a note that it was cut short.
 */
async function readBack(
  verify: boolean,
  check: () => Promise<VerifyReport>,
  signal: AbortSignal | undefined,
): Promise<{ verification: ActionsRelease['verification']; interrupted: boolean }> {
  if (!verify) return { verification: { skipped: '--no-verify' }, interrupted: false };
  const report = await untilInterrupted(check(), signal);
  return report === undefined
    ? { verification: { skipped: READ_BACK_INTERRUPTED }, interrupted: true }
    : { verification: report, interrupted: false };
}

/**
 * `work`, or undefined as soon as `signal` fires: the release is
 * published and recorded, only its read-back is cut short.
 */
async function untilInterrupted<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
): Promise<T | undefined> {
  if (signal === undefined) return work;
  let stop: (() => void) | undefined;
  const interrupted = new Promise<undefined>((done) => {
    stop = () => done(undefined);
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
  // The read-back may still fail after the interruption: that is not news.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, interrupted]);
  } finally {
    if (stop !== undefined) signal.removeEventListener('abort', stop);
  }
}

function readBackInterrupted(
  options: Pick<FinishOptions, 'recordFile' | 'releaseFile'>,
): GantryError {
  return new GantryError(
    ErrorCode.Aborted,
    `the release is published and its record written to ${options.recordFile}; ` +
      'its read-back check was interrupted',
    {
      hint:
        `run gantry verify --record ${options.recordFile} ` +
        `${options.releaseFile ?? 'RELEASE_FILE'} to check it`,
    },
  );
}

/**
 * Reads every destination back and checks it against the plan and the
 * record (DESIGN.md: prove everything written). The report goes to stderr
 * so that `--json` output stays the record.
 */
async function verifyPublished(
  context: CommandContext,
  record: ReleaseRecord,
  plan: ReleasePlan,
  options: FinishOptions,
): Promise<VerifyReport> {
  options.watch.verifying();
  const { baseDir } = options;
  return verifyRelease(record, { client: context.client, plan, baseDir });
}

/**
 * `--from-digests`: the record, the summary table and the read-back, as
 * for a release built here. The read-back checks what the assembly wrote
 * (the record says it was assembled), not the builds' labels and layers.
 */
export async function finishFromDigests(
  context: CommandContext,
  record: ReleaseRecord,
  options: {
    recordFile: string;
    plan: ReleasePlan;
    verify: boolean;
    releaseFile?: string;
    /** Ctrl-C: the record is written whatever comes; the read-back stops. */
    signal?: AbortSignal;
  },
): Promise<void> {
  const { io } = context;
  const { recordFile, plan } = options;
  // As for a built release: a repeat that changed nothing keeps the record
  // whose previous digests a rollback needs.
  const saved = await saveRecord(recordFile, record);
  const { verification, interrupted } = await readBack(
    options.verify,
    () => verifyRelease(saved.record, { client: context.client, plan }),
    options.signal,
  );

  if (context.json) io.stdout.write(recordToJSON(saved.record));
  else writeLine(io, recordSummaryTable(plan, record));
  writeMessage(io, recordLine(recordFile, saved.kept));
  if (!('skipped' in verification))
    writeMessage(io, renderVerifyReport(verification).trimEnd());
  // `changed` and each tag's change say what this run did.
  await writeActionsFiles(io, actionsFromRecord(record, recordFile, verification));
  if (interrupted) throw readBackInterrupted(options);
  if ('ok' in verification && !verification.ok) {
    throw new GantryError(
      ErrorCode.VerifyFailed,
      `the assembled release does not match its plan ` +
        `(${counted(verification.failures.length, 'failure')})`,
      { hint: 'read the failures above; run gantry verify --json for details' },
    );
  }
}

/**
 * A release that stopped after it began to publish (interrupted, or a
 * failed destination): the tags written so far are recorded, with their
 * previous digests and `complete: false`, so that a re-run carries them
 * over and a rollback can undo them. Returns the error to throw.
 */
export async function finishInterrupted(
  context: CommandContext,
  record: ReleaseRecord,
  recordFile: string,
  stop: { error: unknown; aborted: boolean },
): Promise<unknown> {
  const written = record.tags.filter((tag) => tag.sequence !== undefined).length;
  // With nothing written, an earlier record in the file is worth more.
  if (written > 0) {
    await saveRecord(recordFile, record);
    writeMessage(
      context.io,
      `record of the ${counted(written, 'tag')} written so far: ${recordFile}`,
    );
  }
  // Whatever an interrupted step threw, the user stopped the release.
  if (!stop.aborted) return stop.error;
  if (written === 0) {
    // The record file, if any, is an earlier run's: nothing here to undo.
    return new GantryError(
      ErrorCode.Aborted,
      'the release was interrupted before any tag was written: nothing is published',
      { hint: 'run the same gantry release again to publish it', cause: stop.error },
    );
  }
  return new GantryError(
    ErrorCode.Aborted,
    `the release was interrupted: ${counted(written, 'tag')} ` +
      `${written === 1 ? 'was' : 'were'} written, each naming complete content; ` +
      `the rest is not published`,
    {
      hint:
        `run the same gantry release again to finish it, or gantry rollback ` +
        `${recordFile} to undo what was written`,
      cause: stop.error,
    },
  );
}
