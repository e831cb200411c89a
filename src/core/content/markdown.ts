import { fromMarkdown } from 'mdast-util-from-markdown';
import type { CharacterHit } from './characters.ts';
import { toolDirective } from './directives.ts';
import { droppedMarkdown, frontMatterComments } from './dropped-markdown.ts';
import { htmlTokens } from './html.ts';
import { hiddenBy, hiddenReport, VOID, withoutTags } from './hidden-element.ts';
import { SelectOptions } from './select-options.ts';
import { hidingAttribute, unquoted } from './tag-trigger.ts';
import { styleWithHints } from './presentational.ts';
import { DocumentElements } from './document-elements.ts';
import { blockReferenceHit, DRAWN_BLOCKS, htmlReferenceHit } from './references.ts';
import { crowdedEmphasis, NO_EMPHASIS, unparsable, unread } from './markdown-limits.ts';
import { useLinearEditMap } from './edit-map.ts';
import { own } from '../model/own.ts';

/**
 * Markdown that a preview does not show but a model reads in the source:
 * HTML comments (CommonMark §4.6 type 2 and inline raw HTML) and the bogus
 * comments a browser makes of `<!…>` and `<?…>`, link reference definitions
 * that nothing refers to (§4.7 — the popular `[//]: # (comment)` idiom), and
 * HTML elements a browser does not render: hidden by the `hidden` attribute or
 * an inline style (styles.ts), elements never rendered (script, style,
 * template…), a closed dialog, a hidden input's value. The raw HTML is read
 * with a tokenizer that follows the browser's (html.ts), so a quoted `>` or a
 * character reference does not hide an attribute. Code blocks and code spans
 * are shown as written, so nothing in them is hidden. `<details>` is not
 * flagged: the preview shows its summary and a reader can open it. Parsed
 * with micromark (mdast-util-from-markdown), CommonMark exact.
 */

export type MarkdownKind =
  | 'HTML_COMMENT'
  | 'HIDDEN_REFERENCE'
  | 'HIDDEN_HTML'
  | 'DROPPED_MARKDOWN'
  // Invisible characters a preview draws from character references (references.ts).
  | CharacterHit['kind'];

export interface MarkdownHit {
  kind: MarkdownKind;
  start: number;
  end: number;
  /** The hidden text, as a model reads it. */
  decoded: string;
  /** The characters involved, named, for characters written as references. */
  names?: string[];
}

interface MdNode {
  type: string;
  value?: string;
  identifier?: string;
  url?: string;
  title?: string | null;
  children?: MdNode[];
  /** A list's or item's blank lines between its children (a list with none in it or its items is tight). */
  spread?: boolean;
  /** A heading's level; whether a list is ordered. */
  depth?: number;
  ordered?: boolean;
  position?: { start: { offset?: number }; end: { offset?: number } };
}

/**
 * What could hold one of these: a character reference, a comment or another `<!`/`<?`, a definition, a table,
 * an element never rendered, or a tag with an attribute that hides or colours (tag-trigger.ts: read as HTML's
 * tokenizer reads a tag, from every `<` and a letter, in time linear in the text: diff23-review T1 and
 * diff24-review Q1, T1). A text without one has nothing here: a fast path that skips the scan (bench/floor) must
 * ask this very function.
 */
export function markdownTriggered(text: string): boolean {
  return MARKDOWN_CONSTRUCT.test(text) || hidingAttribute(text);
}

/** The elements the preview renders a heading, a list, its items, a quote and a code block in (a paragraph's <p>: `walk`). */
const OWN_TAGS: Partial<Record<string, (node: MdNode) => string>> = {
  heading: (node) => `h${node.depth ?? 1}`,
  list: (node) => (node.ordered ? 'ol' : 'ul'),
  listItem: () => 'li',
  blockquote: () => 'blockquote',
  code: () => 'pre',
};
/** The elements the preview renders Markdown's inline constructs in (diff40-review F1-F3). */
const INLINE_TAGS: Record<string, string> = {
  emphasis: 'em',
  strong: 'strong',
  link: 'a',
  linkReference: 'a',
  inlineCode: 'code',
  image: 'img',
  imageReference: 'img',
  break: 'br',
};
const LINK: ReadonlyMap<string, string> = new Map([['href', '']]);
/** Start tags a browser ignores in a body, that the preview's page is (§13.2.6.4.7). */
const IGNORED_IN_BODY = new Set(['html', 'head', 'body', 'frameset']);
/** The constructs but tags (a table delimiter's blanks read by one loop: two that overlapped were quadratic). */
const MARKDOWN_CONSTRUCT =
  /&(?:#x?[0-9a-f]+|shy|[a-z][a-z0-9]*;)|<[!?]|^ {0,3}\[[^\]\n]+\]:|^[ \t>]*(?:\|[ \t]*)?:?-+:?[ \t]*\||<(?:script|style|template|noscript|title|datalist|head|dialog|input|meta|rp|noembed|noframes|param|area|video|audio|canvas|object|iframe|desc|metadata|svg|foreignobject|math|meter|progress|fencedframe|select)\b/im;

/** Every Markdown-hidden construct of a document, by UTF-16 offsets. */
export function markdownHits(text: string): MarkdownHit[] {
  // Parsing costs (micromark: about 4 ms per 1,000 characters): only a document that could hold one of these is
  // parsed — a comment, a definition, or a tag with a hiding attribute. Ordinary Markdown costs one test.
  const front = frontMatterComments(text);
  if (!markdownTriggered(text)) return front;
  const why = unparsable(text);
  if (why) return [...front, unread(text, why)];
  useLinearEditMap();
  try {
    const tree = fromMarkdown(text, crowdedEmphasis(text) ? { extensions: [NO_EMPHASIS] } : {}) as MdNode;
    return parsedHits(text, tree, front);
  } catch (error) {
    // Nested past the stack (micromark's or the walk's): not read, and said so (diff8-review L2). Anything else
    // is a failure of the scan, not a finding of the file (diff9-review F10).
    if (!(error instanceof RangeError)) throw error;
    return [...front, unread(text, 'nested too deep')];
  }
}

function parsedHits(text: string, tree: MdNode, front: MarkdownHit[]): MarkdownHit[] {
  const hits: MarkdownHit[] = [...front];
  const referenced = new Set<string>();
  const definitions: MdNode[] = [];
  const covered: Covered = { after: 0, open: new DocumentElements(), select: new SelectOptions() };
  const code: [number, number][] = [];
  const tight = new WeakSet<MdNode>(); // items of tight lists
  const walk = (node: MdNode, parent: MdNode, inBlock: boolean, quoted = false) => {
    // Markdown's inline elements are HTML's to the browser: `<em>` leaves SVG, `</em>` ends what opened in it (F1, F2).
    const inline = own(INLINE_TAGS, node.type);
    covered.open.at = covered.open.through = node.position?.start.offset ?? covered.open.at;
    if (inline) covered.open.start(inline, undefined, VOID.has(inline), false, inline === 'a' ? LINK : undefined);
    if (LEAVES.has(node.type) && node.value?.trim()) {
      covered.open.text(); // the formatting elements an end tag closed open again around it
      textHit(hits, covered, node.position?.start.offset ?? 0, node.position?.end.offset ?? 0, node.value);
    }
    if (node.type === 'html') htmlHits(text, node, parent, hits, covered, !inBlock, quoted);
    else if (node.type === 'code' || node.type === 'inlineCode')
      code.push([node.position?.start.offset ?? 0, node.position?.end.offset ?? 0]);
    // `[^x]:` is a footnote to GFM (droppedMarkdown), whatever CommonMark makes of it.
    else if (node.type === 'definition' && !node.identifier?.startsWith('^')) definitions.push(node);
    else if ((node.type === 'linkReference' || node.type === 'imageReference') && node.identifier)
      referenced.add(node.identifier);
    else if (DRAWN_BLOCKS.has(node.type) && !inBlock) {
      const hit = blockReferenceHit(text, node);
      if (hit) hits.push(hit);
    }
    const within = inBlock || DRAWN_BLOCKS.has(node.type);
    // A paragraph's end closes what its inline HTML left open, as the browser's `</p>` does (diff19-review H1). The
    // preview puts a paragraph in a <p> of its own (diff35-review F4), but not in a tight list's items; a heading,
    // a list and an item in theirs, which end what HTML left open as their start tags do (diff36-review P1).
    const mine = node.type === 'paragraph' && !tight.has(parent);
    const tag = mine ? 'p' : OWN_TAGS[node.type]?.(node);
    const depth = covered.open.paragraph(tag);
    if (node.type === 'list' && !node.spread && !node.children?.some(({ spread }) => spread))
      for (const item of node.children ?? []) tight.add(item);
    for (const child of node.children ?? []) walk(child, node, within, quoted || node.type === 'blockquote');
    // A tight list's item has no </p>: what its HTML left open stays open (diff37-review: a nested list in it).
    covered.open.at = covered.open.through = node.position?.end.offset ?? covered.open.at;
    if (mine || node.type === 'heading' || node.type === 'tableCell') covered.open.paragraphEnd(depth, mine);
    if (tag && !mine) covered.open.end(tag);
    if (inline && !VOID.has(inline)) covered.open.end(inline);
  };
  walk(tree, tree, false);
  covered.open.finish(text.length);
  // Past what is read again of what elements pass down, the rest was judged alone: said once (diff19-review F2).
  if (covered.open.exhausted) hits.push(unread(text, 'styles that elements pass down to more elements than are read'));
  const inCode = (offset: number) => {
    // Code nodes come in document order: the last one starting at or before the offset is the one to ask.
    let [low, high] = [0, code.length - 1];
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (code[mid]![0] <= offset) low = mid;
      else high = mid - 1;
    }
    return code.length > 0 && code[low]![0] <= offset && offset < code[low]![1];
  };
  hits.push(...droppedMarkdown(text, inCode));
  for (const definition of definitions) {
    if (referenced.has(definition.identifier ?? '')) continue;
    const start = definition.position?.start.offset ?? 0;
    const end = definition.position?.end.offset ?? start;
    const said = [definition.title, definition.url && definition.url !== '#' ? definition.url : undefined];
    hits.push({ kind: 'HIDDEN_REFERENCE', start, end, decoded: said.filter(Boolean).join(' — ') });
  }
  // A hidden element closed before any of its text (`<b hidden></b>` read as the browser closes it) hides nothing.
  return hits.filter((hit) => hit.kind !== 'HIDDEN_HTML' || hit.decoded).sort((a, b) => a.start - b.start);
}

/** What the walk keeps across a document's nodes (parsedHits). */
interface Covered {
  /** The hidden element found last: what is inside it, to its end, is reported with it, not again (`until`). */
  last?: MarkdownHit | undefined;
  /** Where the last tag ends: text after it opens again what an end tag closed. */
  after: number;
  /** The elements open so far, each with what it passes down to those inside it (inherited.ts). */
  open: DocumentElements;
  /** The text found hidden last, which hidden text after it (with nothing drawn between) joins. */
  run?: MarkdownHit | undefined;
  /** The options of a closed `<select>` so far. */
  select: SelectOptions;
}
/** Where the hidden element found last ends (what is before is reported, or not, with it). */
const until = (covered: Covered) => covered.last?.end ?? 0;
/** Markdown's nodes of text that the preview draws (in an element that hides them, it does not). */
const LEAVES = new Set(['text', 'inlineCode', 'code']);

/**
 * Text the preview puts in an element that hides it, wherever the source has it: past an end tag the browser ignores,
 * or one in a comment or an attribute, that the element's extent stopped at (diff39-review E1), or where a hidden
 * formatting element is opened again, as far as the rest of the document (E2). Reported unless its hidden element
 * was; text that is drawn ends the run of what is reported together.
 */
function textHit(hits: MarkdownHit[], covered: Covered, start: number, end: number, value: string): void {
  if (!covered.open.hidden) covered.run = undefined;
  if (!covered.open.hidden || start < until(covered)) return;
  const decoded = withoutTags(value).trim();
  if (!decoded) return;
  if (covered.run) {
    covered.run.end = end;
    covered.run.decoded += ` ${decoded}`;
  } else hits.push((covered.run = { kind: 'HIDDEN_HTML', start, end, decoded }));
}

/**
 * The comments and hidden elements of one raw-HTML node (a block, or inline HTML in a paragraph), and a
 * block's references (`block`; inline HTML's are its paragraph's: blockReferenceHit).
 */
function htmlHits(
  text: string,
  node: MdNode,
  parent: MdNode,
  hits: MarkdownHit[],
  covered: Covered,
  block: boolean,
  quoted: boolean,
): void {
  const from = node.position?.start.offset;
  const to = node.position?.end.offset;
  if (from === undefined || to === undefined) return;
  // In a block quote, the HTML is read without the `>` markers its lines start with, as the preview is given it.
  const source = quoted ? unquoted(text.slice(from, to)) : text.slice(from, to);
  const tokens = [...htmlTokens(source)];
  const referenced = block ? htmlReferenceHit(text, from, to, tokens) : undefined;
  if (referenced) hits.push(referenced);
  let last = 0; // where the last token ended: the text between tokens is drawn, or hidden where it is put
  for (const token of [...tokens, { type: 'text' as const, start: source.length, end: source.length }]) {
    const start = from + token.start;
    // Where an element taken off the stack here ends: its content before the tag, its range after an end tag.
    covered.open.at = start;
    covered.open.through = token.type === 'end' ? from + token.end : start;
    // Text since the last tag (whitespace too) opens again the formatting elements an end tag closed (inherited.ts).
    if (start > covered.after) covered.open.text();
    if (token.start > last) textHit(hits, covered, from + last, start, source.slice(last, token.start));
    last = token.end;
    if (token.type === 'text') continue;
    covered.after = from + token.end;
    if (token.type === 'comment') {
      // An unclosed comment block runs to the end of its container (CommonMark): all of it is hidden.
      const end = token.closed ? from + token.end : to;
      const body = token.body.replace(/^\s*>\s?/gm, '').trim();
      if (body && !toolDirective(body) && !(token.bogus && /^doctype\s+html\b/i.test(body)))
        hits.push({ kind: 'HTML_COMMENT', start, end, decoded: body });
      continue;
    }
    const option = covered.select.tag(token, start, from + token.end);
    // The first option of a closed select, taken as shown, was not: a later one is selected.
    if (option.later && option.later.start >= until(covered)) {
      const decoded = withoutTags(text.slice(option.later.start, option.later.end)).trim();
      if (decoded) hits.push({ kind: 'HIDDEN_HTML', ...option.later, decoded });
    }
    if (token.type === 'end') covered.open.end(token.name);
    // A start tag of the document's <html>, <head> or <body> is ignored in the page's body (diff36-review P3, P10).
    if (token.type !== 'start' || IGNORED_IN_BODY.has(token.name)) continue;
    const judged = start >= until(covered);
    const space = covered.open.spaceOf(token.name, token.attributes);
    const style = styleWithHints(token.name, token.attributes, token.selfClosing ? undefined : space);
    const empty = VOID.has(token.name) || (token.selfClosing === true && 'self-closing');
    const before = covered.open.top;
    const inherited = covered.open.start(token.name, style, empty, judged, token.attributes);
    const hidden = hiddenBy(token, style, judged ? inherited : undefined, space);
    // What it holds is hidden wherever the browser puts it (textHit); a ruby's parentheses are judged below.
    if ((hidden && token.name !== 'rp') || option.hides) covered.open.hides(token.name);
    if (!judged || !hidden) continue;
    // An element left open hides the rest of what holds it (a paragraph, a list item), or of the document.
    // (An <svg>'s, its HTML block: a Markdown block after it is HTML that ends it: diff38-review F5.)
    const limit =
      parent.type !== 'root' ? (parent.position?.end.offset ?? to) : token.name === 'svg' ? to : text.length;
    const pushed = covered.open.top !== before && covered.open.top?.name === token.name;
    const hit = hiddenReport(text, token, { start, limit, space, open: pushed ? covered.open : undefined });
    if (!hit) continue;
    hits.push(hit);
    covered.last = hit;
    covered.run = undefined;
  }
}
