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

/**
 * A Markdown text node's references, as the parser decoded them (`value`), judged on the node's line as
 * the source's own characters are: a right-to-left mark after bold Hebrew is ordinary there, and the
 * node after the bold alone made it look otherwise (diff5-review F4).
 */
export function textReferenceHit(text: string, start: number, end: number, value: string): ReferenceHit | undefined {
  const source = text.slice(start, end);
  if (!source.includes('&')) return undefined;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lineEnd = text.indexOf('\n', end);
  const before = text.slice(lineStart, start);
  const after = text.slice(end, lineEnd < 0 ? text.length : lineEnd);
  return drawnHit(before + value + after, before.length, before.length + value.length, source, start, end);
}

/**
 * The references in a raw-HTML node's text, outside its tags and comments, decoded as a browser decodes
 * them (diff5-review F2: `<div>…&#xE0049;…</div>` was drawn and not reported).
 */
export function htmlReferenceHits(
  text: string,
  from: number,
  to: number,
  tokens: readonly HtmlToken[],
): ReferenceHit[] {
  const gaps: [number, number][] = [];
  let at = from;
  for (const token of tokens) {
    if (from + token.start > at) gaps.push([at, from + token.start]);
    at = Math.max(at, from + token.end);
  }
  if (to > at) gaps.push([at, to]);
  const hits: ReferenceHit[] = [];
  for (const [start, end] of gaps) {
    const source = text.slice(start, end);
    if (!source.includes('&#')) continue;
    const decoded = decodeReferences(source);
    const hit = drawnHit(decoded, 0, decoded.length, source, start, end);
    if (hit) hits.push(hit);
  }
  return hits;
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
