import {
  dockerfileError,
  dockerfileUnsupported,
  type SourcePosition,
} from './dockerfile-errors.js';
import type { Instruction } from './dockerfile-parse.js';

/**
 * The flags of COPY and ADD (Dockerfile reference): `--from`, `--chmod`
 * (octal), `--chown` (numeric `uid[:gid]`; names need the image's
 * /etc/passwd, which gantry does not read), `--link` (accepted: gantry's
 * layers never depend on the layers below them anyway).
 */

export interface CopyFlags {
  from?: string;
  ownership: { chmod?: number; uid?: number; gid?: number };
}

/** Flags whose meaning gantry does not implement; refused, never ignored. */
const UNSUPPORTED_FLAGS = ['parents', 'exclude', 'checksum', 'keep-git-dir'];

export function copyFlags(
  instruction: Instruction,
  position: SourcePosition,
  expand: (word: string) => string,
  stage: { base: string },
): CopyFlags {
  for (const flag of UNSUPPORTED_FLAGS) {
    if (instruction.flags.has(flag)) {
      throw dockerfileUnsupported(
        position,
        `${instruction.keyword} --${flag} is not supported`,
        `remove --${flag}`,
      );
    }
  }
  const ownership: CopyFlags['ownership'] = {};
  const chmod = instruction.flags.get('chmod');
  if (chmod !== undefined) {
    const mode = expand(chmod);
    if (!/^[0-7]{3,4}$/.test(mode)) {
      throw dockerfileError(
        position,
        `--chmod "${mode}" is not an octal mode`,
        'write e.g. --chmod=755',
      );
    }
    ownership.chmod = Number.parseInt(mode, 8);
  }
  const chown = instruction.flags.get('chown');
  if (chown !== undefined)
    Object.assign(ownership, owner(expand(chown), position, stage.base));

  const from = instruction.flags.get('from');
  return { ...(from === undefined ? {} : { from: expand(from) }), ownership };
}

function owner(text: string, position: SourcePosition, base: string) {
  const [user = '', group = user] = text.split(':');
  const numeric = /^\d+$/;
  if (numeric.test(user) && numeric.test(group))
    return { uid: Number(user), gid: Number(group) };
  if (base === 'scratch') {
    throw dockerfileError(
      position,
      `--chown=${text}: a scratch stage has no /etc/passwd or /etc/group ` +
        'to look names up in',
      'give numeric ids, e.g. --chown=1000:1000',
    );
  }
  throw dockerfileUnsupported(
    position,
    `--chown=${text}: user and group names need the base image's ` +
      '/etc/passwd, which gantry does not read',
    'give numeric ids, e.g. --chown=1000:1000',
  );
}
