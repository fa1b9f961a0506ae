import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ErrorCode, GantryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Platform } from '../oci/platform.js';
import type { RegistryClient } from '../registry/client.js';
import { resolveBase } from './base.js';
import { MapTree, type TreeNode } from './dockerfile-tree.js';
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX } from './entries.js';
import { readTarEntries, type TarEntry, tarSourceFromFile } from './tar-read.js';

/**
 * The file tree of an image, read from its layers, for `COPY --from` an
 * image or a stage on an image base (the only place gantry reads layers).
 * Layers apply in order (image-spec layer.md, "Applying Changesets"):
 * whiteouts hide lower paths, entries replace paths.
 *
 * Hard links (field case BR-24): a layer entry replaces a path, not an
 * inode. Every regular file is written to a file of its own that is never
 * changed afterwards, and a hard link takes the node its target has when
 * the link is applied; so a target name overwritten by a later layer does
 * not change what older links hold.
 */

export async function loadImageTree(
  ref: string,
  platform: Platform,
  options: { client: RegistryClient; scratch: string },
): Promise<MapTree> {
  const base = await resolveBase(ref, platform, { client: options.client });
  const tree = new MapTree(`image ${ref}`, true);
  const folder = join(
    options.scratch,
    `image-${Date.now()}-${Math.random().toString(16).slice(2)}`,
  );
  await mkdir(folder, { recursive: true });
  const files = { folder, count: 0 };

  for (const [index, layer] of base.manifest.layers.entries()) {
    const what = `layer ${index + 1} of ${ref}`;
    const tar = join(folder, `layer-${index}.tar`);
    const stream = await base.source.fetch(layer);
    await pipeline(stream, decompressor(layer, what), createWriteStream(tar));
    await applyLayer(tree, tar, what, files);
    await rm(tar, { force: true });
  }
  return tree;
}

/** Applies one uncompressed layer tar to `tree`; file content goes to `files.folder`. */
export async function applyLayer(
  tree: MapTree,
  tar: string,
  what: string,
  files: { folder: string; count: number },
): Promise<void> {
  const handle = await open(tar, 'r');
  try {
    const entries: TarEntry[] = [];
    for await (const entry of readTarEntries(tarSourceFromFile(handle), what)) {
      refuseClimbing(entry.path, what);
      if (entry.path !== '') entries.push(entry);
    }
    // Whiteouts hide what lower layers hold, wherever they stand in this tar.
    for (const entry of entries) applyWhiteout(tree, entry.path);
    for (const entry of entries) {
      const name = entry.path.slice(entry.path.lastIndexOf('/') + 1);
      if (name.startsWith(WHITEOUT_PREFIX)) continue;
      const node = await nodeOf(tree, entry, tar, what, files);
      if (node !== undefined) tree.put(entry.path, node);
    }
  } finally {
    await handle.close();
  }
}

/**
 * An image layer entry with a ".." segment would land outside the root it
 * is unpacked under (docker and containerd refuse such layers too); the
 * reader already drops a leading "/", so absolute names stay inside.
 */
function refuseClimbing(path: string, what: string): void {
  if (!path.split('/').includes('..')) return;
  throw new GantryError(
    ErrorCode.InvalidArchive,
    `${what}: entry "${path}" climbs out of the image root with ".."`,
    { hint: 'the image layer is damaged or hostile; rebuild it with a trusted tool' },
  );
}

function applyWhiteout(tree: MapTree, path: string): void {
  const slash = path.lastIndexOf('/');
  const parent = slash < 0 ? '' : path.slice(0, slash);
  const name = path.slice(slash + 1);
  if (name === OPAQUE_WHITEOUT) {
    const prefix = parent === '' ? '' : `${parent}/`;
    for (const key of tree.paths()) {
      if (key !== '' && key !== parent && key.startsWith(prefix)) tree.remove(key);
    }
  } else if (name.startsWith(WHITEOUT_PREFIX)) {
    const hidden = name.slice(WHITEOUT_PREFIX.length);
    tree.remove(parent === '' ? hidden : `${parent}/${hidden}`);
  }
}

async function nodeOf(
  tree: MapTree,
  entry: TarEntry,
  tar: string,
  what: string,
  files: { folder: string; count: number },
): Promise<TreeNode | undefined> {
  const owner = { uid: entry.uid, gid: entry.gid };
  const mode = entry.mode & 0o7777;
  switch (entry.type) {
    case 'file': {
      const source = join(files.folder, `file-${files.count++}`);
      const end = entry.dataOffset + entry.size - 1;
      const input =
        entry.size === 0
          ? Readable.from([])
          : createReadStream(tar, { start: entry.dataOffset, end });
      await pipeline(input, createWriteStream(source));
      return { type: 'file', source, mode, ...owner };
    }
    case 'directory':
      return { type: 'directory', mode, ...owner };
    case 'symlink':
      return { type: 'symlink', target: entry.linkTarget ?? '', ...owner };
    case 'hardlink': {
      const target = (entry.linkTarget ?? '')
        .replace(/^(\.\/|\/)+/, '')
        .replace(/\/+$/, '');
      const linked = tree.get(target);
      if (linked?.type !== 'file') {
        throw new GantryError(
          ErrorCode.InvalidArchive,
          `${what}: hard link ${entry.path} points at "${target}", which is no file`,
          {
            hint: 'the image layer is damaged or was written by a faulty tool',
          },
        );
      }
      return linked;
    }
    default:
      // Devices and FIFOs: nothing COPY could take from a layer.
      return undefined;
  }
}

/** gzip, zstd (through the `zstd` command) or plain, by the layer's media type. */
function decompressor(layer: Descriptor, what: string): Transform {
  const type = layer.mediaType;
  if (type.endsWith('gzip')) return createGunzip();
  if (type.endsWith('zstd')) return zstdDecompressor(what);
  if (type.endsWith('.tar') || type.endsWith('rootfs.diff.tar')) return new PassThrough();
  throw new GantryError(
    ErrorCode.Unsupported,
    `${what}: layer media type ${type} cannot be read`,
    {
      hint: 'COPY --from reads gzip, zstd and uncompressed tar layers',
    },
  );
}

function zstdDecompressor(what: string): Transform {
  const child = spawn('zstd', ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const failed = (cause: unknown) =>
    new GantryError(ErrorCode.Unsupported, `${what}: cannot decompress zstd`, {
      hint: 'install the zstd command to COPY --from zstd layers',
      cause,
    });
  const transform = new Transform({
    transform(chunk, _encoding, done) {
      if (child.stdin.write(chunk)) done();
      else child.stdin.once('drain', () => done());
    },
    flush(done) {
      child.stdout.on('end', () => done());
      child.stdin.end();
    },
  });
  child.stdout.on('data', (chunk: Buffer) => transform.push(chunk));
  child.on('error', (error) => transform.destroy(failed(error)));
  child.on('close', (code) => {
    if (code !== 0 && code !== null)
      transform.destroy(failed(new Error(`zstd exited ${code}`)));
  });
  return transform;
}
