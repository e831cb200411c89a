import { characterHits } from './characters.ts';
import type { CharacterHit } from './characters.ts';
import { decodeReferences } from './html.ts';
import type { HtmlToken } from './html.ts';

/**
 * Invisible characters a preview draws from character references (`&#xE0049;`, `&zwj;`, `&#x202E;`), where
 * the source shows only the references, which a model can decode (hidden-review 10). A character the
 * source holds itself is reported by the scan of the source; here, only what the references add.
 */
export interface ReferenceHit {
  kind: CharacterHit['kind'];
  start: number;
  end: number;
  decoded: string;
  names: string[];
}

/** Source text either side of a node that judges its references (a line's right-to-left letters, its marks). */
const AROUND = 256;

/**
 * A Markdown text node's references, as the parser decoded them (`value`), judged with the text around the
 * node on its line, as the source's own characters are: a right-to-left mark after bold Hebrew is ordinary
 * there, and the node after the bold alone made it look otherwise (diff5-review F4). At most AROUND
 * characters either side: a line of thousands of such nodes rescanned itself for each (diff6-review R1).
 */
export function textReferenceHit(text: string, start: number, end: number, value: string): ReferenceHit | undefined {
  const source = text.slice(start, end);
  if (!source.includes('&')) return undefined;
  const lineStart = Math.max(text.lastIndexOf('\n', start - 1) + 1, start - AROUND);
  const newline = text.indexOf('\n', end);
  const lineEnd = Math.min(newline < 0 ? text.length : newline, end + AROUND);
  const before = text.slice(lineStart, start);
  const after = text.slice(end, lineEnd);
  return drawnHit(before + value + after, before.length, before.length + value.length, source, start, end);
}

/**
 * The named references that draw an invisible character, as HTML knows them (`character-entities`: a test
 * compares): the references in raw HTML's text are decoded with them, and with every numeric one.
 */
export const INVISIBLE_NAMED: Readonly<Record<string, string>> = {
  ApplyFunction: '\u2061',
  af: '\u2061',
  InvisibleTimes: '\u2062',
  it: '\u2062',
  InvisibleComma: '\u2063',
  ic: '\u2063',
  NoBreak: '\u2060',
  ZeroWidthSpace: '\u200b',
  NegativeVeryThinSpace: '\u200b',
  NegativeThinSpace: '\u200b',
  NegativeMediumSpace: '\u200b',
  NegativeThickSpace: '\u200b',
  lrm: '\u200e',
  rlm: '\u200f',
  shy: '\u00ad',
  zwj: '\u200d',
  zwnj: '\u200c',
};

/**
 * The references in a raw-HTML node's text, outside its tags and comments, decoded as a browser decodes
 * them (diff5-review F2: `<div>…&#xE0049;…</div>` was drawn and not reported): the node's text judged
 * whole, as one line of text a browser draws (diff6-review R3: each piece between tags alone made an
 * ordinary mark after bold Hebrew look otherwise), one hit a node (R7).
 */
export function htmlReferenceHit(
  text: string,
  from: number,
  to: number,
  tokens: readonly HtmlToken[],
): ReferenceHit | undefined {
  let source = '';
  let at = from;
  for (const token of tokens) {
    if (from + token.start > at) source += text.slice(at, from + token.start);
    at = Math.max(at, from + token.end);
  }
  if (to > at) source += text.slice(at, to);
  if (!source.includes('&')) return undefined;
  const decoded = decodeReferences(source).replace(
    /&([A-Za-z]+);/g,
    (all, name: string) => INVISIBLE_NAMED[name] ?? all,
  );
  return drawnHit(decoded, 0, decoded.length, source, from, to);
}

/**
 * One hit for what the decoded text draws between `from` and `to` that the source does not hold as it is
 * (a raw soft hyphen beside tag-character references no longer hides them: diff5-review F6).
 */
function drawnHit(
  decoded: string,
  from: number,
  to: number,
  source: string,
  start: number,
  end: number,
): ReferenceHit | undefined {
  const raw = new Set(characterHits(source).flatMap((hit) => hit.names));
  const drawn = characterHits(decoded).filter(
    (hit) => hit.end > from && hit.start < to && hit.names.some((name) => !raw.has(name)),
  );
  if (drawn.length === 0) return undefined;
  return {
    kind: drawn[0]!.kind,
    start,
    end,
    decoded: `${drawn.map((hit) => hit.decoded).join(' ')} (written as character references)`,
    names: [...new Set(drawn.flatMap((hit) => hit.names))],
  };
}
