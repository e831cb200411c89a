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
 * Why a document is not parsed, or undefined: in one pass. What a person writes does not count: a rule of
 * spaced dashes or stars (a thematic break, not lists), and link destinations left open in other
 * paragraphs (micromark reads each paragraph's inlines apart) (diff9-review F1–F3). Every line counts, code
 * included: a line this pass took for a fence where micromark did not let the rest through (diff10-review
 * M1), and no code a person writes leaves a thousand destinations open.
 */
export function unparsable(text: string): string | undefined {
  let open = 0;
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    // A blank line ends a paragraph; so does a list item that may interrupt one (a bullet, or 1.), at most
    // three spaces in: `14.` or an indented bullet continues the paragraph (diff10-review M2).
    if (/^[ \t>\r]*$/.test(line) || /^(?:> ?)*[ ]{0,3}(?:[-*+]|1[.)])[ \t]+\S/.test(line)) open = 0;
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
