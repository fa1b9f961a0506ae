import type { ActionsRelease } from './github-actions.js';

/**
 * The Markdown step summary of a release (GitHub's "Adding a job summary":
 * GitHub Flavored Markdown appended to the GITHUB_STEP_SUMMARY file): a
 * heading, one table row per image and destination with the image's
 * platforms, digest and tags there, the tag counts, the verification
 * result and the record file.
 */

/** Failures listed one by one; the rest are counted (the record has all). */
export const MAX_SUMMARY_FAILURES = 20;

const TABLE_HEADER = [
  '| Image | Platforms | Digest | Destination | Tags |',
  '| --- | --- | --- | --- | --- |',
];

/** How each tag change reads in a table cell. */
const CHANGE_WORDS = {
  new: 'new',
  moves: 'moved',
  stays: 'unchanged',
  held: 'kept (newer release)',
} as const;

export function actionsSummary(release: ActionsRelease): string {
  const title = release.dryRun
    ? `## gantry release ${text(release.version)} (dry-run: nothing written)`
    : `## gantry release ${text(release.version)}`;
  const lines = [title, '', ...TABLE_HEADER, ...tableRows(release), ''];
  lines.push(countsLine(release), '', ...verificationLines(release));
  if (release.record !== undefined) lines.push('', `Record: ${text(release.record)}`);
  // A blank line ends the last paragraph before whatever is appended next.
  return `${lines.join('\n')}\n\n`;
}

function tableRows(release: ActionsRelease): string[] {
  const destinations = [...new Set(release.tags.map((tag) => tag.destination))];
  const rows: string[] = [];
  for (const image of release.images) {
    for (const destination of destinations) {
      const tags = release.tags
        .filter((tag) => tag.image === image.name && tag.destination === destination)
        .map((tag) => `${code(tag.tag)} ${CHANGE_WORDS[tag.change]}`);
      const cells = [
        text(image.name),
        text(image.platforms.join(', ')),
        code(image.digest),
        text(destination),
        tags.join(', '),
      ];
      rows.push(`| ${cells.join(' | ')} |`);
    }
  }
  return rows;
}

function countsLine(release: ActionsRelease): string {
  const count = (change: string) => release.tags.filter((t) => t.change === change);
  const verb = release.dryRun ? 'would be' : 'were';
  return (
    `Tags: ${count('new').length} new, ${count('moves').length} moved, ` +
    `${count('stays').length} unchanged (${release.tags.length} ${verb} written or kept).`
  );
}

function verificationLines(release: ActionsRelease): string[] {
  const { verification } = release;
  if ('skipped' in verification) {
    return [`Verification: not run (${text(verification.skipped)}).`];
  }
  if (verification.ok) {
    return [`Verification: passed (${verification.checks} checks).`];
  }
  const { failures } = verification;
  const shown = failures
    .slice(0, MAX_SUMMARY_FAILURES)
    .map((failure) => `- ${text(failure.message)}`);
  const more = failures.length - shown.length;
  return [
    `Verification: **failed** (${failures.length} of ${verification.checks} checks).`,
    '',
    ...shown,
    ...(more > 0 ? [`- and ${more} more`] : []),
  ];
}

/**
 * Text that Markdown shows as it is. CommonMark (spec 0.31, "Backslash
 * escapes") lets any ASCII punctuation be escaped with a backslash; these
 * are the characters that can start emphasis, code, links, HTML, entities
 * or strikethrough inside a line, and `|`, which would end a GFM table
 * cell. A line break would end the row, so it becomes a space.
 */
function text(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').replace(/[\\`*_[\]<>|~&]/g, '\\$&');
}

/**
 * A code span for digests and tags, whose grammars (OCI image-spec
 * descriptor digests, distribution-spec tags) allow no backtick, `|` or
 * line break; anything else falls back to escaped text.
 */
function code(value: string): string {
  return /^[\w.:+-]+$/.test(value) ? `\`${value}\`` : text(value);
}
