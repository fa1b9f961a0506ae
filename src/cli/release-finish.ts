import { ErrorCode, GantryError } from '../errors.js';
import type { ReleaseOutcome } from '../release/execute-types.js';
import { type ActionsRelease, actionsFromRecord } from '../release/github-actions.js';
import type { ReleasePlan } from '../release/plan-types.js';
import {
  type ReleaseRecord,
  recordToJSON,
  releaseRecord,
  writeRecord,
} from '../release/record.js';
import { verifyRelease } from '../verify/release.js';
import { renderVerifyReport } from '../verify/render.js';
import type { VerifyReport } from '../verify/types.js';
import type { CommandContext } from './context.js';
import { writeLine, writeMessage } from './io.js';
import { writeActionsFiles } from './release-actions.js';
import type { ReleaseWatch } from './release-progress.js';
import { summaryTable } from './release-report.js';

/**
 * The end of a published release: the record, the summary (or the record
 * as JSON), the read-back check, and inside GitHub Actions the step
 * outputs and summary, written whatever the check found so that a
 * workflow can report it.
 */

export interface FinishOptions {
  recordFile: string;
  /** False with --no-verify. */
  verify: boolean;
  /** The release file's folder: where verify finds the planned files. */
  baseDir: string;
  watch: ReleaseWatch;
}

export async function finishRelease(
  context: CommandContext,
  outcome: ReleaseOutcome,
  options: FinishOptions,
): Promise<void> {
  const { io } = context;
  const record = releaseRecord(outcome);
  let verification: ActionsRelease['verification'] = { skipped: '--no-verify' };
  try {
    await writeRecord(options.recordFile, record);
    if (options.verify) {
      verification = await verifyPublished(context, record, outcome.plan, options);
    }
  } finally {
    // The view is erased before anything else is written, whatever failed.
    options.watch.stop();
  }

  if (context.json) io.stdout.write(recordToJSON(record));
  else writeLine(io, summaryTable(outcome));
  writeMessage(io, `record written to ${options.recordFile}`);
  if (!('skipped' in verification))
    writeMessage(io, renderVerifyReport(verification).trimEnd());
  await writeActionsFiles(
    io,
    actionsFromRecord(record, options.recordFile, verification),
  );

  if ('ok' in verification && !verification.ok) {
    const failures = verification.failures.length;
    throw new GantryError(
      ErrorCode.VerifyFailed,
      `the published release does not match its plan (${failures} failures)`,
      { hint: 'read the failures above; run gantry verify --json for details' },
    );
  }
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

/** `--from-digests`: the record as `gantry release` writes it, tags listed. */
export async function finishFromDigests(
  context: CommandContext,
  record: ReleaseRecord,
  recordFile: string,
): Promise<void> {
  await writeRecord(recordFile, record);
  if (context.json) context.io.stdout.write(recordToJSON(record));
  else {
    const image = record.images[0]!;
    const lines = record.tags.map((t) => `${t.destination}:${t.tag}  ${t.change}`);
    writeLine(context.io, [`${image.name}  ${image.digest}`, ...lines].join('\n'));
  }
  writeMessage(context.io, `record written to ${recordFile}`);
  const verification = { skipped: 'an assembled release is checked by gantry verify' };
  await writeActionsFiles(
    context.io,
    actionsFromRecord(record, recordFile, verification),
  );
}
