/**
 * `npm run bench:build`: gantry build against buildah, build and push to a
 * local registry this script starts itself. Not part of `npm test`. Needs
 * root, buildah and debootstrap (apt-get install buildah debootstrap).
 *
 *   (a) FROM scratch + the esbuild binary of each platform, linux/amd64 and
 *       linux/arm64, pushed as an index
 *   (b) a Debian bookworm minbase base (debootstrap, in the registry) + a
 *       COPY of esbuild, linux/amd64 only (debootstrap makes the host's
 *       architecture without emulation)
 *   (a′), (b′) gantry again with a warm layer cache
 *   gzip: bench/build/gzip.ts, gantry's parallel gzip against node zlib
 *
 * Runs alternate between the tools (and which goes first), each pushing to
 * a fresh repository; buildah builds in fresh storage each run, so it pulls
 * the base as a fresh CI runner would. Flags: `--runs N` (default RUNS),
 * `--gzip-mib N` (default: gzip.ts's), `--no-build`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningRegistry, startRegistry } from '../../test/harness/registries.js';
import { buildDist } from '../dist.js';
import { gzipRow, gzipTable } from './gzip-row.js';
import {
  BASE_DOCKERFILE,
  debianRootfsTar,
  derivedDockerfile,
  ESBUILD_VERSION,
  esbuildBinaries,
  SCRATCH_DOCKERFILE,
  writeContext,
} from './inputs.js';
import { log } from './log.js';
import { machine, runsTable, timedTable } from './report.js';
import {
  compare,
  gantryAtLevel,
  type Scenario,
  type TimedRow,
  warmGantry,
} from './scenarios.js';
import { buildahBuild, PLATFORMS, preflight } from './tools.js';

/** At least five runs per tool and scenario, so one outlier moves no median. */
const RUNS = 5;
/** The acceptance target for both cases: gantry in half buildah's time. */
const TARGET_RATIO = 0.5;
/**
 * Extra, information-only rows for (a), to show what gantry's default level
 * (DEFAULT_GZIP_LEVEL, 4) costs against its neighbours: level 1, which
 * go-containerregistry (crane, ko) compresses layers with by default
 * (pkg/v1/tarball/layer.go), and level 6, zlib's own default.
 */
const INFO_GZIP_LEVELS = [1, 6] as const;
/** (b) is built for the architecture debootstrap made its base for. */
const DERIVED_PLATFORMS = ['linux/amd64'] as const;

const MiB = 1024 * 1024;

interface Options {
  runs: number;
  gzipMiB: number | undefined;
  build: boolean;
}

function options(argv: string[]): Options {
  const count = (flag: string): number | undefined => {
    const at = argv.indexOf(flag);
    if (at < 0) return undefined;
    const value = Number(argv[at + 1]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} needs a count`);
    return value;
  };
  return {
    runs: count('--runs') ?? RUNS,
    gzipMiB: count('--gzip-mib'),
    build: !argv.includes('--no-build'),
  };
}

/** The contexts of (a), the base image and (b), in `dir`. */
function contexts(dir: string, host: string) {
  const esbuild = esbuildBinaries();
  const rootfs = debianRootfsTar();
  const base = `${host}/bench/debian:bookworm`;
  return {
    base,
    rootfsMiB: statSync(rootfs).size / MiB,
    esbuildMiB: statSync(esbuild.amd64).size / MiB,
    scratch: writeContext(join(dir, 'scratch'), SCRATCH_DOCKERFILE, {
      'esbuild-amd64': esbuild.amd64,
      'esbuild-arm64': esbuild.arm64,
    }),
    baseImage: writeContext(join(dir, 'base'), BASE_DOCKERFILE, { 'rootfs.tar': rootfs }),
    derived: writeContext(join(dir, 'derived'), derivedDockerfile(base), {
      esbuild: esbuild.amd64,
    }),
  };
}

async function bench(host: string, opts: Options, dir: string): Promise<string> {
  const ctx = contexts(dir, host);
  log(`pushing the base ${ctx.base} (buildah, once, untimed)`);
  await buildahBuild({
    context: ctx.baseImage,
    platforms: ['linux/amd64'],
    destination: ctx.base,
  });

  const esbuild = `esbuild ${ESBUILD_VERSION} (${ctx.esbuildMiB.toFixed(1)} MiB each)`;
  const a: Scenario = {
    title: `(a) FROM scratch + ${esbuild}, 2 platforms`,
    label: 'esbuild',
    context: ctx.scratch,
    platforms: PLATFORMS,
  };
  const b: Scenario = {
    title: `(b) bookworm minbase (${ctx.rootfsMiB.toFixed(0)} MiB) + COPY esbuild, amd64`,
    label: 'derived',
    context: ctx.derived,
    platforms: DERIVED_PLATFORMS,
  };
  const rows: TimedRow[] = [];
  for (const scenario of [a, b]) {
    const cold = await compare(host, opts.runs, scenario, TARGET_RATIO);
    rows.push(cold, await warmGantry(host, opts.runs, scenario, cold));
    if (scenario === a) {
      for (const level of INFO_GZIP_LEVELS) {
        rows.push(await gantryAtLevel(host, opts.runs, a, cold, level));
      }
    }
  }
  log('gzip throughput (bench/build/gzip.ts)');
  const gzip = await gzipRow(opts.gzipMiB);

  return [
    `### gantry build vs buildah build (runs: ${opts.runs} each, medians)`,
    '',
    timedTable(rows),
    '',
    gzipTable(gzip),
    '',
    'Each run builds and pushes into a fresh repository of one local registry. ' +
      'gantry: `gantry build --platform … --output REF --no-cache`. buildah: ' +
      '`buildah build --isolation chroot` (with `--manifest` for two platforms) ' +
      'then `buildah manifest push --all` (or `buildah push`), in a fresh storage ' +
      'each run: it pulls the base every time, as a fresh CI runner does, and ' +
      'keeps no blob-info cache between runs. The warm rows fill a gantry layer ' +
      "cache once, untimed, and compare with buildah's runs above; so do the " +
      `rows at gzip levels ${INFO_GZIP_LEVELS.join(' and ')}, for information. The base of ` +
      '(b) is pushed once by buildah (`FROM scratch` + `ADD rootfs.tar /`).',
    '',
    'Machine:',
    '',
    machine(),
    '',
    '<details><summary>every run</summary>',
    '',
    runsTable(rows),
    '',
    '</details>',
  ].join('\n');
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  const start = performance.now();
  preflight();
  if (opts.build) {
    buildDist(log);
  }

  const dir = mkdtempSync(join(tmpdir(), 'gantry-bench-build-'));
  // gantry's compile cache (bin/gantry.cjs) starts empty in a folder of the
  // bench's own: each command's first timed run compiles, the rest reuse it.
  process.env.XDG_CACHE_HOME = join(dir, 'xdg-cache');
  let registry: RunningRegistry | undefined;
  try {
    registry = await startRegistry('plain');
    process.stdout.write(`${await bench(registry.host, opts, dir)}\n`);
    log(`the benchmark took ${((performance.now() - start) / 1000).toFixed(0)} s`);
  } finally {
    await registry?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
