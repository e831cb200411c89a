/**
 * Raw HTML as a browser tokenizes it (WHATWG HTML §13.2.5), the parts a Markdown
 * preview meets in a raw-HTML block or an inline tag: start tags with their
 * attributes (names lower-cased, the first of a repeated name kept, values with
 * character references decoded), end tags, comments, and the bogus comments a
 * browser also hides (`<!…>`, `<?…>`, CDATA outside foreign content). A quoted
 * value may hold `>`; an attribute may follow a quoted value without a space.
 * The text of a raw-text element (script, style…) is skipped, not read as tags.
 */
import { own } from '../model/own.ts';

export type HtmlToken =
  | { type: 'start'; name: string; attributes: Map<string, string>; start: number; end: number; selfClosing?: boolean }
  | { type: 'end'; name: string; start: number; end: number }
  | { type: 'comment'; body: string; start: number; end: number; closed: boolean; bogus: boolean };

/** Elements whose content is text up to their end tag, never markup (§13.1.2.2, with noscript as scripting enables it). */
export const RAW_TEXT = new Set([
  'script',
  'style',
  'xmp',
  'iframe',
  'noembed',
  'noframes',
  'noscript',
  'textarea',
  'title',
]);

const SPACE = /[\t\n\f\r ]/;

/** The tags and comments of a piece of raw HTML, offsets into it. */
export function htmlTokens(source: string): HtmlToken[] {
  const tokens: HtmlToken[] = [];
  for (let at = source.indexOf('<'); at >= 0 && at < source.length; at = source.indexOf('<', at)) {
    const next = source[at + 1] ?? '';
    if (source.startsWith('<!--', at)) {
      // `<!-->` and `<!--->` are empty comments; otherwise the first `-->` (or `--!>`) closes one.
      const abrupt = source.startsWith('<!-->', at) ? 5 : source.startsWith('<!--->', at) ? 6 : 0;
      const close = abrupt ? { body: at + 4, end: at + abrupt } : findClose(source, at + 4);
      const end = close?.end ?? source.length;
      const body = source.slice(at + 4, close?.body ?? end);
      tokens.push({ type: 'comment', body, start: at, end, closed: close !== undefined, bogus: false });
      at = end;
    } else if (next === '!' || next === '?' || (next === '/' && !/[a-z]/i.test(source[at + 2] ?? ''))) {
      const close = source.indexOf('>', at + 2);
      const end = close >= 0 ? close + 1 : source.length;
      const body = source.slice(at + 2, close >= 0 ? close : end);
      tokens.push({ type: 'comment', body, start: at, end, closed: close >= 0, bogus: true });
      at = end;
    } else if (/[a-z]/i.test(next) || (next === '/' && /[a-z]/i.test(source[at + 2] ?? ''))) {
      const tag = readTag(source, at);
      tokens.push(tag);
      at = tag.end;
      if (tag.type === 'start' && RAW_TEXT.has(tag.name)) at = rawTextEnd(source, at, tag.name);
    } else at++;
  }
  return tokens;
}

/** Where a comment opened before `from` closes: where its text ends and just past its `-->` or `--!>`. */
function findClose(source: string, from: number): { body: number; end: number } | undefined {
  const dashes = source.indexOf('-->', from);
  const bang = source.indexOf('--!>', from);
  if (bang >= 0 && (dashes < 0 || bang < dashes)) return { body: bang, end: bang + 4 };
  return dashes >= 0 ? { body: dashes, end: dashes + 3 } : undefined;
}

/** Where a raw-text element's text ends: at its end tag (`</name` then a space, `/` or `>`), or the source's end. */
export function rawTextEnd(source: string, from: number, name: string): number {
  // `name` is one of RAW_TEXT's: letters only.
  const end = new RegExp(`</${name}(?=[\\t\\n\\f\\r />]|$)`, 'gi');
  end.lastIndex = from;
  return end.exec(source)?.index ?? source.length;
}

/** A start or end tag at `at` (its `<`); one the source cuts off runs to its end. */
function readTag(source: string, at: number): HtmlToken {
  const closing = source[at + 1] === '/';
  let i = at + (closing ? 2 : 1);
  const nameStart = i;
  while (i < source.length && !SPACE.test(source[i]!) && source[i] !== '/' && source[i] !== '>') i++;
  const name = source.slice(nameStart, i).toLowerCase();
  const attributes = new Map<string, string>();
  let slash = -1;
  while (i < source.length && source[i] !== '>') {
    if (SPACE.test(source[i]!) || source[i] === '/') {
      if (source[i] === '/') slash = i;
      i++;
      continue;
    }
    // An attribute name runs to a space, `/`, `>` or `=` (a leading `=` is part of it).
    const from = i++;
    while (i < source.length && !SPACE.test(source[i]!) && !'/>='.includes(source[i]!)) i++;
    const attribute = source.slice(from, i).toLowerCase();
    while (i < source.length && SPACE.test(source[i]!)) i++;
    let value = '';
    if (source[i] === '=') {
      i++;
      while (i < source.length && SPACE.test(source[i]!)) i++;
      const quote = source[i];
      if (quote === '"' || quote === "'") {
        const close = source.indexOf(quote, i + 1);
        value = source.slice(i + 1, close >= 0 ? close : source.length);
        i = close >= 0 ? close + 1 : source.length;
      } else {
        const from = i;
        while (i < source.length && !SPACE.test(source[i]!) && source[i] !== '>') i++;
        value = source.slice(from, i);
      }
    }
    if (!attributes.has(attribute)) attributes.set(attribute, decodeReferences(value));
  }
  const end = Math.min(i + 1, source.length);
  if (closing) return { type: 'end', name, start: at, end };
  // `/>`: an <svg/> or <math/> holds nothing (in HTML, the `/` means nothing).
  return {
    type: 'start',
    name,
    attributes,
    start: at,
    end,
    ...(slash === i - 1 && source[i] === '>' && { selfClosing: true }),
  };
}

/**
 * Named references that stand for ASCII (all of them, from the HTML standard's table): the ones that can spell
 * a style's punctuation. Any other named reference is a character outside ASCII, which no CSS keyword holds;
 * it is left as written.
 */
const ASCII_NAMED: Record<string, string> = {
  Tab: '\t',
  NewLine: '\n',
  excl: '!',
  quot: '"',
  QUOT: '"',
  num: '#',
  dollar: '$',
  percnt: '%',
  amp: '&',
  AMP: '&',
  apos: "'",
  lpar: '(',
  rpar: ')',
  ast: '*',
  midast: '*',
  plus: '+',
  comma: ',',
  period: '.',
  sol: '/',
  colon: ':',
  semi: ';',
  lt: '<',
  LT: '<',
  equals: '=',
  gt: '>',
  GT: '>',
  quest: '?',
  commat: '@',
  lsqb: '[',
  lbrack: '[',
  bsol: '\\',
  rsqb: ']',
  rbrack: ']',
  Hat: '^',
  lowbar: '_',
  UnderBar: '_',
  grave: '`',
  DiacriticalGrave: '`',
  lcub: '{',
  lbrace: '{',
  verbar: '|',
  vert: '|',
  VerticalLine: '|',
  rcub: '}',
  rbrace: '}',
  fjlig: 'fj',
  nbsp: '\u00a0',
};
/** The references that may go without their semicolon in an attribute value (legacy ones, not before `=` or a letter). */
const LEGACY = new Set(['amp', 'AMP', 'lt', 'LT', 'gt', 'GT', 'quot', 'QUOT', 'nbsp', 'shy']);
const LEGACY_PREFIX = new RegExp(`^(?:${[...LEGACY].join('|')})`);

/**
 * Character references in an attribute value, decoded as a browser does (§13.2.5.72–80), in one pass: the
 * ASCII ones, and `more` (a text's invisible ones), so that `&amp;zwj;` stays the text `&zwj;`.
 */
export function decodeReferences(value: string, more?: Readonly<Record<string, string>>): string {
  if (!value.includes('&')) return value;
  return value.replace(
    /&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|([A-Za-z][A-Za-z0-9]*))(;?)(?=([^]?))/g,
    (all: string, dec?: string, hex?: string, name?: string, semi?: string, after?: string) => {
      if (name === undefined) {
        const cp = dec === undefined ? parseInt(hex!, 16) : parseInt(dec, 10);
        return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '\ufffd';
      }
      const named = own(ASCII_NAMED, name) ?? (more && own(more, name));
      if (named !== undefined && (semi || (LEGACY.has(name) && !/[=A-Za-z0-9]/.test(after ?? '')))) return named;
      // In text (where `more` is given), a legacy reference is taken before letters too: `&shyful` is a soft
      // hyphen and "ful" to a browser (diff8-review L1); in an attribute value it stays as written.
      const legacy = more && !semi ? LEGACY_PREFIX.exec(name)?.[0] : undefined;
      const prefixed = legacy && (ASCII_NAMED[legacy] ?? more?.[legacy]);
      return prefixed ? `${prefixed}${all.slice(1 + legacy!.length)}` : all;
    },
  );
}
