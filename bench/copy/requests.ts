/**
 * `node --import tsx bench/copy/requests.ts`: the HTTP requests of one
 * registry-to-registry copy of the benchmark's image, gantry's against
 * skopeo's, counted by kind from each tool's `--debug` trace. Round trips,
 * not bytes, dominate a copy between local registries, so this count is
 * the figure to lower; unlike a timing it does not change with load.
 * Flags: `--show` prints gantry's trace as well. Not part of `npm test`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RegistryClient } from '../../src/registry/client.js';
import { type RunningRegistry, startRegistry } from '../../test/harness/registries.js';
import { type ImageShape, MiB, pushImage } from './image.js';
import { GANTRY_BIN, SKOPEO } from './tools.js';

const run = promisify(execFile);

/** The image of scenario (a) in run.ts: 2 platforms × 6 layers plus attestations. */
const IMAGE: ImageShape = {
  platforms: ['linux/amd64', 'linux/arm64'],
  layerSizes: [20, 12, 8, 4, 2, 1].map((n) => n * MiB),
};

/** Enough for a 94 MiB `--debug` trace of either tool. */
const MAX_TRACE_BYTES = 64 * MiB;

/** A request line of gantry's trace: `debug: http > METHOD URL headers`. */
const GANTRY_REQUEST = /^debug: http > (\w+) (\S+)/;
/** A request line of skopeo's: `DEBU[0000] METHOD URL` (its request log). */
const SKOPEO_REQUEST = /level=debug msg="(GET|HEAD|PUT|POST|PATCH|DELETE) (\S+)"/;

/** `HEAD /v2/<repo>/blobs/<digest>` → `HEAD blobs`: the kind of a request. */
function kind(method: string, url: string): string {
  const path = new URL(url).pathname;
  if (path === '/v2/') return `${method} /v2/`;
  const part = /\/(blobs\/uploads|blobs|manifests|tags|referrers)\//.exec(path);
  return `${method} ${part?.[1] ?? path}`;
}

function count(trace: string, pattern: RegExp): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of trace.split('\n')) {
    const match = pattern.exec(line);
    if (match === null) continue;
    const key = kind(match[1] as string, match[2] as string);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function table(gantry: Map<string, number>, skopeo: Map<string, number>): string {
  const keys = [...new Set([...gantry.keys(), ...skopeo.keys()])].sort();
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const rows = keys.map(
    (k) => `| ${k} | ${gantry.get(k) ?? 0} | ${skopeo.get(k) ?? 0} |`,
  );
  return [
    '| request | gantry | skopeo |',
    '| --- | ---: | ---: |',
    ...rows,
    `| **total** | ${total(gantry)} | ${total(skopeo)} |`,
  ].join('\n');
}

async function traces(a: string, b: string, dir: string, show: boolean): Promise<void> {
  const client = new RegistryClient();
  const image = await pushImage(client, `${a}/bench/app:1`, IMAGE, dir);
  await client.close();

  const options = { maxBuffer: MAX_TRACE_BYTES };
  const gantryArgs = [GANTRY_BIN, '--debug', 'copy', image.reference];
  const fresh = await run(process.execPath, [...gantryArgs, `${b}/g/app:1`], options);
  const again = await run(process.execPath, [...gantryArgs, `${b}/g/app:1`], options);
  const skopeoArgs = (to: string) => [
    '--debug',
    'copy',
    '--all',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    `docker://${image.reference}`,
    `docker://${to}`,
  ];
  const skopeo = await run(SKOPEO, skopeoArgs(`${b}/s/app:1`), options);
  const skopeoAgain = await run(SKOPEO, skopeoArgs(`${b}/s/app:1`), options);

  if (show) process.stdout.write(`${fresh.stderr}\n`);
  const lines = [
    '### A → B, fresh destination',
    table(count(fresh.stderr, GANTRY_REQUEST), count(skopeo.stderr, SKOPEO_REQUEST)),
    '',
    '### A → B again, all present',
    table(count(again.stderr, GANTRY_REQUEST), count(skopeoAgain.stderr, SKOPEO_REQUEST)),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

const dir = mkdtempSync(join(tmpdir(), 'gantry-requests-'));
const registries: RunningRegistry[] = [];
try {
  registries.push(await startRegistry('plain'), await startRegistry('plain'));
  const [a, b] = registries.map((r) => r.host) as [string, string];
  await traces(a, b, dir, process.argv.includes('--show'));
} finally {
  await Promise.allSettled(registries.map((r) => r.stop()));
  rmSync(dir, { recursive: true, force: true });
}
