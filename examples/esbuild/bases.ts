import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  GantryError,
  OciLayoutTarget,
  RegistryClient,
  resolveEpoch,
} from '../../src/index.js';
import { DEFAULT_MIRROR, readRelease } from './debian/archive.js';
import { BASES } from './debian/bases.js';
import { type MadeBase, makeBase } from './debian/build-base.js';

/**
 * Makes the example's base images from Debian bookworm packages for
 * linux/amd64 and linux/arm64 into the OCI layout `bases/` beside this file
 * (`oci:bases:busybox`, `oci:bases:bookworm`), with nothing but node: the
 * packages are downloaded once into `.cache/` and checked, then read and
 * assembled by gantry's own layer and image code.
 *
 *   node --import tsx examples/esbuild/bases.ts
 *
 * DEBIAN_MIRROR picks another mirror; SOURCE_DATE_EPOCH the time stamped
 * on every file (the same inputs and epoch give the same digests).
 */

export const EXAMPLE_DIR = dirname(fileURLToPath(import.meta.url));
/** Downloads: InRelease, Packages.gz per architecture, the `.deb` files. */
export const DEFAULT_CACHE_DIR = join(EXAMPLE_DIR, '.cache', 'debian');
/** The layout release.yaml's variants name as `oci:bases:<tag>`. */
export const DEFAULT_LAYOUT_DIR = join(EXAMPLE_DIR, 'bases');

export interface MakeBasesOptions {
  layoutDir?: string;
  cacheDir?: string;
  mirror?: string;
  /** Seconds; SOURCE_DATE_EPOCH, else gantry's default layer epoch. */
  epoch?: number;
  /** gantry's layer cache: an unchanged base compresses nothing. */
  layerCache?: string | false;
  onBase?: (base: MadeBase) => void;
}

export async function makeBases(options: MakeBasesOptions = {}): Promise<MadeBase[]> {
  const archive = {
    mirror: options.mirror ?? process.env.DEBIAN_MIRROR ?? DEFAULT_MIRROR,
    cacheDir: options.cacheDir ?? DEFAULT_CACHE_DIR,
  };
  const layoutDir = options.layoutDir ?? DEFAULT_LAYOUT_DIR;
  const layout = await OciLayoutTarget.open(layoutDir, { create: true });
  const client = new RegistryClient();
  try {
    const release = await readRelease(archive);
    const epoch = resolveEpoch(options.epoch);
    const made: MadeBase[] = [];
    for (const spec of BASES) {
      const context = { archive, release, client, layout, epoch };
      const base = await makeBase(spec, { ...context, layerCache: options.layerCache });
      options.onBase?.(base);
      made.push(base);
    }
    return made;
  } finally {
    await client.close();
  }
}

function describe(base: MadeBase): string {
  const lines = [`bases: oci:bases:${base.tag} ${base.digest}`];
  for (const { platform, digest, packages } of base.platforms) {
    const list = packages.map((entry) => `${entry.name} ${entry.version}`).join(', ');
    lines.push(`  ${platform} ${digest}  ${list}`);
  }
  return lines.join('\n');
}

const invokedDirectly =
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  makeBases({ onBase: (base) => console.log(describe(base)) }).catch((error) => {
    const hint =
      error instanceof GantryError && error.hint ? `\nhint: ${error.hint}` : '';
    console.error(
      `bases: error: ${error instanceof Error ? error.message : error}${hint}`,
    );
    process.exitCode = 1;
  });
}
