import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What a release reads from git about the commit it is made from. */
export interface GitFacts {
  /** The full commit id of HEAD. */
  sha: string;
  /** The committer time of HEAD, in seconds since the Unix epoch. */
  commitTime: number;
  /** The tag exactly at HEAD (`git describe --tags --exact-match`), if any. */
  tag?: string;
}

/** git answers these in milliseconds; a hung git must not hang a release. */
const GIT_TIMEOUT_MS = 10_000;

/**
 * Reads HEAD's commit, time and tag with the `git` command. Returns
 * undefined when `cwd` is not in a git work tree or git is not installed:
 * the plan then omits the keys that need git and says so in its notes.
 */
export async function readGitFacts(cwd: string): Promise<GitFacts | undefined> {
  const sha = await git(cwd, ['rev-parse', '--verify', 'HEAD']);
  if (sha === undefined || !/^[0-9a-f]{40,64}$/.test(sha)) return undefined;

  const time = await git(cwd, ['log', '-1', '--format=%ct', 'HEAD']);
  const commitTime = Number(time);
  if (!Number.isSafeInteger(commitTime)) return undefined;

  const tag = await git(cwd, ['describe', '--tags', '--exact-match', 'HEAD']);
  return tag === undefined || tag === '' ? { sha, commitTime } : { sha, commitTime, tag };
}

async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', args, { cwd, timeout: GIT_TIMEOUT_MS });
    return stdout.trim();
  } catch {
    // Not a repository, no tag at HEAD, or no git: each means "not known".
    return undefined;
  }
}
