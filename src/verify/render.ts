import type { ImageDiff, PlatformDiff } from './diff.js';
import type { MapDiff } from './diff-maps.js';
import type { VerifyReport } from './types.js';

/** Readable forms of reports, for the CLI; the library itself never prints. */

/** One line per failure, then `N checks, M failures`. */
export function renderVerifyReport(report: VerifyReport): string {
  const lines = report.failures.map(
    (failure) => `FAIL ${failure.check}  ${failure.message}`,
  );
  const count = report.failures.length;
  lines.push(`${report.checks} checks, ${count} failure${count === 1 ? '' : 's'}`);
  return lines.join('\n');
}

/**
 * `same` or one line per difference, `-` for A only, `+` for B only, `~`
 * changed, `!` a child manifest or config a side names and lacks.
 */
export function renderImageDiff(diff: ImageDiff): string {
  const lines: string[] = [];
  lines.push(...change('', 'digest', diff.digest));
  lines.push(...change('', 'mediaType', diff.mediaType));
  lines.push(...mapLines('annotation', diff.annotations, ''));
  for (const platform of diff.platforms.removed) lines.push(`- platform ${platform}`);
  for (const platform of diff.platforms.added) lines.push(`+ platform ${platform}`);
  for (const of of diff.attestations.removed) lines.push(`- attestation of ${of}`);
  for (const of of diff.attestations.added) lines.push(`+ attestation of ${of}`);
  for (const platform of diff.changed) lines.push(...platformLines(platform));
  for (const { side, platform, what, digest } of diff.missing) {
    const at = platform === undefined ? '' : `[${platform}] `;
    lines.push(`! ${at}${what} ${digest} missing from ${side}`);
  }
  return lines.length === 0 ? 'same' : lines.join('\n');
}

function platformLines(diff: PlatformDiff): string[] {
  const at = `[${diff.platform}] `;
  const lines: string[] = [];
  lines.push(...change(at, 'manifest', diff.digest));
  lines.push(...change(at, 'mediaType', diff.mediaType));
  lines.push(...change(at, 'config mediaType', diff.configMediaType));
  for (const field of diff.config) {
    const [a, b] = [JSON.stringify(field.a), JSON.stringify(field.b)];
    lines.push(`~ ${at}config ${field.field} ${a} → ${b}`);
  }
  lines.push(...mapLines('label', diff.labels, at));
  for (const layer of diff.layers) {
    const a = layer.a && `${layer.a.digest} ${layer.a.mediaType} ${layer.a.size}`;
    const b = layer.b && `${layer.b.digest} ${layer.b.mediaType} ${layer.b.size}`;
    const sign = layer.change === 'added' ? '+' : layer.change === 'removed' ? '-' : '~';
    const sides = [a, b].filter(Boolean).join(' → ');
    lines.push(`${sign} ${at}layer ${layer.index} ${sides}`);
  }
  if (diff.size) lines.push(`~ ${at}size ${diff.size.a} → ${diff.size.b}`);
  return lines;
}

function mapLines(what: string, diff: MapDiff, at: string): string[] {
  return [
    ...Object.entries(diff.removed).map(([k, v]) => `- ${at}${what} ${k}=${v}`),
    ...Object.entries(diff.added).map(([k, v]) => `+ ${at}${what} ${k}=${v}`),
    ...Object.entries(diff.changed).map(
      ([k, v]) => `~ ${at}${what} ${k} ${v.a} → ${v.b}`,
    ),
  ];
}

function change(at: string, what: string, pair: { a: unknown; b: unknown } | undefined) {
  return pair === undefined || pair.a === pair.b
    ? []
    : [`~ ${at}${what} ${pair.a} → ${pair.b}`];
}
