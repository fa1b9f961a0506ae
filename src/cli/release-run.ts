import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { ErrorCode, GantryError } from '../errors.js';
import { parseRepository } from '../reference/parse.js';
import { dryRunRelease } from '../release/dry-run.js';
import { executeRelease } from '../release/execute.js';
import { parseDestination } from '../release/execute-targets.js';
import { readReleaseFile } from '../release/file.js';
import type { ReleaseFile } from '../release/file-types.js';
import { releaseFromDigests } from '../release/from-digests.js';
import { gatherPlanInputs } from '../release/inputs.js';
import { planRelease } from '../release/plan.js';
import { planToJSON, renderPlanTable } from '../release/plan-render.js';
import type { ReleasePlan } from '../release/plan-types.js';
import {
  DEFAULT_RECORD_FILE,
  type ReleaseRecord,
  recordToJSON,
  releaseRecord,
  writeRecord,
} from '../release/record.js';
import { verifyRelease } from '../verify/release.js';
import { renderVerifyReport } from '../verify/render.js';
import type { CommandContext } from './context.js';
import { writeLine, writeMessage } from './io.js';
import type { Runner } from './main.js';
import type { ReleaseFlags } from './release.js';
import { progressLine, summaryTable } from './release-report.js';

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
    if (flags.fromDigests !== undefined) {
      throw new GantryError(
        ErrorCode.Usage,
        '--dry-run cannot stage a release assembled --from-digests',
        { hint: 'rehearse it with --to oci:DIR instead, then release for real' },
      );
    }
    // Stages every image as the release would, so each tag's digest is known.
    const dry = await dryRunRelease(plan, {
      client,
      baseDir: folder,
      onEvent: (event) => {
        const line = progressLine(event);
        if (line !== undefined) writeMessage(io, line);
      },
    });
    if (context.json) io.stdout.write(planToJSON(plan, dry.diff, dry.images));
    else writeLine(io, renderPlanTable(plan, dry.diff));
    return;
  }

  const outcome = await executeRelease(plan, {
    client,
    baseDir: folder,
    onEvent: (event) => {
      const line = progressLine(event);
      if (line !== undefined) writeMessage(io, line);
    },
  });
  const record = releaseRecord(outcome);
  const recordFile = flags.record ?? DEFAULT_RECORD_FILE;
  await writeRecord(recordFile, record);
  if (context.json) io.stdout.write(recordToJSON(record));
  else writeLine(io, summaryTable(outcome));
  writeMessage(io, `record written to ${recordFile}`);
  if (flags.verify !== false) await verifyPublished(context, record, plan, folder);
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
  baseDir: string,
): Promise<void> {
  const report = await verifyRelease(record, { client: context.client, plan, baseDir });
  writeMessage(context.io, renderVerifyReport(report).trimEnd());
  if (!report.ok) {
    throw new GantryError(
      ErrorCode.VerifyFailed,
      `the published release does not match its plan (${report.failures.length} failures)`,
      { hint: 'read the failures above; run gantry verify --json for details' },
    );
  }
}

/** `--from-digests`: the record as `gantry release` writes it, tags listed. */
async function finishFromDigests(
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
}
