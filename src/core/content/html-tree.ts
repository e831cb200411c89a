/**
 * The rules of HTML's tree construction (§13.2.6) that the open elements follow (inherited.ts): which elements
 * end others, how far an end tag looks, and which formatting elements a browser opens again.
 */
import { own } from '../model/own.ts';

/** Start tags a browser makes void (`<image>` is `<img>`), and table parts it drops outside a table. */
export const VOID_TOO = new Set(['image', 'basefont', 'bgsound', 'keygen', 'frame']);
export const TABLE_PARTS = new Set(['td', 'th', 'tr', 'tbody', 'thead', 'tfoot', 'caption', 'col', 'colgroup']);
/** Elements an end tag of another (inline) element does not close past: a browser ignores that end tag. */
export const SPECIAL = new Set(
  'div p table ul ol li dl dt dd blockquote pre section article aside nav header footer main details summary figure figcaption td th tr tbody thead tfoot caption h1 h2 h3 h4 h5 h6 center address fieldset form menu dialog search hgroup dir button xmp marquee select textarea object applet template iframe listing plaintext noembed noframes noscript frameset body'.split(
    ' ',
  ),
);

/**
 * Where the search for an element a start tag ends stops: it is out of scope past these (diff20-review R1; a list
 * item past any special element but address, div and p: diff21-review B2).
 */
export const pastItem = (open: string) =>
  (SPECIAL.has(open) || INTEGRATION.includes(open)) && open !== 'address' && open !== 'div' && open !== 'p';
const inRuby = (open: string) => open === 'ruby';
const SCOPE: Record<string, (open: string) => boolean> = {
  td: (open) => open === 'table',
  th: (open) => open === 'table',
  tr: (open) => open === 'table',
  tbody: (open) => open === 'table',
  thead: (open) => open === 'table',
  tfoot: (open) => open === 'table',
  option: (open) => open === 'select' || open === 'datalist' || open === 'optgroup',
  button: (open) => DEFAULT_SCOPE.has(open),
  rb: inRuby,
  rtc: inRuby,
  rt: inRuby,
  rp: inRuby,
};
/** What a table's end tags close past: anything but the table (an omitted `</td>` is valid: diff21-review F1). */
export const TABLE_ENDS = new Set(['table', 'tbody', 'thead', 'tfoot', 'tr', 'td', 'th', 'caption']);
/** Where SVG and MathML hold HTML again: a search for an element in scope stops there (§13.2.4.2: diff35-review F2). */
export const INTEGRATION = ['foreignobject', 'desc', 'title', 'mi', 'mo', 'mn', 'ms', 'mtext', 'annotation-xml'];
/** Which of them are SVG's and which MathML's: each is one only in its own (diff37-review: `<svg><mi>` is not). */
const OWN_INTEGRATION: Record<'svg' | 'math', readonly string[]> = {
  svg: INTEGRATION.slice(0, 3),
  math: INTEGRATION.slice(3),
};
const integration = (name: string, space: 'svg' | 'math' | undefined) =>
  !!space && OWN_INTEGRATION[space].includes(name);

/**
 * How many formatting elements wait to be opened again at most. A browser keeps every one that differs from the
 * others (three of the same tag and attributes): nine of as many kinds are all opened again (diff39-review E12), so
 * this bounds the work only, past what a document writes by hand.
 */
export const MOST_PENDING = 32;
/** How far down the open elements an end tag looks for its start. */
export const MAX_CLOSE_SEARCH = 512;
/** What an end tag of a block does not close past (HTML's default scope), with SVG's and MathML's `holdsHtml`. */
const DEFAULT_SCOPE = new Set(['table', 'td', 'th', 'caption', 'marquee', 'object', 'template', 'applet', 'html']);
/** One of SVG's or MathML's points that hold HTML, in its own namespace: a search in scope stops there too. */
const holdsHtml = (open: Placed) => INTEGRATION.includes(open.name) && integration(open.name, open.foreign);
/** HTML's elements of a set of names, or a point that holds HTML (an SVG `<td>` or an HTML `<mi>` is neither). */
const html = (names: ReadonlySet<string>) => (open: Placed) =>
  (!open.foreign && names.has(open.name)) || holdsHtml(open);
const inDefaultScope = html(DEFAULT_SCOPE);
/** A `<p>` is ended by a block only in button scope. */
export const P_SCOPE = new Set([
  ...['button', 'table', 'td', 'th', 'caption', 'marquee', 'object', 'template', 'applet'],
  ...INTEGRATION,
]);
export const inButtonScope = (open: string) => P_SCOPE.has(open);
/**
 * Where the search for an end tag's element stops: an inline element's end closes nothing past a block, a block's
 * nothing out of its scope (past a table cell): a browser ignores it (diff19-review H1).
 */
export function endScope(name: string): (open: Placed) => boolean {
  // A formatting element's end tag looks for it in scope, past blocks opened in it (the adoption agency: diff37 F1).
  if (FORMATTING.has(name)) return inDefaultScope;
  if (!SPECIAL.has(name)) return special;
  if (TABLE_ENDS.has(name)) return (open) => open.name === 'table' && !open.foreign && name !== 'table';
  // </li> in list item scope (diff36-review P5).
  return name === 'li' ? (open) => inDefaultScope(open) || (!open.foreign && LISTS.has(open.name)) : inDefaultScope;
}
const LISTS = new Set(['ol', 'ul']);
const special = html(SPECIAL);

/** Whether an end tag `name` closes an open element `open`: any heading closes any (§13.2.6.4.7: diff36-review P4). */
export const endsOpen = (name: string, open: string) => open === name || (HEADINGS.has(name) && HEADINGS.has(open));
/** Elements a browser reopens in later paragraphs when left open in one (its "active formatting elements"). */
export const FORMATTING = new Set('a b big code em font i nobr s small strike strong tt u'.split(' '));

const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const IN_TEXT = new Set(['tspan', 'textpath', 'a']);
/** List items: each ends the one before it in scope (`pastItem`). */
const ITEMS = new Set(['li', 'dd', 'dt']);

/**
 * Start tags that end an open `<p>` in button scope (§13.2.6.4.7), but a table: the preview parses its HTML in
 * quirks mode, where a table goes in the paragraph (diff31-review R3). Each one missing left a `<p>` a browser has
 * closed open around what follows (diff33-review N1).
 */
const ENDING_P = new Set([
  ...'address article aside center details dialog dir dl fieldset figcaption figure footer header hgroup main menu nav search section summary listing form plaintext hr xmp'.split(
    ' ',
  ),
  ...['p', 'div', 'ul', 'ol', 'pre', 'blockquote', ...HEADINGS, ...ITEMS],
]);

/** Start tags that end an open element of these names, other than a `<p>` (HTML's implied end tags, the common ones). */
const IMPLIED_ENDS: Record<string, readonly string[]> = {
  td: ['td', 'th'],
  th: ['td', 'th'],
  tr: ['td', 'th', 'tr'],
  // A table's sections end one another (diff22-review F1: a header's background kept over the body).
  tbody: ['thead', 'tbody', 'tfoot'],
  thead: ['thead', 'tbody', 'tfoot'],
  tfoot: ['thead', 'tbody', 'tfoot'],
  li: ['li'],
  dt: ['dt', 'dd'],
  dd: ['dt', 'dd'],
  option: ['option'],
  // A button ends the one open in scope; a ruby's parts end one another (§13.2.6.4.7).
  button: ['button'],
  rb: ['rb', 'rt', 'rtc', 'rp'],
  rtc: ['rb', 'rt', 'rtc', 'rp'],
  rt: ['rb', 'rt', 'rp'],
  rp: ['rb', 'rt', 'rp'],
};

/**
 * An open element as the rules that end elements read it: its name, and where the innermost table context
 * (TABLE_CONTEXT), `<p>` in button scope and list item in scope at or below it are (-1: none), kept with each so
 * that finding them is one look however deep the stack is (diff31-review R4, diff35-review F3).
 */
export interface Placed {
  name: string;
  context?: number;
  p?: number;
  item?: number;
  /** In SVG or MathML, not where they hold HTML: a start tag there is theirs, and ends nothing (diff36-review F2). */
  foreign?: 'svg' | 'math' | undefined;
  /** In SVG, in a `<text>` or its tspan, textPath or a (not a `<text>` or `<g>` in one): where SVG draws text (E6, E4). */
  svgText?: boolean;
}

/** Where the innermost table context, `<p>` and list item are for an element placed at `at` over `below`. */
export function placedAt(name: string, at: number, below: Placed | undefined): Omit<Placed, 'name'> {
  const space = inForeign(below) ? below!.foreign : undefined;
  const foreign = name === 'svg' || name === 'math' ? name : BREAKOUT.has(name) ? undefined : space;
  // HTML's elements bound a scope by name; SVG's and MathML's only at their points that hold HTML (diff36-review P8).
  const bounds = (byName: (name: string) => boolean) =>
    foreign ? integration(name, foreign) : byName(name) && !INTEGRATION.includes(name);
  return {
    context: TABLE_CONTEXT.has(name) ? at : (below?.context ?? -1),
    p: name === 'p' ? at : bounds(inButtonScope) ? -1 : (below?.p ?? -1),
    item: ITEMS.has(name) ? at : bounds(pastItem) ? -1 : (below?.item ?? -1),
    foreign,
    svgText: space === 'svg' && (name === 'text' ? !below?.svgText : !!below?.svgText && IN_TEXT.has(name)),
  };
}

/** The namespace of an element that starts over `open`: SVG's or MathML's in theirs, else HTML's (undefined). */
export function spaceOf(open: readonly Placed[], name: string, attributes?: ReadonlyMap<string, string>) {
  if (name === 'svg' || name === 'math') return name;
  const top = open.at(-1);
  return inForeign(top) && brokenOut(open, name, attributes) === undefined ? top!.foreign : undefined;
}

/** HTML's start tags that break out of SVG and MathML (§13.2.6.5): a browser closes them first (not modelled). */
const BREAKOUT = new Set(
  'b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var'.split(
    ' ',
  ),
);
export const inForeign = (top: Placed | undefined) => !!top?.foreign && !integration(top.name, top.foreign);
/**
 * Where a start tag leaves SVG and MathML (§13.2.6.5): a breakout tag, or a `<font>` with a colour, face or size,
 * ends their elements back to HTML or a point that holds it (diff37-review F2). The length the open elements are cut
 * to; undefined for another tag, which is then SVG's or MathML's own when `top` is theirs (`inForeign`).
 */
export function brokenOut(open: readonly Placed[], name: string, attributes?: ReadonlyMap<string, string>) {
  if (!BREAKOUT.has(name) && !(name === 'font' && ['color', 'face', 'size'].some((a) => attributes?.has(a)))) return;
  let at = open.length - 1;
  while (at >= 0 && inForeign(open[at])) at--;
  return at + 1;
}
/** What HTML's "generate implied end tags" closes while it is the current node (§13.2.6.3). */
export const IMPLIED_END_TAGS = new Set(['dd', 'dt', 'li', 'optgroup', 'option', 'p', 'rb', 'rp', 'rt', 'rtc']);

const found = (at: number | undefined) => (at === undefined || at < 0 ? undefined : at);

/**
 * What a start tag ends, in the order HTML's parser ends it (§13.2.6.4.7): a list item the item before it, a cell
 * or row what it ends (searching 8 elements down); then an open `<p>`; then a heading that is the current node
 * (diff35-review F5). Each step gives where to close, or undefined.
 */
export const ENDED_BY_START: readonly ((open: readonly Placed[], name: string) => number | undefined)[] = [
  (open, name) => {
    const ends = own(IMPLIED_ENDS, name);
    if (!ends) return undefined;
    if (ITEMS.has(name)) {
      const at = found(open.at(-1)?.item);
      return at !== undefined && ends.includes(open[at]!.name) ? at : undefined;
    }
    // A ruby's part, in a ruby: only what is the current node is ended ("generate implied end tags").
    if (SCOPE[name] === inRuby) {
      let at = open.length;
      while (at > 0 && ends.includes(open[at - 1]!.name)) at--;
      const ruby = open.slice(Math.max(0, at - 8), at).some(({ name }) => name === 'ruby');
      return at < open.length && ruby ? at : undefined;
    }
    for (let i = open.length - 1; i >= Math.max(0, open.length - 8); i--) {
      if (ends.includes(open[i]!.name)) return i;
      if (SCOPE[name]!(open[i]!.name)) return undefined;
    }
    return undefined;
  },
  (open, name) => (ENDING_P.has(name) ? found(open.at(-1)?.p) : undefined),
  (open, name) => (HEADINGS.has(name) && HEADINGS.has(open.at(-1)?.name ?? '') ? open.length - 1 : undefined),
];

/** Elements past which a browser opens no formatting element again (a marker in its list: §13.2.4.3). */
export const MARKERS = new Set(['td', 'th', 'caption', 'applet', 'object', 'marquee', 'template']);
/** Start tags that open no formatting element again (§13.2.6.4.7: they insert themselves only). */
export const OPENS_NOTHING = new Set(['hr', 'source', 'track', 'param']);

/** Open elements whose content model is a table's: what else starts in one a browser moves before its table. */
export const FOSTERING = new Set(['table', 'tbody', 'thead', 'tfoot', 'tr']);
/** What starts in a table where it is: its parts, and what renders no text (§13.2.6.4.9 "in table"). */
const IN_TABLE = new Set([...TABLE_PARTS, 'table', 'style', 'script', 'template', 'form']);
/** The open elements a table's part starts in or ends: a table, its sections and rows, a cell, a caption. */
export const TABLE_CONTEXT = new Set([...FOSTERING, 'td', 'th', 'caption']);
/** A table's parts that start in the table itself. */
const SECTIONS = new Set(['tbody', 'thead', 'tfoot', 'caption']);

/**
 * Where an element that starts now is put (§13.2.6.1, foster parenting): in the innermost open element, or, when
 * that is a table or a row or section of one, in what holds the table, before it (diff27-review A11); `table`,
 * where the innermost table is; `hiddenInput`, an `<input type=hidden>`, which stays. The index among `open` (-1:
 * the document).
 */
export function parentIndex(
  open: readonly { name: string }[],
  name: string,
  table: number,
  hiddenInput = false,
): number {
  const top = open.length - 1;
  if (top < 0 || !FOSTERING.has(open[top]!.name) || IN_TABLE.has(name) || hiddenInput) return top;
  return Math.max(-1, table - 1);
}

/**
 * How many open elements a start tag in a table keeps, as a browser clears the stack back to a table context
 * first (§13.2.6.4.9–15; undefined: all): before a table's part, what was moved out of the table and is still
 * open, or the cell or caption the part ends; before a table that is not in a cell, the open table (diff30-review
 * F5–F8). `table`: where the innermost table is (-1: none, or an <svg> or <template> opened in it since);
 * `context`: where the innermost of TABLE_CONTEXT is.
 */
export function keptAtTableStart(
  open: readonly { name: string }[],
  name: string,
  table: number,
  context: number,
): number | undefined {
  if (table < 0 || (name !== 'table' && !TABLE_PARTS.has(name))) return undefined;
  const top = open.length - 1;
  // A section or a caption ends all that is open in the table, in a row or a cell or not (diff31-review E3).
  if (SECTIONS.has(name)) return top > table ? table + 1 : undefined;
  // The innermost table context, kept with each open element (inherited.ts): one look, however deep (diff31 R4).
  const at = Math.max(context, table);
  const inTable = FOSTERING.has(open[at]!.name);
  if (name === 'table') return inTable ? table : undefined;
  return inTable ? (at < top ? at + 1 : undefined) : at;
}

/**
 * What HTML's adoption agency (§13.2.6.4.7) does to the elements `above` a formatting element its end tag closes,
 * roughly (diff37-review F1, diff38-review F1, F2, F9): each of the first 8 blocks opened in it leaves it and stays
 * open, the 3 formatting elements nearest before each opened again around it (`kept`, in order); past the 8th, a
 * copy of the element stays open (`copy`); what is above the last block moved (`rest`) goes with the element, and
 * closes. Undefined when no block was opened in it: it closes with all in it.
 */
export function adoption<T extends Placed>(above: readonly T[]): { kept: T[]; copy: boolean; rest: T[] } | undefined {
  const blocks = above.flatMap(({ name }, i) => (SPECIAL.has(name) ? [i] : []));
  if (blocks.length === 0) return undefined;
  const kept: T[] = [];
  let from = 0;
  for (const block of blocks.slice(0, 8)) {
    kept.push(
      ...above
        .slice(from, block)
        .filter(({ name }) => FORMATTING.has(name))
        .slice(-3),
      above[block]!,
    );
    from = block + 1;
  }
  return { kept, copy: blocks.length >= 8, rest: above.slice(from) };
}
