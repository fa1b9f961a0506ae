import type { Command } from 'commander';
import type { Runner } from './main.js';
import { collect, usageError } from './options.js';

/**
 * `gantry build [CONTEXT]`: builds the Dockerfile subset gantry supports
 * (build/dockerfile-*.ts) for one or more platforms, without a daemon,
 * and writes the image or index to `--output`, to the `--tag` references,
 * or by digest to `--push-by-digest` with a metadata file for assembling
 * platforms built on different machines. The work is in build-run.ts.
 */

export interface BuildFlags {
  file?: string;
  platform?: string[];
  buildArg?: string[];
  target?: string;
  tag?: string[];
  label?: string[];
  annotation?: string[];
  output?: string;
  pushByDigest?: string;
  metadataFile?: string;
  cache: boolean;
  cacheDir?: string;
  compression?: string;
  compressionLevel?: string;
}

const EXAMPLES = `
Examples:
  gantry build --platform linux/amd64,linux/arm64 --tag registry.example.com/app:1.4.2 .
  gantry build -f docker/Dockerfile --output oci-archive:app.tar --tag 1.4.2 .
  gantry build --platform linux/arm64 --push-by-digest registry.example.com/app \\
    --metadata-file arm64.json .

Without --output or --tag the result goes to the OCI layout ./gantry-out (tag latest).
RUN is not supported: build such stages with BuildKit or buildah into an OCI
archive and start from it (FROM oci-archive:stage.tar).
`;

export function registerBuild(program: Command, run: Runner): void {
  program
    .command('build')
    .description('build an image from a Dockerfile without a daemon (no RUN)')
    .argument('[context]', 'build context folder', '.')
    .option('-f, --file <path>', 'the Dockerfile (default CONTEXT/Dockerfile)')
    .option('--platform <list>', 'os/arch[/variant], comma list, repeatable', collect)
    .option('--build-arg <key=value>', 'a build argument (repeatable)', collect)
    .option('--target <stage>', 'build this stage (default: the last)')
    .option(
      '--tag <ref>',
      'a full reference, or a tag with --output (repeatable)',
      collect,
    )
    .option('--label <key=value>', 'a config label on every image (repeatable)', collect)
    .option(
      '--annotation <[index:|manifest:]key=value>',
      'an annotation (repeatable)',
      collect,
    )
    .option(
      '--output <ref>',
      'host/repo[:tag], oci:DIR[:tag], oci-archive:FILE[:tag], docker-archive:FILE',
    )
    .option('--push-by-digest <repo>', 'push each platform image by digest, no tag')
    .option('--metadata-file <file>', 'with --push-by-digest: write the digests as JSON')
    .option('--no-cache', 'do not use or fill the layer cache')
    .option('--cache-dir <dir>', 'layer cache folder')
    .option('--compression <gzip|zstd|none>', 'layer compression (default gzip)')
    .option('--compression-level <n>', 'gzip 0-9 (default 4) or zstd 1-19 (default 3)')
    .addHelpText('after', EXAMPLES)
    .action(async (contextDir: string, flags: BuildFlags, command: Command) => {
      rejectLocalTags(flags.tag);
      const { runBuild } = await import('./build-run.js');
      await runBuild(run, command, contextDir, flags);
    });
}

/** The transports that name a local folder or file rather than a registry. */
const LOCAL_PREFIXES = ['oci:', 'oci-archive:', 'docker-archive:'] as const;

/**
 * `--tag oci:DIR:1` would be read as a registry host "oci:DIR": a layout
 * or archive is named by `--output`, and `--tag` then gives bare tags.
 */
function rejectLocalTags(tags: string[] | undefined): void {
  for (const tag of tags ?? []) {
    const prefix = LOCAL_PREFIXES.find((p) => tag.startsWith(p));
    if (prefix === undefined) continue;
    const path = prefix === 'oci:' ? 'DIR' : 'FILE';
    throw usageError(
      `--tag "${tag}" names a local ${prefix.slice(0, -1)} target, not a registry`,
      `write it with --output instead: --output ${prefix}${path}:TAG ` +
        '(--tag then adds bare tags)',
    );
  }
}
