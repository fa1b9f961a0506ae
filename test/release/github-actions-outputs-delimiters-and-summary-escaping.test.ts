import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ACTIONS_OUTPUTS,
  type ActionsRelease,
  actionsFromRecord,
  actionsOutputs,
  outputFileText,
} from '../../src/release/github-actions.js';
import {
  actionsSummary,
  MAX_SUMMARY_FAILURES,
} from '../../src/release/github-actions-summary.js';
import type { ReleaseRecord } from '../../src/release/record.js';
import { CheckId, type VerifyReport } from '../../src/verify/types.js';

/**
 * The pure half of gantry's GitHub Actions support: the GITHUB_OUTPUT text
 * (`name=value`, or a delimited block whose delimiter is not in the value),
 * the outputs taken from a release record, and a step summary whose table
 * cannot be broken by what a destination's name contains.
 */

const BASE = `sha256:${'b'.repeat(64)}`;
const VARIANT = `sha256:${'v'.repeat(64)}`;

function record(changes: ('new' | 'moves' | 'stays')[]): ReleaseRecord {
  const tags = changes.map((change, index) => ({
    destination: 'registry.example.com/app',
    image: index === 0 ? 'debian' : 'base',
    tag: `t${index}`,
    digest: index === 0 ? VARIANT : BASE,
    change,
  }));
  const platforms = [{ platform: 'linux/amd64', digest: BASE }];
  return {
    format: 1,
    file: 'release.yaml',
    version: '1.0.0',
    order: ['debian', 'base'],
    images: [
      { name: 'debian', digest: VARIANT, mediaType: 'index', platforms },
      { name: 'base', digest: BASE, mediaType: 'index', platforms },
    ],
    destinations: [],
    tags,
    counts: { new: 0, moves: 0, stays: 0, held: 0 },
    timings: { startedAt: '', buildMs: 0, compareMs: 0, totalMs: 0 },
  };
}

const PASSED: VerifyReport = { ok: true, checks: 3, failures: [] };

/** A source of delimiters that hands out the given ones in turn. */
function sequence(...delimiters: string[]): () => string {
  return () => delimiters.shift() ?? assert.fail('asked for too many delimiters');
}

describe('GITHUB_OUTPUT text', () => {
  it('writes one-line values as name=value, in order', () => {
    const text = outputFileText({ version: '1.0.0', changed: 'true' }, sequence());
    assert.equal(text, 'version=1.0.0\nchanged=true\n');
  });

  it('delimits a value with a line break, with a delimiter not in the value', () => {
    const value = 'a\nTAKEN\r\nb';
    const text = outputFileText({ record: value }, sequence('TAKEN', 'FREE'));
    assert.equal(text, `record<<FREE\n${value}\nFREE\n`);
  });

  it('draws a fresh random delimiter each time by default', () => {
    const first = outputFileText({ x: 'a\nb' }).split('\n')[0];
    const second = outputFileText({ x: 'a\nb' }).split('\n')[0];
    assert.match(first!, /^x<<gantry_EOF_[0-9a-f]{32}$/);
    assert.notEqual(first, second);
  });
});

describe('outputs of a release', () => {
  it('name the base image digest even when it is published last', () => {
    const outputs = actionsOutputs(
      actionsFromRecord(record(['new', 'stays']), 'r.json', PASSED),
    );
    assert.deepEqual(Object.keys(outputs), [...ACTIONS_OUTPUTS]);
    assert.equal(outputs.digest, BASE);
    assert.deepEqual(JSON.parse(outputs.digests), { debian: VARIANT, base: BASE });
    assert.deepEqual(JSON.parse(outputs.tags), [
      'registry.example.com/app:t0',
      'registry.example.com/app:t1',
    ]);
    assert.equal(outputs.changed, 'true');
    assert.equal(outputs.verified, 'true');
    assert.equal(outputs.record, 'r.json');
  });

  it('say unchanged when every tag stays, and unverified when the check failed', () => {
    const failed: VerifyReport = { ok: false, checks: 3, failures: [] };
    const outputs = actionsOutputs(
      actionsFromRecord(record(['stays', 'stays']), 'r', failed),
    );
    assert.equal(outputs.changed, 'false');
    assert.equal(outputs.verified, 'false');
  });
});

describe('step summary', () => {
  it('keeps one table row per image and destination whatever the names hold', () => {
    const release: ActionsRelease = {
      ...actionsFromRecord(record(['new', 'moves']), 'r.json', PASSED),
    };
    release.tags = release.tags.map((tag) => ({ ...tag, destination: 'oci:a|b\n*c*' }));
    const rows = actionsSummary(release)
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| Image'));
    assert.equal(rows.length, 3, 'header rule plus one row per image');
    const row = rows.find((line) => line.startsWith('| base'))!;
    const cells = row.split(/(?<!\\)\|/).slice(1, -1);
    assert.equal(cells.length, 5);
    assert.equal(cells[3]!.trim(), 'oci:a\\|b \\*c\\*');
    assert.equal(cells[4]!.trim(), '`t1` moved');
  });

  it('lists the first failures of a failed check and counts the rest', () => {
    const failures = Array.from({ length: MAX_SUMMARY_FAILURES + 2 }, (_, i) => ({
      check: CheckId.TagDigest,
      destination: 'd',
      message: `failure <${i}>`,
    }));
    const failed: VerifyReport = { ok: false, checks: 40, failures };
    const summary = actionsSummary(actionsFromRecord(record(['new']), 'r', failed));
    assert.match(summary, /^Verification: \*\*failed\*\* \(22 of 40 checks\)\.$/m);
    assert.equal(summary.match(/^- failure \\<\d+\\>$/gm)?.length, MAX_SUMMARY_FAILURES);
    assert.match(summary, /^- and 2 more$/m);
  });
});
