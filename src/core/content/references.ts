import { characterHits } from './characters.ts';
import type { CharacterHit } from './characters.ts';
import { decodeReferences, htmlTokens } from './html.ts';
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

/** What micromark makes of Markdown: the parts of a node that draw text. */
export interface DrawnNode {
  type: string;
  value?: string;
  children?: DrawnNode[];
  position?: { start: { offset?: number }; end: { offset?: number } };
}

/** Blocks a preview draws as one run of text: their source lines are joined, as a browser joins them. */
export const DRAWN_BLOCKS: ReadonlySet<string> = new Set(['paragraph', 'heading', 'tableCell']);

/**
 * A block's references (DRAWN_BLOCKS), judged on the block's text as a preview draws it: its text nodes as
 * the parser decoded them, its inline HTML's text with references decoded, code as written, lines joined.
 * Judged a node at a time, a right-to-left mark after bold Hebrew looked out of place (diff5-review F4);
 * with the source around each node, each node rescanned its line (diff6-review R1, diff7-review S1), the
 * neighbours' `&rlm;` counted as the letters r, l, m (diff7-review B1), and `**` as punctuation.
 */
export function blockReferenceHit(text: string, block: DrawnNode): ReferenceHit | undefined {
  const start = block.position?.start.offset;
  const end = block.position?.end.offset;
  if (start === undefined || end === undefined) return undefined;
  const source = text.slice(start, end);
  if (!source.includes('&')) return undefined;
  const drawn = drawnText(text, block).replace(/[\r\n]/g, ' ');
  return drawnHit(drawn, 0, drawn.length, source, start, end);
}

function drawnText(text: string, node: DrawnNode): string {
  if (node.type === 'text' || node.type === 'inlineCode') return node.value ?? '';
  if (node.type === 'break') return ' ';
  if (node.type === 'image' || node.type === 'imageReference') return '';
  if (node.type === 'html') {
    const from = node.position?.start.offset;
    const to = node.position?.end.offset;
    return from === undefined || to === undefined
      ? ''
      : htmlText(text.slice(from, to), [...htmlTokens(text.slice(from, to))]);
  }
  return (node.children ?? []).map((child) => drawnText(text, child)).join('');
}

/** A raw-HTML source's text outside its tags and comments, its references decoded as a browser decodes them. */
function htmlText(source: string, tokens: readonly HtmlToken[]): string {
  let shown = '';
  let at = 0;
  for (const token of tokens) {
    if (token.start > at) shown += source.slice(at, token.start);
    at = Math.max(at, token.end);
  }
  if (source.length > at) shown += source.slice(at);
  return decodeReferences(shown, INVISIBLE_NAMED);
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
 * The references in a raw-HTML block's text, outside its tags and comments, decoded as a browser decodes
 * them (diff5-review F2: `<div>…&#xE0049;…</div>` was drawn and not reported), in one pass (diff7-review
 * F2: `&amp;zwj;` is the text `&zwj;`): the block's text judged whole, as a browser draws it, its lines
 * joined (diff6-review R3, diff7-review L1), one hit a block (R7).
 */
export function htmlReferenceHit(
  text: string,
  from: number,
  to: number,
  tokens: readonly HtmlToken[],
): ReferenceHit | undefined {
  const source = text.slice(from, to);
  if (!source.includes('&')) return undefined;
  const drawn = htmlText(source, tokens).replace(/[\r\n]/g, ' ');
  return drawnHit(drawn, 0, drawn.length, source, from, to);
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
