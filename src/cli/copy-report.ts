import type { CopyEvent, CopyOptions, CopyResult, CopyStats } from '../copy/index.js';
import { isIndexType } from '../oci/mediatype.js';
import type { CommandContext } from './context.js';
import { humanSize } from './format.js';
import { writeJson, writeLine, writeMessage } from './io.js';
import { ProgressView } from './progress.js';

/**
 * What `gantry copy` shows: while it runs, a progress view on a terminal
 * (never with `--json`, never when stderr is a pipe); at the end the
 * destination reference with its digest on stdout, a note when the digest
 * is new, and a one-line summary on stderr; or one JSON document.
 */

export interface CopyReport {
  source: string;
  /** The destination as its target describes it: `host/repo`, `oci:DIR`. */
  destination: string;
  results: CopyResult[];
  /** `--all-tags`: JSON lists the images even when there is one. */
  allTags: boolean;
  seconds: number;
}

export interface CopyWatch {
  /** The caller's options plus progress events and Ctrl-C. */
  options: CopyOptions;
  stop(): void;
}

/**
 * Hooks the copy up to the terminal. The first Ctrl-C (SIGINT) aborts the
 * copy between steps, so no tag is written for an incomplete image; a
 * second one ends the process the usual way.
 */
export function watchCopy(context: CommandContext, options: CopyOptions): CopyWatch {
  const { io, json } = context;
  const view =
    io.stderr.isTTY === true && !json ? new ProgressView(io.stderr) : undefined;
  const controller = new AbortController();
  const interrupt = (): void => controller.abort();
  process.once('SIGINT', interrupt);

  const onEvent = (event: CopyEvent): void => {
    if (event.type === 'warning') warn(context, view, event.message);
    if (view === undefined) return;
    if (event.type === 'plan') view.plan(event.blobs, event.bytes);
    else if (event.type === 'blob-start') view.start(event.digest.toString(), event.size);
    else if (event.type === 'blob-progress') {
      view.progress(event.digest.toString(), event.done);
    } else if (event.type === 'blob-done')
      view.finish(event.digest.toString(), event.size);
  };
  return {
    options: { ...options, onEvent, signal: controller.signal },
    stop: () => {
      process.removeListener('SIGINT', interrupt);
      view?.close();
    },
  };
}

function warn(context: CommandContext, view: ProgressView | undefined, text: string) {
  const line = `gantry: warning: ${text}`;
  if (view === undefined) writeMessage(context.io, line);
  else view.message(line);
}

export function reportCopies(context: CommandContext, report: CopyReport): void {
  if (context.json) {
    writeJson(context.io, copyJson(report));
    return;
  }

  for (const result of report.results) {
    const tags = result.tags.length === 0 ? [undefined] : result.tags;
    for (const tag of tags) {
      const named =
        tag === undefined ? report.destination : `${report.destination}:${tag}`;
      writeLine(context.io, `${named}@${result.digest}`);
    }
    if (result.changed) writeMessage(context.io, changedNote(result));
  }
  writeMessage(context.io, summary(report));
}

/** BR-11: a digest that is not the source's is never silent. */
function changedNote(result: CopyResult): string {
  const what = isIndexType(result.mediaType)
    ? `the platform subset is a new index ${result.digest}`
    : `the chosen platform's image is ${result.digest}`;
  return `note: ${what}; it differs from the source ${result.sourceDigest}`;
}

/** `copied sha256:0123abcd4567 in 1.23 s: 12 blobs (10 uploaded, ...), 94 MiB sent` */
function summary(report: CopyReport): string {
  const stats = total(report.results.map((r) => r.stats));
  const what =
    report.results.length === 1
      ? report.results[0]!.digest.toString()
      : `${report.results.length} tags`;
  return (
    `copied ${what} in ${report.seconds.toFixed(2)} s: ` +
    `${stats.uploaded} blobs uploaded, ${stats.mounted} mounted, ` +
    `${stats.skipped} skipped, ${humanSize(stats.bytes)} sent, ` +
    `${stats.manifests} ${stats.manifests === 1 ? 'manifest' : 'manifests'} written`
  );
}

function copyJson(report: CopyReport): Record<string, unknown> {
  const images = report.results.map((result) => ({
    sourceDigest: result.sourceDigest.toString(),
    digest: result.digest.toString(),
    mediaType: result.mediaType,
    size: result.size,
    changed: result.changed,
    tags: result.tags,
    stats: result.stats,
  }));
  const base = { source: report.source, destination: report.destination };
  const seconds = Number(report.seconds.toFixed(3));
  if (!report.allTags) {
    // One image: the destination as the text lines name it, with its tag.
    const tag = report.results[0]!.tags[0];
    const destination =
      tag === undefined ? base.destination : `${base.destination}:${tag}`;
    return { ...base, ...images[0]!, destination, seconds };
  }
  return { ...base, images, stats: total(report.results.map((r) => r.stats)), seconds };
}

function total(all: CopyStats[]): CopyStats {
  const sum: CopyStats = {
    blobs: 0,
    uploaded: 0,
    mounted: 0,
    skipped: 0,
    bytes: 0,
    manifests: 0,
    referrers: 0,
  };
  for (const stats of all) {
    for (const key of Object.keys(sum) as (keyof CopyStats)[]) sum[key] += stats[key];
  }
  return sum;
}
