import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { debugEnabled, type Logger, MemoryLogger, silentLogger } from '../../src/log.js';
import { getRegistries, type TestRegistry } from '../harness/registries.js';
import { closeAll, tracedSession } from './session-helpers.js';

/**
 * A logger that says it takes no debug lines (`debugEnabled: false`, as the
 * CLI's without `--debug` and the silent default) is never handed one, so
 * no request pays for formatting and redacting its trace; a logger without
 * the flag still gets every line.
 */

let plain: TestRegistry;
before(async () => {
  plain = (await getRegistries()).plain;
});
after(closeAll);

async function ping(logger: Logger): Promise<void> {
  const { session } = tracedSession('debug flag', plain.host, { logger });
  const response = await session.request({
    method: 'GET',
    url: '/v2/',
    scopes: [],
    expect: [200],
  });
  await response.dump();
}

describe('debug lines of the HTTP trace', () => {
  it('are not built for a logger whose debug is off', async () => {
    const called: string[] = [];
    const off: Logger = {
      debugEnabled: false,
      debug: (message) => called.push(message),
      warn: () => {},
    };
    await ping(off);
    assert.deepEqual(called, []);
  });

  it('still reach a logger that does not say', async () => {
    const logger = new MemoryLogger();
    await ping(logger);
    const lines = logger.messages('debug');
    assert.ok(
      lines.some((line) => line.startsWith('http > GET ')),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((line) => line.startsWith('http < 200 GET ')),
      lines.join('\n'),
    );
  });

  it('count as wanted unless the flag is false', () => {
    assert.equal(debugEnabled(silentLogger), false);
    assert.equal(debugEnabled(new MemoryLogger()), true);
    assert.equal(debugEnabled({ debug() {}, warn() {} }), true);
    assert.equal(debugEnabled({ debugEnabled: true, debug() {}, warn() {} }), true);
  });
});
