import { posix } from 'node:path';
import { ErrorCode, GantryError } from '../errors.js';
import { isObject, type JsonObject, sortedKeys } from './config-json.js';

/**
 * Changes to an image config's `config` object (image-spec config.md,
 * "config"; Docker's extra `Shell` and `Healthcheck` keep their Docker
 * names). Each field behaves as the Dockerfile instruction of that name.
 */

/** Docker's HEALTHCHECK settings; durations in nanoseconds, as Docker stores them. */
export interface HealthcheckConfig {
  /** `["NONE"]`, `["CMD", ...]` or `["CMD-SHELL", "..."]`. */
  Test: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

export interface ConfigChanges {
  /** Merged by name: a name already set keeps its place and takes the new value. */
  Env?: Record<string, string>;
  /** Replaces the entrypoint; also clears a Cmd inherited from the base (as docker). */
  Entrypoint?: string[];
  Cmd?: string[];
  /** A relative path is taken from the current working directory (as WORKDIR). */
  WorkingDir?: string;
  User?: string;
  /** Merged by key. */
  Labels?: Record<string, string>;
  /** `80/tcp`, `53/udp`, or a bare port (tcp). Added to those there are. */
  ExposedPorts?: string[];
  /** Added to those there are. */
  Volumes?: string[];
  StopSignal?: string;
  Shell?: string[];
  Healthcheck?: HealthcheckConfig;
}

/** What applying changes needs to know beyond the config itself. */
export interface ApplyContext {
  /** Whether Cmd was set by this build (not inherited from the base). */
  cmdSetHere: boolean;
}

/**
 * Applies `changes` to a copy of the raw `config` object; the input is not
 * touched. Returns the new object and whether Cmd is now the build's own.
 */
export function applyConfigChanges(
  config: JsonObject,
  changes: ConfigChanges,
  context: ApplyContext,
): { config: JsonObject; cmdSetHere: boolean } {
  const next: JsonObject = structuredClone(config);
  let cmdSetHere = context.cmdSetHere;

  if (changes.Env !== undefined) next.Env = mergeEnv(next.Env, changes.Env);
  if (changes.Entrypoint !== undefined) {
    next.Entrypoint = [...changes.Entrypoint];
    // Docker: ENTRYPOINT drops a CMD the base set; a CMD of this build stays.
    if (changes.Cmd === undefined && !cmdSetHere) delete next.Cmd;
  }
  if (changes.Cmd !== undefined) {
    next.Cmd = [...changes.Cmd];
    cmdSetHere = true;
  }
  if (changes.WorkingDir !== undefined) {
    const current = typeof next.WorkingDir === 'string' ? next.WorkingDir : '/';
    next.WorkingDir = posix.resolve(current || '/', changes.WorkingDir);
  }
  if (changes.User !== undefined) next.User = changes.User;
  if (changes.Labels !== undefined) next.Labels = merged(next.Labels, changes.Labels);
  if (changes.ExposedPorts !== undefined) {
    next.ExposedPorts = withKeys(next.ExposedPorts, changes.ExposedPorts.map(portKey));
  }
  if (changes.Volumes !== undefined) {
    next.Volumes = withKeys(next.Volumes, changes.Volumes);
  }
  if (changes.StopSignal !== undefined) next.StopSignal = changes.StopSignal;
  if (changes.Shell !== undefined) next.Shell = [...changes.Shell];
  if (changes.Healthcheck !== undefined) next.Healthcheck = { ...changes.Healthcheck };
  return { config: next, cmdSetHere };
}

/** `NAME=value` entries; a name already present is replaced where it stands. */
function mergeEnv(current: unknown, changes: Record<string, string>): string[] {
  const list = Array.isArray(current) ? current.map(String) : [];
  for (const [name, value] of Object.entries(changes)) {
    if (name === '' || name.includes('=')) {
      throw new GantryError(ErrorCode.Usage, `Env name "${name}" is not valid`, {
        hint: 'an environment variable name is not empty and has no "="',
      });
    }
    const entry = `${name}=${value}`;
    const at = list.findIndex((item) => item.split('=', 1)[0] === name);
    if (at >= 0) list[at] = entry;
    else list.push(entry);
  }
  return list;
}

function merged(current: unknown, changes: Record<string, string>): JsonObject {
  const base = isObject(current) ? current : {};
  return sortedKeys({ ...base, ...changes });
}

/** Docker's set-as-map form: `{"80/tcp": {}}`. Keys sorted for stable bytes. */
function withKeys(current: unknown, keys: string[]): JsonObject {
  const result: JsonObject = isObject(current) ? { ...current } : {};
  for (const key of keys) result[key] = {};
  return sortedKeys(result);
}

/** docker: a port without protocol is tcp (`EXPOSE 80` → `80/tcp`). */
function portKey(port: string): string {
  if (!/^[0-9]+(-[0-9]+)?(\/(tcp|udp|sctp))?$/i.test(port)) {
    throw new GantryError(ErrorCode.Usage, `exposed port "${port}" is not valid`, {
      hint: 'write a port as 80, 80/tcp, 53/udp or 8000-8010/tcp',
    });
  }
  return port.includes('/') ? port.toLowerCase() : `${port}/tcp`;
}
