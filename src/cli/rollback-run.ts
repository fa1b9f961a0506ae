import type { Command } from 'commander';
import { parseRepository } from '../reference/parse.js';
import { LAYOUT_PREFIX } from '../release/file-sections.js';
import {
  executeRollback,
  planRollback,
  type RollbackEvent,
  readRecordFile,
  renderRollbackTable,
  rollbackToJSON,
} from '../release/rollback.js';
import { writeLine, writeMessage } from './io.js';
import type { Runner } from './main.js';

/**
 * `gantry rollback RECORD`: puts every tag a release moved back to the
 * digest it named before, removes the tags it created (on a registry only
 * where no other tag shares the digest), and leaves the rest. The plan is
 * shown first, always; `--dry-run` stops there.
 */

interface RollbackFlags {
  dryRun?: boolean;
}

/** The body of `gantry rollback` (see rollback.ts), loaded when it runs. */
export async function runRollback(
  run: Runner,
  path: string,
  flags: RollbackFlags,
  command: Command,
): Promise<void> {
  const record = await readRecordFile(path);
  const registries = [...new Set(record.tags.map((tag) => tag.destination))]
    .filter((name) => !name.startsWith(LAYOUT_PREFIX))
    .map((name) => parseRepository(name).registry);

  await run(command, [...new Set(registries)], async ({ client, io, json }) => {
    const plan = await planRollback(record, path, client);
    if (json) io.stdout.write(rollbackToJSON(plan));
    else writeLine(io, renderRollbackTable(plan));
    if (flags.dryRun === true) return;

    await executeRollback(plan, {
      client,
      onEvent: (event) => writeMessage(io, eventLine(event)),
    });
    writeMessage(io, `rollback of ${plan.version} done`);
  });
}

function eventLine(event: RollbackEvent): string {
  const { step } = event;
  if (event.kind === 'restored') {
    return `restored ${step.destination}:${step.tag} to ${step.target}`;
  }
  if (event.kind === 'changed') {
    const where = `${step.destination}:${step.tag}`;
    return `left ${where}: it changed since the plan (${event.reason})`;
  }
  if (step.removal === 'tag') {
    return (
      `removed ${step.destination}:${step.tag} from its index.json; the blobs of ` +
      `${step.target} stay (a layout has no garbage collection)`
    );
  }
  return (
    `deleted ${step.destination}@${step.target} by digest (a registry cannot ` +
    `delete a tag alone): removed ${event.tags.join(', ')}`
  );
}
