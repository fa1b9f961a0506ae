import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { SecretRegistry } from '../registry/redact.js';
import { registerBuild } from './build.js';
import type { CommandContext } from './context.js';
import { registerCopy } from './copy.js';
import { registerDelete } from './delete.js';
import { registerDiff } from './diff.js';
import { registerDigest } from './digest.js';
import { ExitCode } from './exit.js';
import { registerIndexCreate } from './index-create.js';
import { registerInspect } from './inspect.js';
import { type CliIO, processIO } from './io.js';
import { collect, type GlobalOptions, USAGE_HINT } from './options.js';
import { registerRelease } from './release.js';
import { reportError } from './report.js';
import { registerRollback } from './rollback.js';
import { registerTag } from './tag.js';
import { registerTags } from './tags.js';
import { registerVerify } from './verify.js';

/** Runs a command body with a context for the registries it names. */
export type Runner = (
  command: Command,
  registries: string[],
  body: (context: CommandContext) => Promise<void>,
) => Promise<void>;

const EXAMPLES = `
Examples:
  gantry inspect registry.example.com/app:1.4.2
  gantry inspect --platform linux/arm64 --raw registry.example.com/app:1.4.2
  gantry digest registry.example.com/app:1.4.2
  gantry tags registry.example.com/app
  gantry tag registry.example.com/app:1.4.2 1.4 1 latest
  echo "$PASSWORD" | gantry --username ci --password-stdin \\
    delete registry.example.com/app:old
  gantry --ca-file localhost:5443=ca.pem inspect localhost:5443/app:1

gantry --version prints the version.

Exit codes: 0 ok, 1 other failure, 2 usage or invalid input, 3 not found,
4 authentication or authorisation, 5 network or TLS, 6 content check failed,
7 a release or image did not pass verification.
`;

/** The `gantry` command; returns the process exit code. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  // `gantry --version` only as the first word: `release --version V` is the
  // release's own flag, which a global --version would swallow.
  if (argv[0] === '--version' || argv[0] === '-V') {
    io.stdout.write(`${packageVersion()}\n`);
    return ExitCode.Ok;
  }
  const secrets = new SecretRegistry();
  const program = buildProgram(io, secrets);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.Ok;
  } catch (error) {
    const options = program.opts<GlobalOptions>();
    if (error instanceof CommanderError) return commanderExit(io, error, options);
    return reportError(io, error, {
      json: options.json === true,
      debug: options.debug === true,
      redact: (text) => secrets.redact(text),
    });
  }
}

function buildProgram(io: CliIO, secrets: SecretRegistry): Command {
  const program = new Command('gantry')
    .description('Build, publish and check container images without a Docker daemon')
    .option('--debug', 'trace HTTP requests on stderr (secrets redacted)')
    .option('--json', 'write machine-readable JSON (data and errors)')
    .option('--username <user>', 'user name for the registries named on the command line')
    .option('--password-stdin', 'read the password from stdin')
    .addOption(
      new Option(
        '--ca-file <registry=pem>',
        'trust this CA for a registry (repeatable)',
      ).argParser(collect),
    )
    .addOption(
      new Option(
        '--insecure-registry <registry>',
        'do not verify the TLS certificate of a registry (repeatable)',
      ).argParser(collect),
    )
    .addOption(
      new Option(
        '--plain-http <registry>',
        'use plain HTTP for a registry (repeatable)',
      ).argParser(collect),
    )
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // commander's own error lines are replaced by ours (commanderExit).
      outputError: () => {},
    });

  const run: Runner = async (command, registries, body) => {
    const options = command.optsWithGlobals<GlobalOptions>();
    // Loaded when a command runs: --help and --version need no registry client.
    const { createContext } = await import('./context.js');
    const context = await createContext(io, options, secrets, registries);
    try {
      await body(context);
    } finally {
      // Idle keep-alive connections would otherwise hold the process open.
      await context.client.close();
    }
  };
  registerInspect(program, run);
  registerDigest(program, run);
  registerTags(program, run);
  registerTag(program, run);
  registerDelete(program, run);
  registerCopy(program, run);
  registerBuild(program, run);
  registerRelease(program, run);
  registerVerify(program, run);
  registerDiff(program, run);
  registerRollback(program, run);
  registerIndexCreate(program, run);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Help and version exit 0; any other commander error is a usage error (2). */
function commanderExit(io: CliIO, error: CommanderError, options: GlobalOptions): number {
  if (error.exitCode === 0) return ExitCode.Ok;
  // No command given: commander has already printed the help on stderr.
  if (error.code === 'commander.help') return ExitCode.Usage;
  const message = error.message.replace(/^error: /, '');
  if (options.json === true) {
    const report = { code: 'GANTRY_E_USAGE', message, hint: USAGE_HINT };
    io.stderr.write(`${JSON.stringify({ error: report })}\n`);
  } else {
    io.stderr.write(`gantry: error GANTRY_E_USAGE: ${message}\nhint: ${USAGE_HINT}\n`);
  }
  return ExitCode.Usage;
}

function packageVersion(): string {
  const file = new URL('../../package.json', import.meta.url);
  const manifest: { version?: unknown } = JSON.parse(readFileSync(file, 'utf8'));
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
}
