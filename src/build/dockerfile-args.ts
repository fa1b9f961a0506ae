import type { Platform } from '../oci/platform.js';
import { argDeclarations } from './dockerfile-config.js';
import type { SourcePosition } from './dockerfile-errors.js';
import type { Dockerfile } from './dockerfile-parse.js';
import { expandWord } from './dockerfile-words.js';
import { platformArgs } from './platform-args.js';

/**
 * The global ARG scope of one platform's evaluation (Dockerfile reference,
 * "Understand how ARG and FROM interact"): ARGs before the first FROM,
 * set by build arguments or their defaults, plus BuildKit's automatic
 * platform ARGs, which need no declaration here and cannot be overridden.
 * A stage sees a global ARG only when it declares it again.
 */
export class GlobalScope {
  private readonly globals = new Map<string, string | undefined>();
  private readonly automatic: Record<string, string>;

  constructor(
    private readonly dockerfile: Dockerfile,
    platform: Platform,
    buildPlatform: Platform,
    private readonly buildArgs: Record<string, string>,
    /** Names of build arguments some ARG declared. */
    private readonly used: Set<string>,
  ) {
    this.automatic = platformArgs(platform, buildPlatform);
    for (const instruction of dockerfile.globalArgs) {
      const position = { file: dockerfile.file, line: instruction.line };
      const words = {
        position,
        variables: this.variables(),
        escapeChar: dockerfile.escapeChar,
      };
      for (const { name, defaultValue } of argDeclarations(instruction, words)) {
        const fallback =
          defaultValue === undefined ? undefined : this.expand(defaultValue, position);
        this.globals.set(name, this.buildArg(name) ?? fallback);
      }
    }
  }

  /** The value an ARG declared in a stage without a default takes. */
  argValue(name: string): string | undefined {
    return this.buildArg(name) ?? this.globals.get(name);
  }

  /** A word of FROM, expanded with the global scope. */
  expand(word: string, position: SourcePosition): string {
    return expandWord(word, this.variables(), this.dockerfile.escapeChar, position);
  }

  private variables(): Map<string, string> {
    const variables = new Map(Object.entries(this.automatic));
    for (const [name, value] of this.globals) {
      if (value !== undefined) variables.set(name, value);
    }
    return variables;
  }

  private buildArg(name: string): string | undefined {
    if (name in this.automatic) return this.automatic[name];
    const value = this.buildArgs[name];
    if (value !== undefined) this.used.add(name);
    return value;
  }
}
