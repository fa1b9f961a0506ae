import { open } from 'node:fs/promises';
import {
  type LayerInput,
  readTarEntries,
  tarSourceFromFile,
} from '../../../src/index.js';

/**
 * The base images the example makes from Debian packages, as a distroless
 * image would be made: the packages' files as they ship, plus what their
 * maintainer scripts would have made, since nothing runs in the image.
 */

export interface BaseSpec {
  /** The tag in the bases layout: `oci:bases:<tag>`. */
  tag: string;
  title: string;
  packages: string[];
  /** `Cmd` of the image, if any. */
  cmd?: string[];
  /** Files no package ships, made from the packages' data tars by name. */
  extra?: (dataTars: ReadonlyMap<string, string>) => Promise<LayerInput[]>;
}

/**
 * The applets linked into /bin, as `busybox --install -s /bin` would link
 * them; a fixed list, since the arm64 busybox cannot be run here to ask.
 * Each is built into Debian's busybox-static.
 */
// biome-ignore format: one list of words
export const BUSYBOX_APPLETS = [
  'sh', 'ash', 'cat', 'chmod', 'cp', 'date', 'echo', 'env', 'false', 'find',
  'grep', 'gzip', 'head', 'id', 'ln', 'ls', 'mkdir', 'mv', 'ps', 'pwd', 'rm',
  'sed', 'sleep', 'sort', 'tail', 'tar', 'touch', 'true', 'uname', 'wc',
  'wget', 'which', 'xargs',
];

/** Where Debian's ca-certificates ships the Mozilla roots. */
const MOZILLA_CERTS = 'usr/share/ca-certificates/mozilla/';
/** The bundle update-ca-certificates(8) writes; OpenSSL, Go and curl read it. */
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export const BASES: BaseSpec[] = [
  {
    tag: 'busybox',
    title: 'busybox',
    packages: ['busybox-static'],
    cmd: ['/bin/sh'],
    extra: async () =>
      BUSYBOX_APPLETS.map((applet) => ({
        symlink: 'busybox',
        destination: `/bin/${applet}`,
      })),
  },
  {
    tag: 'bookworm',
    title: 'bookworm-libc',
    // distroless "base" minus OpenSSL: glibc and the files every program expects.
    packages: [
      'base-files',
      'netbase',
      'tzdata',
      'libgcc-s1',
      'libc6',
      'ca-certificates',
    ],
    extra: async (tars) => [
      { content: await caBundle(tars.get('ca-certificates')!), destination: CA_BUNDLE },
    ],
  },
];

/**
 * The CA bundle as update-ca-certificates makes it on a fresh install:
 * every shipped Mozilla certificate in name order, each ending in a
 * newline, concatenated.
 */
export async function caBundle(dataTar: string): Promise<string> {
  const handle = await open(dataTar, 'r');
  try {
    const certs: { path: string; text: string }[] = [];
    const source = tarSourceFromFile(handle);
    for await (const entry of readTarEntries(source, dataTar)) {
      if (entry.type !== 'file' || !entry.path.startsWith(MOZILLA_CERTS)) continue;
      if (!entry.path.endsWith('.crt')) continue;
      const bytes = await source.read(entry.dataOffset, entry.size);
      certs.push({ path: entry.path, text: Buffer.from(bytes).toString('utf8') });
    }
    certs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return certs.map(({ text }) => (text.endsWith('\n') ? text : `${text}\n`)).join('');
  } finally {
    await handle.close();
  }
}
