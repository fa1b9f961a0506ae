import type { LayerEntry } from './entries.js';
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX } from './entries.js';

/**
 * Layer order: a tree walk, each folder's children compared by the bytes of
 * their UTF-8 names (not by JavaScript's UTF-16 order), so a folder's
 * contents follow it directly. Among siblings the opaque whiteout comes
 * first, then other whiteouts: image-spec layer.md ("Whiteouts") says
 * implementations SHOULD write whiteouts before sibling entries.
 */
export function sortEntries(entries: LayerEntry[]): LayerEntry[] {
  const keyed = entries.map((entry) => ({ entry, key: sortKey(entry.path) }));
  keyed.sort((a, b) => compareKeys(a.key, b.key));
  return keyed.map(({ entry }) => entry);
}

interface Component {
  rank: number;
  bytes: Buffer;
}

const RANK_OPAQUE = 0;
const RANK_WHITEOUT = 1;
const RANK_NAME = 2;

function sortKey(path: string): Component[] {
  return path.split('/').map((name) => ({
    rank:
      name === OPAQUE_WHITEOUT
        ? RANK_OPAQUE
        : name.startsWith(WHITEOUT_PREFIX)
          ? RANK_WHITEOUT
          : RANK_NAME,
    bytes: Buffer.from(name, 'utf8'),
  }));
}

function compareKeys(a: Component[], b: Component[]): number {
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.rank !== y.rank) return x.rank - y.rank;
    const order = Buffer.compare(x.bytes, y.bytes);
    if (order !== 0) return order;
  }
  return a.length - b.length;
}
