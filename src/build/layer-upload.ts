import { once } from 'node:events';
import { PassThrough, Transform } from 'node:stream';
import type { Digest } from '../oci/digest.js';
import type { Reference } from '../reference/reference.js';
import type { RegistryClient } from '../registry/client.js';
import { withDigestQuery } from '../registry/location.js';
import type { RegistrySession } from '../registry/types.js';
import { cancelUpload, nextLocation, startUpload } from '../registry/upload.js';

/**
 * A layer uploaded while it is compressed: `POST` opens an upload session,
 * the compressed bytes go into one `PATCH` as they come (chunked transfer
 * coding: the size is not known yet), and once the layer is done an empty
 * `PUT ?digest=` closes it (distribution-spec, "Pushing a blob in chunks";
 * distribution 2.8 takes a PATCH of any length, REGISTRY-NOTES.md). The
 * registry checks the bytes against the digest, so nothing unverified is
 * stored.
 *
 * It is only a head start. Whatever fails here is dropped, never thrown:
 * the upload is cancelled and the push that follows the build finds the
 * layer missing and sends it from its file as usual. A build that fails
 * closes nothing, so no blob is stored for it.
 */

/** Bytes the request body holds before the compressor waits for the socket. */
const BODY_BUFFER = 1024 * 1024;

export class LayerUpload {
  readonly #session: RegistrySession;
  readonly #repo: Reference;
  readonly #body = new PassThrough({ highWaterMark: BODY_BUFFER });
  readonly #opened: string;
  readonly #patch: Promise<string>;
  readonly #onStored: ((digest: Digest) => void) | undefined;
  #failed = false;

  private constructor(
    session: RegistrySession,
    repo: Reference,
    location: string,
    onStored: ((digest: Digest) => void) | undefined,
  ) {
    this.#onStored = onStored;
    this.#session = session;
    this.#repo = repo;
    this.#opened = location;
    // The request reports a broken body; the stream itself must not throw.
    this.#body.on('error', ignore);
    this.#patch = this.#send(location);
    this.#patch.catch(() => {
      this.#failed = true;
    });
  }

  /** Opens the session, or gives undefined when the registry will not. */
  static async open(
    client: RegistryClient,
    repo: Reference,
    onStored?: (digest: Digest) => void,
  ): Promise<LayerUpload | undefined> {
    const session = client.session(repo.registry);
    try {
      const { location } = await startUpload(session, repo);
      return new LayerUpload(session, repo, location, onStored);
    } catch {
      return undefined;
    }
  }

  /** Closes the upload under `digest`; true when the registry holds the layer. */
  async finish(digest: Digest): Promise<boolean> {
    this.#body.end();
    let location: string | undefined;
    try {
      location = await this.#patch;
      await this.#close(location, digest);
      this.#onStored?.(digest);
      return true;
    } catch {
      if (location !== undefined) await cancelUpload(this.#session, this.#repo, location);
      return false;
    }
  }

  /** The layer failed: the body breaks off, and the session is cancelled. */
  async abort(): Promise<void> {
    this.#body.destroy();
    const location = await this.#patch.catch(() => this.#opened);
    await cancelUpload(this.#session, this.#repo, location);
  }

  /** Sends `chunk`, waiting while the socket is full; never fails. */
  async write(chunk: Buffer): Promise<void> {
    if (this.#failed || this.#body.write(chunk)) return;
    const drained = once(this.#body, 'drain').then(ignore, ignore);
    await Promise.race([drained, this.#patch.then(ignore, ignore)]);
  }

  async #send(location: string): Promise<string> {
    const response = await this.#session.request({
      method: 'PATCH',
      url: location,
      headers: { 'content-type': 'application/octet-stream' },
      body: this.#body,
      scopes: [this.#repo.scope(['pull', 'push'])],
      expect: [202],
      operation: 'layer upload while compressing',
    });
    await response.dump();
    return nextLocation(response, location);
  }

  async #close(location: string, digest: Digest): Promise<void> {
    const response = await this.#session.request({
      method: 'PUT',
      url: withDigestQuery(location, digest),
      headers: { 'content-type': 'application/octet-stream', 'content-length': '0' },
      body: new Uint8Array(0),
      scopes: [this.#repo.scope(['pull', 'push'])],
      expect: [201],
      operation: `layer upload ${digest}`,
    });
    await response.dump();
    const stored = response.headers['docker-content-digest'];
    if (stored !== undefined && !digest.equals(stored.trim())) {
      throw new Error('the registry stored another digest');
    }
  }
}

/**
 * A pass-through stage that also sends each chunk to the upload once it is
 * open (or to none, when it did not open).
 */
export function uploadStage(opening: Promise<LayerUpload | undefined>): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      opening.then((upload) => upload?.write(chunk)).then(() => done(null, chunk), done);
    },
  });
}

function ignore(): void {}
