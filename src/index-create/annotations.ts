import { ErrorCode, GantryError } from '../errors.js';

/**
 * `--annotation [index:|manifest-descriptor:]key=value` for a new index
 * (cases BR-12): no prefix or `index:` annotates the index itself,
 * `manifest-descriptor:` every entry's descriptor in it. Any other level
 * (`manifest:`, `manifest[...]:`) would need the children rewritten,
 * which changes their digests; it is refused rather than dropped.
 */

export interface IndexAnnotations {
  index: Record<string, string>;
  descriptor: Record<string, string>;
}

const INDEX_PREFIX = 'index:';
const DESCRIPTOR_PREFIX = 'manifest-descriptor:';

export function parseIndexAnnotations(texts: readonly string[]): IndexAnnotations {
  const result: IndexAnnotations = { index: {}, descriptor: {} };
  for (const text of texts) {
    const [level, pair] = split(text);
    const equals = pair.indexOf('=');
    if (equals <= 0) throw invalid(text, 'is not key=value');
    result[level][pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return result;
}

function split(text: string): ['index' | 'descriptor', string] {
  if (text.startsWith(INDEX_PREFIX)) return ['index', text.slice(INDEX_PREFIX.length)];
  if (text.startsWith(DESCRIPTOR_PREFIX)) {
    return ['descriptor', text.slice(DESCRIPTOR_PREFIX.length)];
  }
  const colon = text.indexOf(':');
  const equals = text.indexOf('=');
  // A key may hold no colon before its "=": a prefix is whatever precedes one.
  if (colon >= 0 && (equals < 0 || colon < equals) && /^manifest/.test(text)) {
    throw invalid(text, 'names a level gantry index create cannot write');
  }
  return ['index', text];
}

function invalid(text: string, what: string): GantryError {
  return new GantryError(ErrorCode.Usage, `--annotation ${text} ${what}`, {
    hint:
      'write key=value or index:key=value for the index, ' +
      'manifest-descriptor:key=value for each entry',
  });
}
