import { fromMarkdown } from 'mdast-util-from-markdown';

/**
 * Markdown that a preview does not show but a model reads in the source:
 * HTML comments (CommonMark §4.6 type 2 and inline raw HTML), link reference
 * definitions that nothing refers to (§4.7 — the popular `[//]: # (comment)`
 * idiom), and HTML elements hidden by the `hidden` attribute or an inline
 * style (display:none, visibility:hidden, zero font size or opacity). Code
 * blocks and code spans are shown as written, so nothing in them is hidden.
 * `<details>` is not flagged: the preview shows its summary and a reader can
 * open it. Parsed with micromark (mdast-util-from-markdown), CommonMark exact.
 */

export type MarkdownKind = 'HTML_COMMENT' | 'HIDDEN_REFERENCE' | 'HIDDEN_HTML';

export interface MarkdownHit {
  kind: MarkdownKind;
  start: number;
  end: number;
  /** The hidden text, as a model reads it. */
  decoded: string;
}

interface MdNode {
  type: string;
  value?: string;
  identifier?: string;
  url?: string;
  title?: string | null;
  children?: MdNode[];
  position?: { start: { offset?: number }; end: { offset?: number } };
}

/** Comments that tools write and that say nothing to a reader or a model: AAM's own section markers, formatter switches. */
const DIRECTIVE =
  /^\s*(?:(?:BEGIN|END) AAM: \S+ \S+|prettier-ignore(?:-start|-end)?|markdownlint-(?:disable|enable|capture|restore|disable-line|disable-next-line|disable-file|enable-file|configure-file)\b[^]*|toc|\/toc|tocstop|vale \S+ = (?:NO|YES)|cspell:\S+[^]*)\s*$/i;
const HIDING_STYLE =
  /style\s*=\s*(["'])[^"']*\b(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d]*[1-9])|opacity\s*:\s*0(?![.\d]*[1-9])|(?:max-)?(?:height|width)\s*:\s*0(?:px)?\s*[;"'])/i;
const HIDING_TAG = /<([a-z][a-z0-9-]*)\b[^>]*?(?:\shidden(?=[\s=>/])|\saria-hidden\s*=\s*["']?true)[^>]*>/gi;
const STYLED_TAG = /<([a-z][a-z0-9-]*)\b[^>]*\sstyle\s*=[^>]*>/gi;

const TRIGGER = /<!--|^ {0,3}\[[^\]\n]+\]:|<[a-z][^>]*?\s(?:hidden|aria-hidden|style)\b/im;

/** Every Markdown-hidden construct of a document, by UTF-16 offsets. */
export function markdownHits(text: string): MarkdownHit[] {
  // Parsing costs (micromark: about 4 ms per 1,000 characters): only a document that could hold one of these is
  // parsed — a comment, a definition, or a tag with a hiding attribute. Ordinary Markdown costs one test.
  if (!TRIGGER.test(text)) return [];
  let tree: MdNode;
  try {
    tree = fromMarkdown(text) as MdNode;
  } catch {
    return [];
  }
  const hits: MarkdownHit[] = [];
  const referenced = new Set<string>();
  const definitions: MdNode[] = [];
  const walk = (node: MdNode) => {
    if (node.type === 'html') htmlHits(text, node, hits);
    else if (node.type === 'definition') definitions.push(node);
    else if ((node.type === 'linkReference' || node.type === 'imageReference') && node.identifier)
      referenced.add(node.identifier);
    for (const child of node.children ?? []) walk(child);
  };
  walk(tree);
  for (const definition of definitions) {
    if (referenced.has(definition.identifier ?? '')) continue;
    const start = definition.position?.start.offset ?? 0;
    const end = definition.position?.end.offset ?? start;
    const said = [definition.title, definition.url && definition.url !== '#' ? definition.url : undefined];
    hits.push({ kind: 'HIDDEN_REFERENCE', start, end, decoded: said.filter(Boolean).join(' — ') });
  }
  return hits.sort((a, b) => a.start - b.start);
}

/** The comments and hidden elements of one raw-HTML node (a block, or inline HTML in a paragraph). */
function htmlHits(text: string, node: MdNode, hits: MarkdownHit[]): void {
  const from = node.position?.start.offset;
  const to = node.position?.end.offset;
  if (from === undefined || to === undefined) return;
  const source = text.slice(from, to);
  for (let at = source.indexOf('<!--'); at >= 0; at = source.indexOf('<!--', at + 4)) {
    const close = source.indexOf('-->', at + 4);
    // An unclosed comment block runs to the end of its container (CommonMark): all of it is hidden.
    const end = close >= 0 ? from + close + 3 : to;
    const body = text.slice(from + at + 4, close >= 0 ? from + close : end).replace(/^\s*>\s?/gm, '');
    if (body.trim() && !DIRECTIVE.test(body))
      hits.push({ kind: 'HTML_COMMENT', start: from + at, end, decoded: body.trim() });
    if (close < 0) break;
    at = close;
  }
  for (const pattern of [HIDING_TAG, STYLED_TAG]) {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(source); match; match = pattern.exec(source)) {
      if (pattern === STYLED_TAG && !HIDING_STYLE.test(match[0])) continue;
      const start = from + match.index;
      if (hits.some((h) => h.kind === 'HIDDEN_HTML' && h.start === start)) continue;
      const tag = match[1]!.toLowerCase();
      const closing = text.toLowerCase().indexOf(`</${tag}>`, start + match[0].length);
      const end = closing >= 0 ? closing + tag.length + 3 : start + match[0].length;
      const inner = text.slice(start + match[0].length, closing >= 0 ? closing : end);
      hits.push({ kind: 'HIDDEN_HTML', start, end, decoded: inner.replace(/<[^>]*>/g, '').trim() || match[0] });
    }
  }
}
