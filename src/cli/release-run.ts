import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { parseRepository } from '../reference/parse.js';
import { dryRunFromDigests, dryRunRelease } from '../release/dry-run.js';
import { executeRelease } from '../release/execute.js';
import { parseDestination } from '../release/execute-targets.js';
import type { ReleaseOutcome } from '../release/execute-types.js';
import { readReleaseFile } from '../release/file.js';
import type { ReleaseFile } from '../release/file-types.js';
import { releaseFromDigests } from '../release/from-digests.js';
import { actionsFromDryRun } from '../release/github-actions.js';
import { gatherPlanInputs } from '../release/inputs.js';
import { planRelease } from '../release/plan.js';
import { planToJSON, renderPlanTable } from '../release/plan-render.js';
import { DEFAULT_RECORD_FILE } from '../release/record.js';
import type { CommandContext } from './context.js';
import { writeLine, writeMessage } from './io.js';
import type { Runner } from './main.js';
import type { ReleaseFlags } from './release.js';
import { writeActionsFiles } from './release-actions.js';
import { finishFromDigests, finishRelease } from './release-finish.js';
import { watchRelease } from './release-progress.js';
import { progressLine } from './release-report.js';

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

/** `--to` replaces the file's destinations, so a release can be rehearsed. */
function withDestinations(file: ReleaseFile, to: string[] | undefined): ReleaseFile {
  if (to === undefined || to.length === 0) return file;
  return { ...file, destinations: to.map(parseDestination) };
}

async function releaseCommand(
  context: CommandContext,
  path: string,
  file: ReleaseFile,
  flags: ReleaseFlags,
): Promise<void> {
  const { io, client } = context;
  const folder = dirname(resolve(path));
  // Git facts come from the repository that holds the release file.
  const inputs = await gatherPlanInputs(file, {
    cwd: folder,
    env: io.env,
    ...(flags.version === undefined ? {} : { version: flags.version }),
  });
  const plan = planRelease(file, inputs);

  if (flags.fromDigests !== undefined && flags.dryRun !== true) {
    const record = await releaseFromDigests(plan, flags.fromDigests, {
      client,
      onEvent: (message) => writeMessage(io, message),
    });
    await finishFromDigests(context, record, flags.record ?? DEFAULT_RECORD_FILE);
    return;
  }

  if (flags.dryRun === true) {
    // Stages every image as the release would, so each tag's digest is known.
    const dry =
      flags.fromDigests === undefined
        ? await dryRunRelease(plan, {
            client,
            baseDir: folder,
            onEvent: (event) => {
              const line = progressLine(event);
              if (line !== undefined) writeMessage(io, line);
            },
          })
        : await dryRunFromDigests(plan, flags.fromDigests, { client });
    if (context.json) io.stdout.write(planToJSON(plan, dry.diff, dry.images));
    else writeLine(io, renderPlanTable(plan, dry.diff));
    await writeActionsFiles(io, actionsFromDryRun(dry));
    return;
  }

  const watch = watchRelease(context, plan);
  let outcome: ReleaseOutcome;
  try {
    outcome = await executeRelease(plan, {
      client,
      baseDir: folder,
      onEvent: (event) => watch.onEvent(event),
    });
  } catch (error) {
    watch.stop();
    throw error;
  }
  await finishRelease(context, outcome, {
    recordFile: flags.record ?? DEFAULT_RECORD_FILE,
    verify: flags.verify !== false,
    baseDir: folder,
    watch,
  });
}
