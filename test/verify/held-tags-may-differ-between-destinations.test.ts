import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Descriptor } from '../../src/oci/descriptor.js';
import { Digest } from '../../src/oci/digest.js';
import type { RecordedTag } from '../../src/release/record.js';
import type { ReadTarget } from '../../src/store/target.js';
import { checkDivergence, type Resolved } from '../../src/verify/release-tags.js';
import { Findings } from '../../src/verify/types.js';

/**
 * A tag a release held (it names a newer release) names whatever newer
 * image each destination had: two destinations may hold `latest` at
 * different newer releases, and that is no divergence of this release. A
 * tag the release wrote still must name one digest everywhere.
 */

const A = Digest.parse(`sha256:${'a'.repeat(64)}`);
const B = Digest.parse(`sha256:${'b'.repeat(64)}`);
const TARGET = {} as ReadTarget;

function tag(destination: string, name: string, digest: Digest, held: boolean) {
  const recorded: RecordedTag = {
    destination,
    image: 'base',
    tag: name,
    digest: digest.toString(),
    change: held ? 'held' : 'new',
  };
  const tagged = { digest, mediaType: 'x', size: 1 } as unknown as Descriptor;
  return { recorded, tagged };
}

function divergences(entries: ReturnType<typeof tag>[]): string[] {
  const findings = new Findings();
  const actual: Resolved = new Map(
    entries.map((e) => [e.recorded, { target: TARGET, tagged: e.tagged }]),
  );
  checkDivergence(
    findings,
    entries.map((e) => e.recorded),
    actual,
  );
  return findings.failures.map((failure) => failure.tag ?? '');
}

test('held tags at different digests are not a divergence; written ones are', () => {
  assert.deepEqual(
    divergences([tag('r/a', 'latest', A, true), tag('oci:./o', 'latest', B, true)]),
    [],
  );
  assert.deepEqual(
    divergences([tag('r/a', '1.0', A, false), tag('oci:./o', '1.0', B, false)]),
    ['1.0'],
  );
});
