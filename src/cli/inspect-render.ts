import { humanSize, indent } from './format.js';
import type {
  AttestationEntry,
  BlobEntry,
  InspectDocument,
  PlatformEntry,
} from './inspect-document.js';

/** How an entry the repository does not have is marked in the tree. */
const MISSING_MARK = '(missing: not in the repository)';

/**
 * The human form of `gantry inspect`: an indented tree, two spaces a level.
 * Attestations appear under the platform they describe, each line starting
 * with `attestation`, so they are never mistaken for platforms. An entry the
 * repository lacks ends with MISSING_MARK. Pure: returns lines, prints nothing.
 */
export function renderInspectTree(document: InspectDocument): string[] {
  const lines: string[] = [];
  if (document.reference !== undefined) lines.push(`Name:        ${document.reference}`);
  lines.push(...header(document));
  lines.push(...body(document));
  return lines;
}

function header(document: InspectDocument): string[] {
  const lines = [
    `Digest:      ${document.digest}`,
    `MediaType:   ${document.mediaType}`,
    `Size:        ${humanSize(document.size)}`,
  ];
  if (document.artifactType !== undefined) {
    lines.push(`ArtifactType: ${document.artifactType}`);
  }
  return [...lines, ...annotations(document.annotations)];
}

function body(document: InspectDocument): string[] {
  if (document.kind === 'manifest') return manifestBody(document);

  const lines = [`Platforms:   ${document.platforms.length}`];
  const attested = new Set(document.platforms.flatMap((p) => p.attestations));
  for (const platform of document.platforms) {
    lines.push(...indent(platformLines(platform, document.attestations), 1));
  }

  const orphans = document.attestations.filter((a) => !attested.has(a.digest));
  for (const entry of orphans) lines.push(...indent(attestationLines(entry), 1));

  for (const nested of document.indexes) {
    const title = nested.missing ? `index ${MISSING_MARK}` : 'index';
    lines.push(...indent([title, ...indent([...header(nested), ...body(nested)], 1)], 1));
  }
  for (const other of document.others) {
    const mark = other.missing ? ` ${MISSING_MARK}` : '';
    lines.push(...indent([`manifest ${other.digest} (${other.mediaType})${mark}`], 1));
  }
  return lines;
}

function manifestBody(document: InspectDocument): string[] {
  const lines: string[] = [];
  if (document.platform !== null) lines.push(`Platform:    ${document.platform}`);
  if (document.config !== null) lines.push(`Config:      ${blobLine(document.config)}`);
  const total = humanSize(document.layersSize);
  lines.push(`Layers:      ${document.layers.length} (${total})`);
  for (const layer of document.layers) lines.push(`  ${blobLine(layer)}`);
  return lines;
}

function platformLines(platform: PlatformEntry, all: AttestationEntry[]): string[] {
  const lines = [
    platform.platform,
    `  manifest: ${platform.digest}${platform.missing ? ` ${MISSING_MARK}` : ''}`,
  ];
  if (platform.config !== null) lines.push(`  config:   ${platform.config.digest}`);
  if (platform.layerCount !== null && platform.layersSize !== null) {
    lines.push(`  layers:   ${platform.layerCount} (${humanSize(platform.layersSize)})`);
  }
  for (const digest of platform.attestations) {
    const entry = all.find((a) => a.digest === digest);
    if (entry !== undefined) lines.push(...indent(attestationLines(entry), 1));
  }
  return lines;
}

function attestationLines(entry: AttestationEntry): string[] {
  const predicates =
    entry.predicateTypes.length === 0 ? '' : ` (${entry.predicateTypes.join(', ')})`;
  const mark = entry.missing ? ` ${MISSING_MARK}` : '';
  const lines = [`attestation ${entry.digest}${predicates}${mark}`];
  if (entry.platform === null) lines.push(`  for ${entry.for} (not in this index)`);
  return lines;
}

function annotations(values: Record<string, string>): string[] {
  const keys = Object.keys(values).sort();
  if (keys.length === 0) return [];
  return ['Annotations:', ...keys.map((key) => `  ${key}: ${values[key]}`)];
}

function blobLine(entry: BlobEntry): string {
  return `${entry.digest} ${entry.mediaType} ${humanSize(entry.size)}`;
}
