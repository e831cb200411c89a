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
 */
const MAX_LINE_NESTING = 32;
const MAX_OPEN_DESTINATIONS = 256;

/** Why a document is not parsed, or undefined: in one pass. */
export function unparsable(text: string): string | undefined {
  let open = 0;
  let pending = 0;
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let depth = 0;
    for (let i = start; i < end; i++) {
      const c = text[i]!;
      if (c === '>') depth++;
      else if ((c === '-' || c === '*' || c === '+') && (text[i + 1] === ' ' || text[i + 1] === '\t')) depth++;
      else if (c !== ' ' && c !== '\t') break;
    }
    if (depth > MAX_LINE_NESTING) return `quotes and lists nested ${depth} deep on one line`;
    // A destination is left open when no ')' follows it on its line.
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x29) pending = 0;
      else if (c === 0x5d && text.charCodeAt(i + 1) === 0x28) pending++;
    }
    open += pending;
    pending = 0;
    if (open > MAX_OPEN_DESTINATIONS) return `more than ${MAX_OPEN_DESTINATIONS} link destinations left open`;
    start = end + 1;
  }
  return undefined;
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
