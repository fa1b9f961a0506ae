import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { ExitCode, exitCodeFor } from '../../src/cli/exit.js';
import type { CliIO } from '../../src/cli/io.js';
import { reportError } from '../../src/cli/report.js';
import { ErrorCode, GantryError } from '../../src/errors.js';

function error(code: string): GantryError {
  return new GantryError(code, 'something failed', { hint: 'do this instead' });
}

describe('exit codes by error group', () => {
  const cases: [string, number][] = [
    [ErrorCode.InvalidReference, ExitCode.Usage],
    [ErrorCode.Usage, ExitCode.Usage],
    [ErrorCode.InvalidPlatform, ExitCode.Usage],
    [ErrorCode.NotFound, ExitCode.NotFound],
    [ErrorCode.PlatformNotFound, ExitCode.NotFound],
    [ErrorCode.Unauthorized, ExitCode.Auth],
    [ErrorCode.Denied, ExitCode.Auth],
    [ErrorCode.Token, ExitCode.Auth],
    [ErrorCode.Tls, ExitCode.Network],
    [ErrorCode.TooManyRequests, ExitCode.Network],
    [ErrorCode.DigestMismatch, ExitCode.Content],
    [ErrorCode.ManifestTooLarge, ExitCode.Content],
    [ErrorCode.Registry, ExitCode.Failure],
    [ErrorCode.Internal, ExitCode.Failure],
  ];
  for (const [code, exit] of cases) {
    it(`maps ${code} to ${exit}`, () => assert.equal(exitCodeFor(error(code)), exit));
  }

  it('maps anything that is not a GantryError to 1', () => {
    assert.equal(exitCodeFor(new TypeError('boom')), ExitCode.Failure);
  });
});

describe('error report on stderr', () => {
  function capture(): { io: CliIO; text: () => string } {
    const stderr = new PassThrough();
    const chunks: Buffer[] = [];
    stderr.on('data', (c: Buffer) => chunks.push(c));
    const io: CliIO = {
      stdout: new PassThrough(),
      stderr,
      stdin: new PassThrough(),
      env: {},
    };
    return { io, text: () => Buffer.concat(chunks).toString('utf8') };
  }

  it('prints code, message and hint without a stack', () => {
    const { io, text } = capture();
    const exit = reportError(io, error(ErrorCode.NotFound), {
      json: false,
      debug: false,
    });

    assert.equal(exit, ExitCode.NotFound);
    assert.equal(
      text(),
      'gantry: error GANTRY_E_NOT_FOUND: something failed\nhint: do this instead\n',
    );
  });

  it('prints one JSON object with --json', () => {
    const { io, text } = capture();
    reportError(io, error(ErrorCode.Denied), { json: true, debug: false });

    assert.deepEqual(JSON.parse(text()), {
      error: {
        code: 'GANTRY_E_DENIED',
        message: 'something failed',
        hint: 'do this instead',
      },
    });
  });

  it('redacts known secrets from the report, the stack included', () => {
    const { io, text } = capture();
    const thrown = new Error('token hunter2 leaked');
    reportError(io, thrown, {
      json: false,
      debug: true,
      redact: (t) => t.replaceAll('hunter2', '***'),
    });

    assert.doesNotMatch(text(), /hunter2/);
    assert.match(text(), /GANTRY_E_INTERNAL: internal error: token \*\*\* leaked/);
  });
});
