import { join } from 'node:path';
import {
  buildImages,
  type Digest,
  type LayerInput,
  type OciLayoutTarget,
  type PlatformBuild,
  parsePlatform,
  pushBuild,
  type RegistryClient,
  SCRATCH,
} from '../../../src/index.js';
import {
  type ArchiveOptions,
  fetchDeb,
  findPackages,
  type PackageEntry,
  type Release,
  SUITE,
} from './archive.js';
import type { BaseSpec } from './bases.js';
import { dataTar } from './deb.js';

/**
 * One base image from Debian packages: per architecture one layer holding
 * every package's files (owner 0:0, modes, symlinks and hard links as in
 * the packages, times set to the epoch), a config with PATH and labels
 * naming the packages, and a two-platform OCI index tagged in the layout.
 */

/** Debian's default PATH for root (base-files' /etc/profile). */
export const DEBIAN_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** The architectures the example releases, in Debian's and OCI's words alike. */
export const ARCHITECTURES = ['amd64', 'arm64'] as const;

export interface BaseContext {
  archive: ArchiveOptions;
  release: Release;
  client: RegistryClient;
  layout: OciLayoutTarget;
  /** Seconds; every entry time, `created` and history time. */
  epoch: number;
  /** gantry's layer cache folder (its default when undefined), or false. */
  layerCache?: string | false;
}

export interface MadeBase {
  tag: string;
  digest: Digest;
  platforms: { platform: string; digest: Digest; packages: PackageEntry[] }[];
}

export async function makeBase(spec: BaseSpec, context: BaseContext): Promise<MadeBase> {
  const builds: PlatformBuild[] = [];
  const packages = new Map<string, PackageEntry[]>();
  for (const architecture of ARCHITECTURES) {
    const found = await findPackages(
      context.release,
      architecture,
      spec.packages,
      context.archive,
    );
    packages.set(architecture, found);
    builds.push(await platformBuild(spec, architecture, found, context));
  }

  const result = await buildImages(builds, {
    client: context.client,
    epoch: context.epoch,
    ...(context.layerCache === undefined ? {} : { cacheDir: context.layerCache }),
    index: true,
  });
  try {
    await pushBuild(result, context.layout, [spec.tag]);
  } finally {
    await result.dispose();
  }
  return {
    tag: spec.tag,
    digest: result.root.digest,
    platforms: result.manifests.map((built) => ({
      platform: `${built.platform.os}/${built.platform.architecture}`,
      digest: built.manifest.digest,
      packages: packages.get(built.platform.architecture) ?? [],
    })),
  };
}

async function platformBuild(
  spec: BaseSpec,
  architecture: string,
  found: PackageEntry[],
  context: BaseContext,
): Promise<PlatformBuild> {
  const tars = new Map<string, string>();
  for (const entry of found) {
    const deb = await fetchDeb(entry, context.archive);
    tars.set(entry.name, await dataTar(deb, join(context.archive.cacheDir, 'data')));
  }
  const inputs: LayerInput[] = [...tars.values()].map((source) => ({
    source,
    destination: '/',
    extract: true,
    uid: 0,
    gid: 0,
  }));
  inputs.push(...((await spec.extra?.(tars)) ?? []));

  const list = found.map((entry) => `${entry.name} ${entry.version}`).join(', ');
  return {
    platform: parsePlatform(`linux/${architecture}`),
    base: SCRATCH,
    steps: [
      { kind: 'layer', inputs, createdBy: `debian ${SUITE} ${architecture}: ${list}` },
      {
        kind: 'config',
        changes: {
          Env: { PATH: DEBIAN_PATH },
          ...(spec.cmd === undefined ? {} : { Cmd: spec.cmd }),
          Labels: labels(spec, list, context),
        },
        createdBy: 'gantry example: PATH and labels',
      },
    ],
  };
}

/** image-spec annotations.md keys, used as config labels. */
function labels(spec: BaseSpec, list: string, context: BaseContext) {
  return {
    'org.opencontainers.image.title': spec.title,
    'org.opencontainers.image.description': `Debian ${SUITE} packages: ${list}`,
    'org.opencontainers.image.version': context.release.version,
    'org.opencontainers.image.source': `${context.archive.mirror}/dists/${SUITE}/`,
  };
}
