import { ErrorCode, GantryError } from '../errors.js';
import { resolveLocation } from './location.js';

/**
 * The `Link` header (RFC 8288 §3), used by registries to page tag and
 * catalog lists (distribution-spec "Listing Tags"):
 *
 *   Link       = #link-value
 *   link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param )
 *   link-param = token BWS [ "=" BWS ( token / quoted-string ) ]
 *
 * The target between `<` and `>` is kept verbatim: page tokens are opaque
 * and already encoded (`next_page=gAAAAABg1i7j%3D`). One pass, linear time.
 */
export interface Link {
  uri: string;
  /** Parameters by lower-cased name; a parameter without value is `''`. */
  params: Record<string, string>;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

export function parseLinkHeader(header: string): Link[] {
  const links: Link[] = [];
  let pos = 0;
  const fail = (reason: string): never => {
    throw new GantryError(
      ErrorCode.InvalidHeader,
      `invalid Link header: ${reason} at offset ${pos}: ${JSON.stringify(clip(header))}`,
      { hint: 'the registry sent a malformed Link header (RFC 8288)' },
    );
  };
  const skip = (chars: RegExp): void => {
    while (pos < header.length && chars.test(header[pos]!)) pos++;
  };
  const token = (): string => {
    const start = pos;
    skip(TCHAR);
    if (pos === start) fail('expected a token');
    return header.slice(start, pos);
  };
  const quoted = (): string => {
    let value = '';
    for (pos++; pos < header.length; pos++) {
      const char = header[pos]!;
      if (char === '"') {
        pos++;
        return value;
      }
      if (char === '\\') pos++;
      if (pos < header.length) value += header[pos];
    }
    return fail('a quoted string is not closed');
  };

  skip(/[ \t,]/);
  while (pos < header.length) {
    if (header[pos] !== '<') fail('expected "<"');
    const close = header.indexOf('>', pos);
    if (close < 0) fail('"<" is not closed');
    const link: Link = { uri: header.slice(pos + 1, close), params: {} };
    pos = close + 1;

    for (skip(/[ \t]/); header[pos] === ';'; skip(/[ \t]/)) {
      pos++;
      skip(/[ \t]/);
      const name = token().toLowerCase();
      skip(/[ \t]/);
      let value = '';
      if (header[pos] === '=') {
        pos++;
        skip(/[ \t]/);
        value = header[pos] === '"' ? quoted() : token();
      }
      // RFC 8288 §3.3: occurrences of `rel` after the first are ignored.
      if (!Object.hasOwn(link.params, name)) link.params[name] = value;
    }

    if (pos < header.length && header[pos] !== ',') fail(`unexpected "${header[pos]}"`);
    links.push(link);
    skip(/[ \t,]/);
  }
  return links;
}

/**
 * The `rel="next"` target of a `Link` header resolved against `base` (the
 * URL that answered), or undefined on the last page. `rel` may list several
 * space-separated relation types (RFC 8288 §3.3), compared without case.
 */
export function nextLink(header: string | undefined, base: string): string | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const next = parseLinkHeader(header).find((link) =>
    (link.params.rel ?? '')
      .toLowerCase()
      .split(/[ \t]+/)
      .includes('next'),
  );
  return next === undefined ? undefined : resolveLocation(next.uri, base);
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
