/**
 * What the Markdown scan does not hand micromark as it is: shapes it takes time growing as their square
 * or worse to parse, which the scan of one file must not.
 */

/**
 * Emphasis markers in a document past which emphasis is not parsed: micromark pairs them in time that
 * grows as their square (63 KB of `a*x*` took 15 s: diff7-review S3; counted a paragraph at a time,
 * paragraphs just under the count took as long: diff8-review H1), and emphasis hides nothing. Its markers
 * are then read as the text they are.
 */
const MAX_EMPHASIS_MARKERS = 1_000;
export const NO_EMPHASIS = { disable: { null: ['attention'] } };

export function crowdedEmphasis(text: string): boolean {
  let markers = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c === 0x2a || c === 0x5f) && ++markers > MAX_EMPHASIS_MARKERS) return true;
  }
  return false;
}

/**
 * Shapes no document a person writes holds, which micromark parses in time growing as their square or
 * worse (diff8-review H2: quotes or list markers nested hundreds deep on a line, 40 KB in 64 s; link
 * destinations left open by the thousand, 234 KB in 44 s): such a file is reported as one AAM Trust does
 * not read, not parsed. Long nested lists are slow too, and are parsed (the 2026-12-06 closing note).
 * List markers cost the square of their depth on a line (4,000 on one line: 5.9 s; 1,000: 0.17 s); quotes
 * about their number (16,000 on one line: 0.4 s; 40,000: 40 s), so a line of 40 `>` in a code block, which
 * this pass cannot tell from quotes, is read (diff11-review D3).
 */
const MAX_LINE_NESTING = 32;
const MAX_LINE_QUOTES = 256;
// 4,000 left open in one paragraph parse in about 0.5 s; 60,000 took 44 s.
const MAX_OPEN_DESTINATIONS = 1_024;
/**
 * Lines that continue a quote's or a list item's paragraph lazily (without its `>`, or less indented than
 * its content): micromark takes time growing as their square in one paragraph (diff13-review M1: one quote
 * and 50,000 such lines, 100 KB, more than 10 s; 20,000 lines 9 s, 2,000 lines 0.25 s).
 */
const MAX_LAZY_LINES = 256;
/**
 * Past MAX_LAZY_LINES, lines inside what this pass takes for fenced code or an HTML block: there micromark
 * reads no lazy lines (`> npm test` and 300 lines of output in a ```console block, a quote followed by a
 * 300-row <table>: diff14-review M2), but this pass does not track blocks as micromark does, so such lines
 * are spared from a budget for the whole file. Where it takes a block for one that is not, the run costs what
 * one paragraph of this many lazy lines does (4,000: about 1 s).
 */
const MAX_SPARED_LAZY_LINES = 4_096;
/**
 * What lazy lines cost micromark in a whole file: each about as much as its paragraph's lines so far (30,000
 * quoted lines and 250 lazy ones after them: 1.1 s more than the quote alone; one quoted line of 90 KB, no
 * more than a short one). Past this many such line-reads, about 1.5 s here, the file is not read
 * (diff16-review T1: 150,000 quoted lines, a line taken for a fence, and 4,351 lazy lines took 44 s).
 */
const MAX_LAZY_COST = 10_000_000;
/** A line's quote and list markers, and the blanks before what they hold. */
const CONTAINERS = String.raw`^(?:[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])))*[ \t]*`;
/** A line opening or closing fenced code, after any quote and list markers: its fence and what follows it. */
const FENCE = new RegExp(String.raw`${CONTAINERS}(\`{3,}(?=[^\`]*$)|~{3,})(.*)$`);
/** A line that may open an HTML block of CommonMark's kinds 1–6, after any quote and list markers. */
const HTML_BLOCK = new RegExp(
  String.raw`${CONTAINERS}<(?:!|\?|\/?(?:script|pre|style|textarea|address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul)(?:[\s/>]|$))`,
  'i',
);

/**
 * A line opening an HTML block of CommonMark's kind 1 (`<pre>`, `<script>`, `<style>`, `<textarea>`), which blank
 * lines do not end: the line holding its closing tag does.
 */
const RAW_BLOCK = new RegExp(String.raw`${CONTAINERS}<(script|pre|style|textarea)(?:[\s>]|$)`, 'i');

/**
 * Why a document is not parsed, or undefined: in one pass. What a person writes does not count: a rule of
 * spaced dashes or stars (a thematic break, not lists), and link destinations left open in other
 * paragraphs (micromark reads each paragraph's inlines apart) (diff9-review F1–F3). Every line counts, code
 * included: a line this pass took for a fence where micromark did not let the rest through (diff10-review
 * M1), and no code a person writes leaves a thousand destinations open.
 */
export function unparsable(text: string): string | undefined {
  let open = 0;
  // The column a line must reach not to be lazy in the innermost quote or list item opened (Infinity in a
  // quote: any line without its `>`), -1 in none; the lines less indented since a blank line or a new item
  // (a count that may take a line for lazy that is not, never the other way); and whether a blank came last.
  let content = -1;
  let lazy = 0;
  let afterBlank = true;
  // Whether the last item opened was numbered: a `2.` then continues its list rather than running on lazily.
  let numbered = false;
  // The fence of the code this pass takes to be open, and whether an HTML block may be (until a blank line,
  // or for `<pre>` its closing tag):
  // the lazy lines past the paragraph's limit in them take from the file's budget instead.
  let fence: string | undefined;
  let html = false;
  // The closing tag of a `<pre>` (kind 1) block this pass takes to be open: blank lines do not end it.
  let raw: string | undefined;
  let spared = 0;
  // The lines of the paragraph so far, and what its lazy lines have cost in the whole file (MAX_LAZY_COST).
  let paragraph = 0;
  let cost = 0;
  const tooLazy = (): string | undefined =>
    (cost += paragraph) > MAX_LAZY_COST
      ? 'lines continuing long quotes or list items without their markers, more than a parse is given time for'
      : ++lazy > MAX_LAZY_LINES && (!(fence || html) || ++spared > MAX_SPARED_LAZY_LINES)
        ? `more than ${MAX_LAZY_LINES} lines continuing a quote or list item without its markers`
        : undefined;
  // Lines end as micromark ends them: at LF, CRLF, or a CR alone (diff13-review M2: a list 4,000 deep after
  // a lone CR was read as part of the line before it).
  const ends = /\r\n?|\n/g;
  for (let start = 0; start <= text.length;) {
    ends.lastIndex = start;
    const found = ends.exec(text);
    const end = found ? found.index : text.length;
    const line = text.slice(start, end);
    start = found ? end + found[0].length : text.length + 1;
    // A blank line ends a paragraph; so does a list item that may interrupt one (a bullet, or 1.), at most
    // three spaces in: `14.` or an indented bullet continues the paragraph (diff10-review M2).
    const blank = /^[ \t>]*$/.test(line);
    const marks = FENCE.exec(line);
    if (!fence) fence = marks?.[1];
    else if (marks && marks[1]![0] === fence[0] && marks[1]!.length >= fence.length && marks[2]!.trim() === '')
      fence = undefined;
    if (raw) {
      html = true;
      if (line.toLowerCase().includes(raw)) raw = undefined;
    } else {
      html = !blank && (html || HTML_BLOCK.test(line));
      const opened = RAW_BLOCK.exec(line)?.[1]?.toLowerCase();
      if (opened && !line.toLowerCase().includes(`</${opened}>`)) raw = `</${opened}>`;
    }
    if (blank || /^(?:> ?)*[ ]{0,3}(?:[-*+]|1[.)])[ \t]+\S/.test(line)) open = 0;
    if (blank) {
      lazy = 0;
      paragraph = 0;
      afterBlank = true;
    } else {
      paragraph++;
      const container = containerOf(line);
      const indent = indentOf(line);
      if (container?.laterNumber && !afterBlank && !numbered && content >= 0) {
        // `2. c` cannot interrupt a paragraph: it runs on lazily (diff14-review M1: it reset the count).
        const why = indent < content ? tooLazy() : undefined;
        if (why) return why;
      } else if (container) {
        content = container.content;
        numbered = container.ordered;
        if (container.item) lazy = paragraph = 0; // a new item, a new paragraph
      } else if (indent === 0 && (afterBlank || /^(?:#{1,6}(?:[ \t]|$)|`{3,}[^`]*$|~{3,})/.test(line))) {
        // Unindented after a blank line, or a heading or fence unindented: inside no quote or list item.
        content = -1;
        lazy = paragraph = 0;
        numbered = false;
      } else if (content >= 0 && indent < content) {
        const why = tooLazy();
        if (why) return why;
      }
      afterBlank = false;
    }
    const { lists, quotes } = nestingOf(line);
    if (lists > MAX_LINE_NESTING) return `lists nested ${lists} deep on one line`;
    if (quotes > MAX_LINE_QUOTES) return `quotes nested ${quotes} deep on one line`;
    // A destination is left open when no ')' follows it on its line; each ')' closes one.
    let pending = 0;
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (c === 0x29) pending = Math.max(0, pending - 1);
      else if (c === 0x5d && line.charCodeAt(i + 1) === 0x28) pending++;
    }
    open += pending;
    if (open > MAX_OPEN_DESTINATIONS)
      return `more than ${MAX_OPEN_DESTINATIONS} link destinations left open in a paragraph`;
  }
  return undefined;
}

/** The quotes and list markers (`-`, `*`, `+`, `1.`, `1)`) a line opens with, not counting a thematic break's. */
function nestingOf(line: string): { lists: number; quotes: number } {
  // Where a trailing rule of one marker and blanks (three markers at least) starts: a break, not lists.
  let rule = line.length;
  let j = line.length - 1;
  while (j >= 0 && (line[j] === ' ' || line[j] === '\t')) j--;
  const mark = line[j];
  if (mark === '-' || mark === '*' || mark === '_') {
    let marks = 0;
    while (j >= 0 && (line[j] === mark || line[j] === ' ' || line[j] === '\t')) if (line[j--] === mark) marks++;
    if (marks >= 3) rule = j + 1;
  }
  let lists = 0;
  let quotes = 0;
  for (let i = 0; i < rule; i++) {
    const c = line[i]!;
    const next = line[i + 1];
    if (c === '>') quotes++;
    else if ((c === '-' || c === '*' || c === '+') && (next === ' ' || next === '\t')) lists++;
    else if (c >= '0' && c <= '9') {
      let k = i;
      while (k < line.length && k - i < 10 && line[k]! >= '0' && line[k]! <= '9') k++;
      if (k - i > 9 || (line[k] !== '.' && line[k] !== ')') || (line[k + 1] !== ' ' && line[k + 1] !== '\t')) break;
      lists++;
      i = k;
    } else if (c !== ' ' && c !== '\t') break;
  }
  return { lists, quotes };
}

/**
 * Where a line opening quotes or list items puts its content: the column past its last list marker, or
 * Infinity when a quote is among them (a line without `>` continues it lazily, however indented); `item`
 * when a list item starts (a new paragraph).
 */
function containerOf(
  line: string,
): { content: number; item: boolean; ordered: boolean; laterNumber: boolean } | undefined {
  let i = 0;
  let quote = false;
  let item = false;
  let content = 0;
  let ordered = false;
  let laterNumber = false;
  for (;;) {
    let spaces = 0;
    while (spaces < 3 && line[i + spaces] === ' ') spaces++;
    const at = i + spaces;
    if (line[at] === '>') {
      quote = true;
      i = at + 1 + (line[at + 1] === ' ' ? 1 : 0);
      continue;
    }
    const marker = /^(?:[-*+]|(\d{1,9})[.)])([ \t]+)/.exec(line.slice(at));
    if (!marker) break;
    ordered = marker[1] !== undefined;
    // The line opens with a number other than 1: such an item does not interrupt a paragraph.
    if (!item && !quote && ordered && Number(marker[1]) !== 1) laterNumber = true;
    item = true;
    const gap = marker[2]!.length;
    i = at + marker[0].length - gap;
    content = i + (gap > 4 ? 1 : gap);
    i += gap;
  }
  return quote || item ? { content: quote ? Infinity : content, item, ordered, laterNumber } : undefined;
}

/** The columns of a line's leading blanks (a tab as four). */
function indentOf(line: string): number {
  let columns = 0;
  for (const c of line) {
    if (c === ' ') columns++;
    else if (c === '\t') columns += 4;
    else break;
  }
  return columns;
}

/** The whole document, as a hit: Markdown AAM Trust does not read (it fails closed, as hidden content does). */
export function unread(
  text: string,
  why: string,
): { kind: 'DROPPED_MARKDOWN'; start: number; end: number; decoded: string } {
  return {
    kind: 'DROPPED_MARKDOWN',
    start: 0,
    end: text.length,
    decoded: `Markdown that AAM Trust does not read (${why}): what a preview shows of it is not checked`,
  };
}
