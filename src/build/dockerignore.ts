import { posix } from 'node:path';
import { compilePattern, type PathPattern } from './dockerfile-glob.js';

/**
 * `.dockerignore`, with Docker's rules (Dockerfile reference,
 * ".dockerignore file"): one pattern a line, `#` comments, blank lines
 * ignored, patterns cleaned and a leading `/` trimmed (patterns are
 * relative to the context root), `**` any number of folders, and `!`
 * making an exception. The last pattern that matches a path decides; a
 * pattern that matches a folder matches everything inside it.
 */

interface Rule {
  pattern: PathPattern;
  exception: boolean;
}

export class DockerIgnore {
  private constructor(private readonly rules: readonly Rule[]) {}

  static parse(text: string): DockerIgnore {
    const rules: Rule[] = [];
    for (const raw of text.split(/\r?\n/)) {
      let line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const exception = line.startsWith('!');
      if (exception) line = line.slice(1).trim();
      const cleaned = posix.normalize(line).replace(/^\/+/, '').replace(/\/+$/, '');
      if (cleaned === '' || cleaned === '.') continue;
      rules.push({ pattern: compilePattern(cleaned), exception });
    }
    return new DockerIgnore(rules);
  }

  static readonly none = new DockerIgnore([]);

  /** Whether a context path (`dir/file`, no leading `/`) is left out. */
  excludes(path: string): boolean {
    let excluded = false;
    for (const rule of this.rules) {
      if (matchesOrParent(rule.pattern, path)) excluded = !rule.exception;
    }
    return excluded;
  }

  /**
   * Whether a whole folder can be skipped: it is excluded and no exception
   * could bring back something inside it.
   */
  skipsFolder(path: string): boolean {
    return this.excludes(path) && !this.rules.some((rule) => rule.exception);
  }
}

function matchesOrParent(pattern: PathPattern, path: string): boolean {
  if (pattern.matches(path)) return true;
  for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
    if (pattern.matches(path.slice(0, slash))) return true;
  }
  return false;
}
