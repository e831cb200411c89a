/**
 * Where an element in a document's HTML ends, and the text it holds itself: what a hidden element hides.
 */
import { declarationsOf } from './colours.ts';
import { htmlTokens, RAW_TEXT, rawTextEnd } from './html.ts';

/** Elements without content (§13.1.2): what they hide is in their attributes. */
export const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);
/** How much of a document is read for the text elements hold themselves; past it, all they hold counts. */
const MAX_OWN_TEXT = 4 << 20;

/**
 * Elements a browser may end before the end tag `extent` finds (a `<div>` ends a `<p>`, an `<a>` the `<a>` open):
 * what follows might be taken as theirs, so their text is not left out.
 */
const ENDED_BY_OTHERS = new Set(
  'p li dt dd option optgroup td th tr thead tbody tfoot caption colgroup rb rt rtc rp a nobr button form select h1 h2 h3 h4 h5 h6 html head body'.split(
    ' ',
  ),
);
/** A declaration that sets the colour of an element's letters. */
const COLOUR = /^\s*(?:color|-webkit-text-fill-color)\s*:/i;

/**
 * The text an element holds (`inner`) outside the elements in it that set their own colour, which are judged
 * themselves after what they inherit (inherited.ts): a colour an element takes from around it, or the backgrounds
 * behind it, hide only that text (diff19-review F1: a dark panel's white judged against a white card in it, whose
 * text is in a span of its own colour). `budget.read` counts what is read in a document; past MAX_OWN_TEXT, the
 * whole of `inner` counts.
 */
export function ownText(inner: string, budget: { read: number }): string {
  if ((budget.read += inner.length) > MAX_OWN_TEXT) return inner.replace(/<[^>]*>/g, '');
  let out = '';
  let at = 0;
  for (const token of htmlTokens(inner)) {
    if (token.start < at) continue;
    out += inner.slice(at, token.start);
    at = token.end;
    const style = token.type === 'start' ? token.attributes.get('style') : undefined;
    if (
      token.type === 'start' &&
      style &&
      !ENDED_BY_OTHERS.has(token.name) &&
      declarationsOf(style).some((d) => COLOUR.test(d))
    )
      at = Math.max(at, extent(inner, token.name, token.end, inner.length).end);
  }
  return out + inner.slice(at);
}

/**
 * Where an element that starts (its start tag ending at `from`) ends: its content runs to its own end tag,
 * counting the same elements nested in it, or to `limit` when nothing closes it.
 */
export function extent(text: string, name: string, from: number, limit: number): { inner: number; end: number } {
  if (VOID.has(name)) return { inner: from, end: from };
  const closeAt = (at: number) => {
    const close = text.indexOf('>', at);
    return { inner: at, end: close < 0 ? text.length : close + 1 };
  };
  if (RAW_TEXT.has(name)) {
    const at = rawTextEnd(text, from, name);
    return at < text.length ? closeAt(at) : { inner: limit, end: limit };
  }
  const literal = name.replace(/[.*+?^$|()[\]{}\\]/g, '\\$&');
  const tags = new RegExp(`<(/?)${literal}(?=[\\t\\n\\f\\r />])`, 'gi');
  tags.lastIndex = from;
  let depth = 1;
  for (let m = tags.exec(text); m; m = tags.exec(text)) {
    depth += m[1] ? -1 : 1;
    if (depth === 0) return closeAt(m.index);
  }
  return { inner: limit, end: limit };
}
