/**
 * What a start tag in a document's HTML hides, and how far: its attributes, its style (alone or after what the
 * elements around it pass down: inherited.ts), or what the element is; and where its content ends (markdown.ts).
 */
import { htmlTokens, RAW_TEXT, rawTextEnd } from './html.ts';
import type { HtmlToken } from './html.ts';
import type { DocumentElements } from './document-elements.ts';
import { appliedValue } from './read-style.ts';
import { hidingStyle } from './styles.ts';
import type { Judged } from './styles.ts';

/**
 * Elements whose content a browser never renders: the HTML standard's rendering section (display: none: `rp`,
 * `noembed`, `noframes`, `param`, `area`), an embedded element's fallback (`video`, `audio`, `canvas`, `object`,
 * `iframe`: drawn only where the element is not supported), and SVG's `desc` and `metadata`. `rp` passes
 * GitHub's sanitizer and hid an instruction there and in VS Code alike (hidden-review 3).
 */
const NEVER_RENDERED = new Set([
  'script',
  'style',
  'template',
  'noscript',
  'title',
  'datalist',
  'rp',
  'noembed',
  'noframes',
  'param',
  'area',
  'video',
  'audio',
  'canvas',
  'object',
  'iframe',
  'desc',
  'metadata',
  // What a meter, a progress bar and a fenced frame hold is fallback content (diff39-review E4).
  'meter',
  'progress',
  'fencedframe',
]);
/** SVG's elements that draw nothing themselves (SVG 2: `defs`, what is drawn only where it is used or referred to). */
const SVG_NEVER_DRAWN = new Set([
  'defs',
  'symbol',
  'clippath',
  'mask',
  'pattern',
  'marker',
  'lineargradient',
  'radialgradient',
  'filter',
]);
/** MathML's: a phantom takes its room unseen, an annotation is not drawn (MathML Core's style sheet: E5). */
const MATH_NEVER_DRAWN = new Set(['mphantom', 'annotation', 'annotation-xml']);
/** Elements whose hidden content is fallback text, among tags of their own (diff4-review F3). */
export const FALLBACK = new Set(['video', 'audio', 'canvas', 'object', 'iframe', 'rp', 'meter', 'progress']);
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
/** Attributes whose text a model reads and a hidden element's reader would not see. */
export const SAID = ['value', 'content', 'alt', 'title', 'aria-label'];

/**
 * Whether a start tag's element is not rendered: an attribute, its style with what its attributes set
 * (`style`: alone, or after what the elements around it pass down and paint behind it: `inherited`), or what
 * the element is in its namespace (`space`: SVG's, MathML's or HTML's).
 */
export function hiddenBy(
  tag: Extract<HtmlToken, { type: 'start' }>,
  style: string | undefined,
  inherited: Judged | undefined,
  space?: 'svg' | 'math',
): boolean {
  const attribute = (name: string) => tag.attributes.get(name)?.trim().toLowerCase();
  // HTML's `hidden` and `popover` are display: none in the browser's style sheet, which an author's valid `display`
  // beats (diff40-review F5; not `blok`, nor `revert-layer`: diff41-review E1), but not `hidden="until-found"`;
  // on SVG's and MathML's elements they do nothing.
  const display = style ? appliedValue(style, 'display')?.toLowerCase() : undefined;
  const displayed = display !== undefined && (display.startsWith('var(') || display.split(/\s+/).every(isDisplay));
  const byAttribute = space === undefined && !displayed;
  return (
    (byAttribute && tag.attributes.has('hidden')) ||
    (space === undefined && attribute('hidden') === 'until-found') ||
    // A popover is not drawn until it is shown (`[popover]:not(:popover-open)`: diff39-review E3).
    (byAttribute && tag.attributes.has('popover') && !(tag.name === 'dialog' && tag.attributes.has('open'))) ||
    (space === 'svg' && SVG_NEVER_DRAWN.has(tag.name)) ||
    (space === 'math' && MATH_NEVER_DRAWN.has(tag.name)) ||
    attribute('aria-hidden') === 'true' ||
    hidingStyle(style ?? '') !== undefined ||
    (inherited !== undefined && hidingStyle(inherited.style, inherited) !== undefined) ||
    NEVER_RENDERED.has(tag.name) ||
    (tag.name === 'dialog' && !tag.attributes.has('open')) ||
    (tag.name === 'input' && attribute('type') === 'hidden') ||
    tag.name === 'meta' ||
    (noBox(tag.name, style, attribute) && !tag.selfClosing) // `<svg/>` holds nothing to hide
  );
}

/** CSS's `display` keywords that draw the element (`none` and `revert-layer` do not: back to the browser's rule). */
const DISPLAYS = new Set(
  'block inline run-in flow flow-root table flex grid ruby math list-item contents inline-block inline-table inline-flex inline-grid table-row-group table-header-group table-footer-group table-row table-cell table-column-group table-column table-caption ruby-base ruby-text ruby-base-container ruby-text-container -webkit-box -webkit-inline-box initial unset inherit revert'.split(
    ' ',
  ),
);
const isDisplay = (keyword: string) => DISPLAYS.has(keyword);

/**
 * SVG draws nothing outside its boxes: a `<foreignObject>` not given both a width and a height is 0 by 0, and an
 * `<svg>` given a width or a height of 0 is clipped to it (a foreignObject's `overflow` may be made visible). A size is
 * its attribute or its style's; only a length of 0 (`0`, `0.0px`, `0%`) is none: an `<svg>`'s `auto` is 300 by 150
 * or its viewBox's (diff38-review F4), and a `var()` or `calc()` is not worked out. A foreignObject's `auto` is 0.
 */
function noBox(name: string, style: string | undefined, attribute: (name: string) => string | undefined): boolean {
  if (name !== 'foreignobject' && name !== 'svg') return false;
  if (name === 'foreignobject' && style && appliedValue(style, 'overflow')?.startsWith('visible')) return false;
  const sizes = ['width', 'height'].map((side) => ((style && appliedValue(style, side)) ?? attribute(side))?.trim());
  const zero = (size: string | undefined) =>
    size !== undefined && /^[+-]?(?:0+\.?0*|\.0+)(?:e[+-]?\d+)?(?:[a-z]+|%)?$/i.test(size);
  return name === 'svg' ? sizes.some(zero) : sizes.some((size) => size === undefined || size === 'auto' || zero(size));
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

/** Markup taken out of text, in time linear in it (a `<` without a `>` ends at the next `<`: diff40-review T1). */
export const withoutTags = (text: string) => text.replace(/<[^<>]*>/g, '');

/** A hidden element's report: where it starts and ends, and its text as a model reads it. */
export interface HiddenReport {
  kind: 'HIDDEN_HTML';
  start: number;
  end: number;
  decoded: string;
}

/**
 * The report of a hidden element whose start tag `tag` starts at `start`. On the open elements (`open`), it runs to
 * where the browser closes it, which `open` tells as it takes it off (an end tag that the source's next one of its
 * name is not, an implied end: diff39-review E1, diff40-review F7), at most to `limit` (what holds it); its text is
 * read then, or at the document's end. An element not on them (void, or a tag the browser ignores) runs to its end
 * tag in the source. Its decoded text is empty where it hides nothing a model reads: no text, or a ruby's parenthesis.
 */
export function hiddenReport(
  text: string,
  tag: Extract<HtmlToken, { type: 'start' }>,
  at: { start: number; limit: number; space: 'svg' | 'math' | undefined; open: DocumentElements | undefined },
): HiddenReport | undefined {
  const inside = at.start + (tag.end - tag.start);
  const said = SAID.map((name) => tag.attributes.get(name)?.trim()).filter(Boolean);
  const shownIn = (inner: string) => (RAW_TEXT.has(tag.name) ? inner : withoutTags(inner)).trim();
  // A player's or frame's own tags (`<source>`, `<track>`) are not fallback text, nor is a ruby's parenthesis, nor
  // SVG's shapes or MathML's marks (an icon sprite: diff38-review F5).
  const fallback = FALLBACK.has(tag.name) || at.space !== undefined;
  // Fallback's own tags are no text, but what their attributes say is (`<object><param value>`).
  const saidIn = (inner: string) =>
    [...htmlTokens(inner)].flatMap((t) => (t.type === 'start' ? SAID.map((a) => t.attributes.get(a)?.trim()) : []));
  const decodedOf = (inner: string) =>
    // A ruby's parenthesis is no hidden text (its `</rp>` may be left out: diff41-review F1).
    tag.name === 'rp' && /^[\p{P}\s]{0,4}$/u.test(shownIn(inner)) && said.length === 0
      ? ''
      : [
          ...(fallback ? [shownIn(inner)] : [shownIn(inner) || inner.trim()]),
          ...said,
          ...(fallback ? saidIn(inner) : []),
        ]
          .filter(Boolean)
          .join(' — ');
  if (!at.open) {
    const element = extent(text, tag.name, inside, at.limit);
    const decoded = decodedOf(text.slice(inside, element.inner));
    return decoded ? { kind: 'HIDDEN_HTML', start: at.start, end: element.end, decoded } : undefined;
  }
  // Read when closed: until then it holds all to its limit (what is in it is reported with it, not again).
  const report: HiddenReport = { kind: 'HIDDEN_HTML', start: at.start, end: at.limit, decoded: '' };
  let open = true;
  at.open.closes(tag.name, (content, through) => {
    if (!open) return; // a formatting element opened again: its copy is not this report
    open = false;
    report.end = Math.min(Math.max(through, inside), at.limit);
    report.decoded = decodedOf(text.slice(inside, Math.min(Math.max(content, inside), at.limit)));
  });
  return report;
}
