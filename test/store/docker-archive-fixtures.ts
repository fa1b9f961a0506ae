import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { extract, type Header, pack } from 'tar-stream';
import type { Descriptor } from '../../src/oci/descriptor.js';
import { Digest } from '../../src/oci/digest.js';
import { MediaType } from '../../src/oci/mediatype.js';
import { encode } from './support.js';

/**
 * Test content for the docker-save archive tests: real tar layers, configs
 * whose diff IDs match them, and tars of any shape (links and hostile
 * names included) written with tar-stream.
 */

export interface TarFile {
  name: string;
  bytes?: Uint8Array;
  type?: Header['type'];
  linkname?: string;
}

/** The bytes of a tar holding `files` in order. */
export async function tarBytes(files: readonly TarFile[]): Promise<Uint8Array> {
  const tar = pack();
  const parts: Buffer[] = [];
  tar.on('data', (chunk: unknown) => {
    parts.push(chunk as Buffer);
  });
  const ended = new Promise<void>((resolve, reject) => {
    tar.on('end', () => resolve());
    tar.on('error', reject);
  });
  for (const file of files) {
    const bytes = file.bytes ?? new Uint8Array();
    const header = {
      name: file.name,
      type: file.type ?? 'file',
      mode: 0o644,
      mtime: new Date(0),
      ...(file.linkname === undefined ? {} : { linkname: file.linkname }),
    };
    if (header.type === 'file') tar.entry({ ...header, size: bytes.byteLength }, bytes);
    else tar.entry(header);
  }
  tar.finalize();
  await ended;
  return new Uint8Array(Buffer.concat(parts));
}

export async function writeTar(dir: string, name: string, files: readonly TarFile[]) {
  const path = join(dir, name);
  await writeFile(path, await tarBytes(files));
  return path;
}

export interface Layer {
  /** As stored: an uncompressed tar, or its gzip. */
  bytes: Uint8Array;
  descriptor: Descriptor;
  diffId: Digest;
}

/** A layer holding one file of `content`. */
export async function tarLayer(path: string, content: string | Uint8Array) {
  const bytes = await tarBytes([
    { name: path, bytes: typeof content === 'string' ? encode(content) : content },
  ]);
  return layerOf(bytes, MediaType.DockerLayer, Digest.of(bytes));
}

export async function gzipLayer(path: string, content: string): Promise<Layer> {
  const tar = await tarBytes([{ name: path, bytes: encode(content) }]);
  const bytes = new Uint8Array(gzipSync(tar));
  return layerOf(bytes, MediaType.DockerLayerGzip, Digest.of(tar));
}

function layerOf(bytes: Uint8Array, mediaType: string, diffId: Digest): Layer {
  const descriptor = { mediaType, digest: Digest.of(bytes), size: bytes.byteLength };
  return { bytes, descriptor, diffId };
}

/** A Docker image config for `layers`, its diff IDs in order. */
export function configFor(layers: readonly Layer[], seed = 'docker-archive') {
  const bytes = encode(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: { seed } },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId.toString()) },
    }),
  );
  const descriptor: Descriptor = {
    mediaType: MediaType.DockerConfig,
    digest: Digest.of(bytes),
    size: bytes.byteLength,
  };
  return { bytes, descriptor };
}

export const json = (value: unknown): Uint8Array => encode(JSON.stringify(value));

/** Every regular file of a tar, by name (for small test archives). */
export async function tarFiles(path: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const tar = extract();
  const reading = pipeline(createReadStream(path), tar);
  for await (const entry of tar) {
    const parts: Buffer[] = [];
    for await (const chunk of entry) parts.push(chunk as Buffer);
    if (entry.header.type === 'file') files.set(entry.header.name, Buffer.concat(parts));
  }
  await reading;
  return files;
}

export function jsonOf(files: Map<string, Uint8Array>, name: string): unknown {
  const bytes = files.get(name);
  if (bytes === undefined) throw new Error(`${name} is not in the archive`);
  return JSON.parse(new TextDecoder().decode(bytes));
}
