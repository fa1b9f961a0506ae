import { resolveBase } from '../build/base.js';
import type { BaseFacts } from '../build/dockerfile-plan.js';
import { ErrorCode, GantryError } from '../errors.js';
import type { ImageConfig } from '../oci/config.js';
import { type Platform, platformToString } from '../oci/platform.js';
import type { RegistryClient } from '../registry/client.js';

/**
 * What the Dockerfile planner needs of a base image: its Env (for `$PATH`
 * and the like in later instructions) and WorkingDir (for relative COPY
 * destinations), read once per base and platform.
 */

/** Env, WorkingDir and Shell of a base, read from its config only (never its layers). */
export function baseFactsReader(client: RegistryClient) {
  const cache = new Map<string, Promise<BaseFacts>>();
  return (base: string, platform: Platform): Promise<BaseFacts> => {
    const key = `${base} ${platformToString(platform)}`;
    let facts = cache.get(key);
    if (facts === undefined) {
      facts = resolveBase(base, platform, { client }).then(({ config }) =>
        factsOf(base, config),
      );
      cache.set(key, facts);
    }
    return facts;
  };
}

/**
 * Docker's `Shell` and `OnBuild` are not in the OCI config view, so they
 * are read from the config's bytes. A base with ONBUILD triggers is
 * refused: Docker runs them at the start of the build, gantry cannot.
 */
function factsOf(base: string, config: ImageConfig): BaseFacts {
  const raw = JSON.parse(new TextDecoder().decode(config.bytes)) as {
    config?: { Shell?: unknown; OnBuild?: unknown };
  };
  const onBuild = raw.config?.OnBuild;
  if (Array.isArray(onBuild) && onBuild.length > 0) {
    throw new GantryError(
      ErrorCode.Unsupported,
      `base image ${base} has ONBUILD triggers, which gantry cannot run`,
      { hint: 'build on a base without ONBUILD, or use BuildKit or buildah' },
    );
  }
  const shell = raw.config?.Shell;
  return {
    env: config.config.Env ?? [],
    ...(config.config.WorkingDir ? { workingDir: config.config.WorkingDir } : {}),
    ...(isStrings(shell) && shell.length > 0 ? { shell } : {}),
  };
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
