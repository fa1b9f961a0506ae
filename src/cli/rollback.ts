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
 * digest it named before, removes the tags it created where the registry
 * allows it, and leaves the rest. The plan is shown first, always;
 * `--dry-run` stops there.
 */

interface RollbackFlags {
  dryRun?: boolean;
}

const EXAMPLES = `
Examples:
  gantry rollback --dry-run gantry-release-record.json
  gantry rollback gantry-release-record.json

Moved tags go back first (last published first), then created tags are
removed by deleting their manifest by digest, only when no other tag names it.
`;

export function registerRollback(program: Command, run: Runner): void {
  program
    .command('rollback')
    .description('put every tag of a release back where it was, from its record')
    .argument('<record>', 'the JSON record gantry release wrote')
    .option('--dry-run', 'show the plan; change nothing')
    .addHelpText('after', EXAMPLES)
    .action(async (path: string, flags: RollbackFlags, command: Command) => {
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
    });
}

function eventLine(event: RollbackEvent): string {
  const { step } = event;
  if (event.kind === 'restored') {
    return `restored ${step.destination}:${step.tag} to ${step.target}`;
  }
  return (
    `deleted ${step.destination}@${step.target} by digest (a registry cannot ` +
    `delete a tag alone): removed ${event.tags.join(', ')}`
  );
}
