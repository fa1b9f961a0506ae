import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { parseRepository } from '../reference/parse.js';
import { type DryRun, dryRunFromDigests, dryRunRelease } from '../release/dry-run.js';
import { executeRelease } from '../release/execute.js';
import { readReleaseFile } from '../release/file.js';
import type { ReleaseFile } from '../release/file-types.js';
import { releaseFromDigests } from '../release/from-digests.js';
import { actionsFromDryRun } from '../release/github-actions.js';
import { gatherPlanInputs, withDestinations } from '../release/inputs.js';
import type { PlanInputs } from '../release/plan.js';
import { planRelease } from '../release/plan.js';
import { planToJSON, renderPlanTable } from '../release/plan-render.js';
import type { ReleasePlan } from '../release/plan-types.js';
import { DEFAULT_RECORD_FILE, recordedInputs } from '../release/record.js';
import { RecordTally } from '../release/record-partial.js';
import { droppedBuildMetadata } from '../release/version.js';
import type { CommandContext } from './context.js';
import { writeLine, writeMessage } from './io.js';
import type { Runner } from './main.js';
import type { ReleaseFlags } from './release.js';
import { writeActionsFiles } from './release-actions.js';
import {
  checkRecordFile,
  finishFromDigests,
  finishInterrupted,
  finishRelease,
} from './release-finish.js';
import { watchRelease } from './release-progress.js';

/**
 * The body of `gantry release` (see release.ts), loaded only when the
 * command runs.
 */
export async function runRelease(
  run: Runner,
  command: Command,
  path: string,
  flags: ReleaseFlags,
): Promise<void> {
  const file = withDestinations(await readReleaseFile(path), flags.to);
  const registries = file.destinations.flatMap((destination) =>
    destination.kind === 'registry'
      ? [parseRepository(destination.repository).registry]
      : [],
  );
  await run(command, registries, (context) => releaseCommand(context, path, file, flags));
}

async function releaseCommand(
  context: CommandContext,
  path: string,
  file: ReleaseFile,
  flags: ReleaseFlags,
): Promise<void> {
  const { io, client } = context;
  const folder = dirname(resolve(path));
  const recordFile = flags.record ?? DEFAULT_RECORD_FILE;
  // Found now, not once every tag is published and nothing could be rolled back.
  if (flags.dryRun !== true) await checkRecordFile(recordFile);
  // Git facts come from the repository that holds the release file.
  const inputs = await gatherPlanInputs(file, {
    cwd: folder,
    env: io.env,
    ...(flags.version === undefined ? {} : { version: flags.version }),
  });
  const plan = planRelease(file, inputs);
  const dropped = droppedBuildMetadata(inputs.version);
  if (dropped !== undefined) writeMessage(io, `gantry: warning: ${dropped}`);

  if (flags.fromDigests !== undefined && flags.dryRun !== true) {
    const files = flags.fromDigests;
    // Stoppable until the record is written and the read-back done, as a
    // built release is: a Ctrl-C after the last tag still gets the record.
    await stoppableBySignals(async (signal) => {
      const record = await assembleFromDigests(
        context,
        { plan, inputs, files },
        flags,
        signal,
      );
      const withInputs = { ...record, inputs: recordedInputs(inputs, plan.created) };
      await finishFromDigests(context, withInputs, {
        recordFile,
        plan,
        verify: flags.verify !== false,
        releaseFile: path,
        signal,
      });
    });
    return;
  }

  if (flags.dryRun === true) {
    // Stages every image as the release would, so each tag's digest is known;
    // on a terminal with the live view of the builds a release shows.
    const watch = watchRelease(context, plan);
    let dry: DryRun;
    try {
      dry =
        flags.fromDigests === undefined
          ? await dryRunRelease(plan, {
              client,
              allowDowngrade: flags.allowDowngrade === true,
              baseDir: folder,
              onEvent: (event) => watch.onEvent(event),
            })
          : await dryRunFromDigests(plan, flags.fromDigests, {
              client,
              allowDowngrade: flags.allowDowngrade === true,
            });
    } finally {
      watch.stop();
    }
    if (context.json) io.stdout.write(planToJSON(plan, dry.diff, dry.images));
    else writeLine(io, renderPlanTable(plan, dry.diff));
    await writeActionsFiles(io, actionsFromDryRun(dry));
    return;
  }

  // A built release stays stoppable until its record is written and checked.
  await stoppableBySignals(async (signal) => {
    const outcome = await publish(context, { plan, inputs, folder }, flags, signal);
    await finishRelease(context, outcome.outcome, {
      recordFile,
      inputs,
      verify: flags.verify !== false,
      baseDir: folder,
      watch: outcome.watch,
      releaseFile: path,
      signal,
    });
  });
}

/**
 * Runs `body` with a signal that the first Ctrl-C (SIGINT) or a SIGTERM
 * aborts, so the release stops between steps, as `gantry copy` does; a
 * second Ctrl-C ends the process the usual way.
 */
async function stoppableBySignals<T>(
  body: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const interrupt = (): void => controller.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    return await body(controller.signal);
  } finally {
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);
  }
}

/**
 * `--from-digests` until `signal` stops it: as for a built release, the
 * tags written so far go to the record (finishInterrupted).
 */
async function assembleFromDigests(
  context: CommandContext,
  planned: { plan: ReleasePlan; inputs: PlanInputs; files: string[] },
  flags: ReleaseFlags,
  signal: AbortSignal,
) {
  const { plan, inputs, files } = planned;
  const tally = new RecordTally();
  try {
    return await releaseFromDigests(plan, files, {
      client: context.client,
      allowDowngrade: flags.allowDowngrade === true,
      onEvent: (message) => writeMessage(context.io, message),
      onTag: (event) => tally.onEvent(event),
      signal,
    });
  } catch (error) {
    const record = { ...tally.record(plan, inputs), fromDigests: true as const };
    const recordFile = flags.record ?? DEFAULT_RECORD_FILE;
    throw await finishInterrupted(context, record, recordFile, {
      error,
      aborted: signal.aborted,
    });
  }
}

/**
 * Runs the release until `signal` stops it: no tag names incomplete
 * content, and the record of the tags written so far is still written
 * (finishInterrupted).
 */
async function publish(
  context: CommandContext,
  planned: { plan: ReleasePlan; inputs: PlanInputs; folder: string },
  flags: ReleaseFlags,
  signal: AbortSignal,
) {
  const { plan, inputs, folder } = planned;
  const watch = watchRelease(context, plan);
  const tally = new RecordTally();
  try {
    const outcome = await executeRelease(plan, {
      client: context.client,
      baseDir: folder,
      allowDowngrade: flags.allowDowngrade === true,
      signal,
      onEvent: (event) => {
        tally.onEvent(event);
        watch.onEvent(event);
      },
    });
    return { outcome, watch };
  } catch (error) {
    watch.stop();
    const record = tally.record(plan, inputs);
    const recordFile = flags.record ?? DEFAULT_RECORD_FILE;
    throw await finishInterrupted(context, record, recordFile, {
      error,
      aborted: signal.aborted,
    });
  }
}
