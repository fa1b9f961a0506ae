import { ErrorCode, isGantryError } from '../errors.js';
import type { Descriptor } from '../oci/descriptor.js';
import type { Digest } from '../oci/digest.js';
import { MAX_MANIFEST_BYTES, type Manifest, parseManifest } from '../oci/manifest.js';
import { describeRef } from '../reference/target-ref.js';
import type { ReadTarget } from '../store/target.js';
import { onSide, throwIfAborted } from './errors.js';
import type { Limit } from './limit.js';
import {
  distinctBlobs,
  isForeignListTag,
  messageOf,
  order,
  planned,
} from './plan-graph.js';
import { selectPlatforms } from './platforms.js';
import type { CopyEvent, CopyOptions } from './types.js';

/**
 * The plan of a copy, computed from the source alone before any manifest
 * or tag is written (DESIGN.md, "Plan, then act"): every manifest reachable
 * from the root (index → nested indexes → image manifests, attestations
 * included), with its exact bytes, then the referrers of any of them,
 * recursively; and the distinct blobs they name. Each manifest is read once
 * (a map by digest), so a graph with a cycle through `subject` (an index
 * whose subject is its own child) ends. Blobs may start moving while the
 * plan is made (`onNode`): a blob no manifest names yet changes nothing a
 * user can see.
 */

export interface PlannedManifest {
  /** As pushed: media type, digest and size of `manifest.bytes`. */
  descriptor: Descriptor;
  manifest: Manifest;
  /** Index entries that are manifests or indexes. */
  children: Descriptor[];
  /** Config and layers, or index entries that are not manifests. */
  blobs: Descriptor[];
}

export interface CopyPlan {
  sourceDigest: Digest;
  root: PlannedManifest;
  /** Children before parents; referrers after their subjects. */
  manifests: PlannedManifest[];
  /** Distinct blobs, in the order the manifests name them. */
  blobs: Descriptor[];
  /** How many of `manifests` were found as referrers. */
  referrers: number;
}

export interface PlanContext {
  source: ReadTarget;
  limit: Limit;
  emit: (event: CopyEvent) => void;
  signal?: AbortSignal;
  /** What `sourceRef` names, when the caller has resolved it already. */
  resolved?: Descriptor;
  /** The root as it will be pushed (a platform subset made), before the walk. */
  onRoot?: (root: PlannedManifest) => void;
  /**
   * Each manifest as it joins the graph, so its blobs can start moving while
   * the rest is read; `fromRoot` is false for a referrer and what it names.
   */
  onNode?: (node: PlannedManifest, fromRoot: boolean) => void;
}

export async function planCopy(
  context: PlanContext,
  sourceRef: string,
  options: Pick<CopyOptions, 'platforms' | 'referrers'>,
): Promise<CopyPlan> {
  const { source } = context;
  const resolved =
    context.resolved ??
    (await onSide('source', undefined, () => source.resolve(sourceRef)));
  const walker = new Walker(context, options.referrers !== false);
  let root = await walker.read(resolved);

  const platforms = options.platforms ?? [];
  if (platforms.length > 0 && root.manifest.kind === 'index') {
    const where = describeRef(source, sourceRef);
    const subset = selectPlatforms(root.manifest, platforms, where);
    if (subset !== undefined) root = walker.adopt(subset);
  }

  context.onRoot?.(root);
  await walker.walk(root, true);
  const referrers = await walker.referrers();
  const manifests = order(walker.graph, [root, ...referrers]);
  return {
    sourceDigest: resolved.digest,
    root,
    manifests,
    blobs: distinctBlobs(manifests),
    referrers: referrers.length,
  };
}

class Walker {
  readonly graph = new Map<string, PlannedManifest>();
  readonly #reading = new Map<string, Promise<PlannedManifest>>();
  readonly #context: PlanContext;
  /** Whether referrers are looked up at all. */
  readonly #withReferrers: boolean;
  /**
   * The referrers of each manifest in the graph, in graph order, asked for
   * as soon as it joins, so the lookups overlap the rest of the walk.
   */
  readonly #lists: Promise<Descriptor[]>[] = [];

  constructor(context: PlanContext, withReferrers: boolean) {
    this.#context = context;
    this.#withReferrers = withReferrers;
  }

  /** Reads one manifest from the source, once per digest. */
  read(descriptor: Descriptor): Promise<PlannedManifest> {
    const key = descriptor.digest.toString();
    let reading = this.#reading.get(key);
    if (reading === undefined) {
      reading = this.#context.limit(() => {
        throwIfAborted(this.#context.signal);
        return this.#fetch(descriptor);
      });
      this.#reading.set(key, reading);
    }
    return reading;
  }

  /** A manifest made here (a platform subset), not read from the source. */
  adopt(manifest: Manifest): PlannedManifest {
    const node = planned(manifest);
    this.#reading.set(manifest.digest.toString(), Promise.resolve(node));
    return node;
  }

  /** Adds `node` and everything below it to the graph. */
  async walk(node: PlannedManifest, fromRoot: boolean): Promise<void> {
    const key = node.descriptor.digest.toString();
    if (this.graph.has(key)) return;
    this.graph.set(key, node);
    this.#context.onNode?.(node, fromRoot);
    if (this.#withReferrers) {
      const list = this.#referrersOf(node.descriptor.digest);
      // Awaited in referrers(); a failure meanwhile is no unhandled rejection.
      list.catch(() => undefined);
      this.#lists.push(list);
    }
    const children = await Promise.all(node.children.map((child) => this.read(child)));
    await Promise.all(children.map((child) => this.walk(child, fromRoot)));
  }

  /**
   * Referrers of every manifest in the graph, until no new one appears (a
   * referrer joins the graph and is asked for its own). Returns the
   * referrers added, in the order they were found.
   */
  async referrers(): Promise<PlannedManifest[]> {
    const found: PlannedManifest[] = [];
    for (let i = 0; i < this.#lists.length; i++) {
      for (const descriptor of await this.#lists[i]!) {
        if (this.graph.has(descriptor.digest.toString())) continue;
        const node = await this.#readReferrer(descriptor);
        if (node === undefined || this.graph.has(node.descriptor.digest.toString())) {
          continue;
        }
        await this.walk(node, false);
        found.push(node);
      }
    }
    return found;
  }

  #referrersOf(subject: Digest): Promise<Descriptor[]> {
    const source = this.#context.source;
    return this.#context.limit(() =>
      onSide('source', subject, () =>
        source.referrers(subject).catch((error: unknown) => {
          if (!isForeignListTag(error)) throw error;
          const why = messageOf(error);
          const message = `source: referrers of ${subject} not listed: ${why}`;
          this.#context.emit({ type: 'warning', message });
          return [];
        }),
      ),
    );
  }

  /** A referrer listed but missing (a stale tag-schema entry) is skipped. */
  async #readReferrer(descriptor: Descriptor): Promise<PlannedManifest | undefined> {
    try {
      return await this.read(descriptor);
    } catch (error) {
      if (!isGantryError(error, ErrorCode.NotFound)) throw error;
      const message = `source lists referrer ${descriptor.digest} but does not hold it`;
      this.#context.emit({ type: 'warning', message });
      return undefined;
    }
  }

  async #fetch(descriptor: Descriptor): Promise<PlannedManifest> {
    const source = this.#context.source;
    const manifest = await onSide('source', descriptor.digest, async () => {
      const bytes = await source.fetchBytes(descriptor, MAX_MANIFEST_BYTES);
      return parseManifest(bytes, {
        expectedDigest: descriptor.digest,
        descriptorMediaType: descriptor.mediaType,
        where: `manifest ${descriptor.digest} in ${source.description}`,
      });
    });
    return planned(manifest);
  }
}
