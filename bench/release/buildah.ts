import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ReleasePlan } from '../../src/release/plan-types.js';
import { BUILDAH } from '../build/tools.js';
import { measure } from '../copy/measure.js';
import { SKOPEO } from '../copy/tools.js';

/**
 * The release as a CI script does it without gantry: per image, in gantry's
 * publication order (base last), a Dockerfile (`FROM` the variant's base in
 * the registry, or `scratch`, plus `COPY` of the platform's binaries) built
 * by `buildah build --isolation chroot` for both platforms into a manifest
 * list, `buildah manifest push --all` to the first registry under the first
 * tag, then `skopeo copy --all` to every further tag and to the second
 * registry. Returns the milliseconds of all of it; storage set-up is untimed.
 */

/** buildah's storage for a run: fresh, on the disk of /var/tmp (see bench/build). */
const STORAGE_PARENT = '/var/tmp';

const INSECURE = ['--tls-verify=false'];

function dockerfile(from: string | undefined): string {
  return [
    `FROM ${from ?? 'scratch'}`,
    'ARG TARGETOS',
    'ARG TARGETARCH',
    'COPY dist/$TARGETOS-$TARGETARCH/tool dist/$TARGETOS-$TARGETARCH/toolx /',
    'ENTRYPOINT ["/tool"]',
    '',
  ].join('\n');
}

/** One image built and pushed to the first tag of the first repository. */
async function buildAndPush(
  flags: string[],
  context: string,
  image: ReleasePlan['images'][number],
  first: string,
): Promise<number> {
  const file = join(context, `${image.name}.Dockerfile`);
  await writeFile(file, dockerfile(image.from));
  const list = `release-${image.name}`;
  const built = await measure(BUILDAH, [
    ...flags,
    'build',
    '--isolation',
    'chroot',
    ...INSECURE,
    '--quiet',
    '--platform',
    'linux/amd64,linux/arm64',
    '--manifest',
    list,
    '-f',
    file,
    context,
  ]);
  const pushed = await measure(BUILDAH, [
    ...flags,
    'manifest',
    'push',
    '--all',
    ...INSECURE,
    '--quiet',
    list,
    `docker://${first}`,
  ]);
  return built.ms + pushed.ms;
}

async function skopeoCopy(from: string, to: string): Promise<number> {
  const args = ['copy', '--all', '--quiet', '--src-tls-verify=false'];
  args.push('--dest-tls-verify=false', `docker://${from}`, `docker://${to}`);
  return (await measure(SKOPEO, args)).ms;
}

/** The whole release by buildah and skopeo into `repositories`; its milliseconds. */
export async function releaseWithBuildah(
  plan: ReleasePlan,
  releaseFile: string,
  repositories: string[],
): Promise<number> {
  const storage = mkdtempSync(join(STORAGE_PARENT, 'gantry-bench-release-'));
  const flags = ['--root', join(storage, 'root'), '--runroot', join(storage, 'run')];
  let ms = 0;
  try {
    for (const name of plan.order) {
      const image = plan.images.find((i) => i.name === name)!;
      const [firstTag, ...others] = image.tags as [string, ...string[]];
      const source = `${repositories[0]}:${firstTag}`;
      ms += await buildAndPush(flags, dirname(releaseFile), image, source);
      for (const tag of others)
        ms += await skopeoCopy(source, `${repositories[0]}:${tag}`);
      for (const repository of repositories.slice(1)) {
        for (const tag of image.tags)
          ms += await skopeoCopy(source, `${repository}:${tag}`);
      }
    }
    return ms;
  } finally {
    // rmi first, so buildah unmounts what it mounted before the folder goes.
    execFileSync(BUILDAH, [...flags, 'rmi', '--all', '--force'], { stdio: 'ignore' });
    rmSync(storage, { recursive: true, force: true });
  }
}
