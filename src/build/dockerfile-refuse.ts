import type { GantryError } from '../errors.js';
import { dockerfileError, type SourcePosition } from './dockerfile-errors.js';
import type { Instruction } from './dockerfile-parse.js';

/**
 * Instructions gantry refuses, each with the way forward. They are refused
 * when their stage is evaluated, so a stage the target does not need may
 * hold them (as BuildKit skips unused stages).
 *
 * - RUN needs a container runtime. The stage is built by an external
 *   builder into an OCI archive, which gantry then uses as a base or
 *   copies files from (paths relative to the build context).
 * - ONBUILD records triggers that a later build must run, usually RUN
 *   steps; gantry could neither honour nor run them, so it refuses rather
 *   than write an image whose triggers it never checked.
 * - MAINTAINER sets the config's `author`, which gantry's config changes do
 *   not cover; the documented replacement is a label.
 */
export function refuseInstruction(
  instruction: Instruction,
  position: SourcePosition,
  stageName: string,
): GantryError {
  switch (instruction.keyword) {
    case 'RUN':
      return dockerfileError(
        position,
        `RUN needs a container runtime, which gantry does not use (stage ${stageName})`,
        runHint(stageName),
      );
    case 'ONBUILD':
      return dockerfileError(
        position,
        'ONBUILD is not supported: its triggers run in a later build ' +
          'that gantry cannot check',
        'remove ONBUILD, or build this image with BuildKit or buildah',
      );
    case 'MAINTAINER':
      return dockerfileError(
        position,
        'MAINTAINER is deprecated and not supported',
        'write LABEL org.opencontainers.image.authors="..." instead',
      );
    default:
      return dockerfileError(position, `${instruction.keyword} is not supported here`);
  }
}

function runHint(stageName: string): string {
  const target = /^\d+$/.test(stageName) ? '' : ` --target ${stageName}`;
  return (
    `build that stage with an external builder into an OCI archive, e.g. ` +
    `\`docker buildx build${target} --output type=oci,dest=stage.tar .\` or ` +
    '`buildah build -t stage . && buildah push stage oci-archive:stage.tar`, ' +
    'then start from it with `FROM oci-archive:stage.tar` in place of that stage, ' +
    'or take files from it with `COPY --from=oci-archive:stage.tar`'
  );
}
