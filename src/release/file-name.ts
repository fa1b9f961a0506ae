/**
 * The release file's default name, in a module of its own so that the CLI
 * can show it in `--help` without loading the YAML reader.
 */

/** The file `gantry release` reads when none is named. */
export const DEFAULT_RELEASE_FILE = 'release.yaml';
