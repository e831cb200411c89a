/**
 * The rules of HTML's tree construction (§13.2.6) that the open elements follow (inherited.ts): which elements
 * end others, how far an end tag looks, and which formatting elements a browser opens again.
 */

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
export const pastItem = (open: string) => SPECIAL.has(open) && open !== 'address' && open !== 'div' && open !== 'p';
export const SCOPE: Record<string, (open: string) => boolean> = {
  td: (open) => open === 'table',
  th: (open) => open === 'table',
  tr: (open) => open === 'table',
  tbody: (open) => open === 'table',
  thead: (open) => open === 'table',
  tfoot: (open) => open === 'table',
  li: pastItem,
  dt: pastItem,
  dd: pastItem,
  option: (open) => open === 'select' || open === 'datalist' || open === 'optgroup',
};
/** What a table's end tags close past: anything but the table (an omitted `</td>` is valid: diff21-review F1). */
export const TABLE_ENDS = new Set(['table', 'tbody', 'thead', 'tfoot', 'tr', 'td', 'th', 'caption']);
/** Where SVG and MathML hold HTML again: a search for an element in scope stops there (§13.2.4.2: diff35-review F2). */
const INTEGRATION = ['foreignobject', 'desc', 'title', 'mi', 'mo', 'mn', 'ms', 'mtext', 'annotation-xml'];
/** What an end tag of a block does not close past (HTML's default scope). */
export const DEFAULT_SCOPE = new Set([
  'table',
  'td',
  'th',
  'caption',
  'marquee',
  'object',
  'template',
  'applet',
  'html',
  ...INTEGRATION,
]);
/** A `<p>` is ended by a block only in button scope. */
export const P_SCOPE = new Set([
  ...['button', 'table', 'td', 'th', 'caption', 'marquee', 'object', 'template', 'applet'],
  ...INTEGRATION,
]);
export const inButtonScope = (open: string) => P_SCOPE.has(open);
/** Elements a browser reopens in later paragraphs when left open in one (its "active formatting elements"). */
export const FORMATTING = new Set('a b big code em font i nobr s small strike strong tt u'.split(' '));

/**
 * Start tags that end an open `<p>` (§13.2.6.4.7) and no other element, but those below and a table: the preview
 * parses its HTML in quirks mode, where a table goes in the paragraph (diff31-review R3). Each one missing left a
 * `<p>` a browser has closed open around what follows (diff33-review N1).
 */
const ENDING_P =
  'address article aside center details dialog dir dl fieldset figcaption figure footer header hgroup main menu nav search section summary listing form plaintext hr xmp';

/** Items that end an open `<p>` too, once they have ended the item before them. */
export const ITEMS_ENDING_P = new Set(['li', 'dd', 'dt']);

/** Start tags that end an open element of these names (HTML's implied end tags, the common ones). */
export const IMPLIED_ENDS: Record<string, readonly string[]> = {
  ...Object.fromEntries(ENDING_P.split(' ').map((name) => [name, ['p']])),
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
  p: ['p'],
  div: ['p'],
  // (Not table: the preview parses its HTML in quirks mode, where a table goes in the paragraph: diff31-review R3.)
  ul: ['p'],
  ol: ['p'],
  pre: ['p'],
  blockquote: ['p'],
  h1: ['p'],
  h2: ['p'],
  h3: ['p'],
  h4: ['p'],
  h5: ['p'],
  h6: ['p'],
};

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
