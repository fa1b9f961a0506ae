import { resolveBase } from '../build/base.js';
import type { BaseFacts } from '../build/dockerfile-plan.js';
import { type Platform, platformToString } from '../oci/platform.js';
import type { RegistryClient } from '../registry/client.js';

/**
 * What the Dockerfile planner needs of a base image: its Env (for `$PATH`
 * and the like in later instructions) and WorkingDir (for relative COPY
 * destinations), read once per base and platform.
 */

/** Env and WorkingDir of a base, read from its config only (never its layers). */
export function baseFactsReader(client: RegistryClient) {
  const cache = new Map<string, Promise<BaseFacts>>();
  return (base: string, platform: Platform): Promise<BaseFacts> => {
    const key = `${base} ${platformToString(platform)}`;
    let facts = cache.get(key);
    if (facts === undefined) {
      facts = resolveBase(base, platform, { client }).then(({ config }) => ({
        env: config.config.Env ?? [],
        ...(config.config.WorkingDir ? { workingDir: config.config.WorkingDir } : {}),
      }));
      cache.set(key, facts);
    }
    return facts;
  };
}
