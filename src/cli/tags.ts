import type { Command } from 'commander';
import { parseRepository } from '../reference/index.js';
import { writeJson, writeLine } from './io.js';
import type { Runner } from './main.js';

/**
 * `gantry tags REPO`: one tag per line, in the order the registry lists them
 * (the distribution-spec asks for lexical order, but registries differ and
 * distribution 2.8 does not sort: gantry does not reorder, pipe to `sort`).
 * `--json` writes one array.
 */
export function registerTags(program: Command, run: Runner): void {
  program
    .command('tags')
    .description("list the tags of a repository, in the registry's order")
    .argument('<repo>', 'repository, e.g. registry.example.com/app')
    .action(async (text: string, _options: unknown, command: Command) => {
      const repository = parseRepository(text);

      await run(command, [repository.registry], async ({ client, io, json }) => {
        const tags = await client.listTags(repository);
        if (json) writeJson(io, tags);
        else for (const tag of tags) writeLine(io, tag);
      });
    });
}
