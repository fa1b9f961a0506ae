import { appendFile } from 'node:fs/promises';
import { ErrorCode, GantryError } from '../errors.js';
import {
  type ActionsRelease,
  actionsOutputs,
  outputFileText,
} from '../release/github-actions.js';
import { actionsSummary } from '../release/github-actions-summary.js';
import type { CliIO } from './io.js';

/**
 * Inside GitHub Actions (GITHUB_ACTIONS=true, set by the runner), a release
 * or dry-run appends its step outputs to the file named by GITHUB_OUTPUT
 * and its Markdown summary to the file named by GITHUB_STEP_SUMMARY. Both
 * are appended to, never replaced: other tools in the step may have
 * written there first. Anywhere else nothing is written.
 */

export async function writeActionsFiles(
  io: CliIO,
  release: ActionsRelease,
): Promise<void> {
  if (io.env.GITHUB_ACTIONS !== 'true') return;
  const { GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile } = io.env;
  if (outputFile) {
    await append(outputFile, 'GITHUB_OUTPUT', outputFileText(actionsOutputs(release)));
  }
  if (summaryFile) {
    await append(summaryFile, 'GITHUB_STEP_SUMMARY', actionsSummary(release));
  }
}

async function append(path: string, variable: string, text: string): Promise<void> {
  try {
    await appendFile(path, text, 'utf8');
  } catch (cause) {
    throw new GantryError(
      ErrorCode.ActionsFile,
      `could not append to ${variable} file ${path}`,
      {
        hint: `gantry's own work is done; check that ${variable} names a writable file`,
        cause,
      },
    );
  }
}
