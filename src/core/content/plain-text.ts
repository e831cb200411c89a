import { frontMatterMayComment } from './dropped-markdown.ts';
import { markdownTriggered } from './markdown.ts';

/** Text that starts after this column, behind a run of blanks at least PADDING long (scan.ts), is pushed out of view. */
export const OFFSCREEN_COLUMN = 120;

/** The columns a tab moves to the next stop (VS Code's default tab size): columns are counted as an editor shows them. */
export const TAB_COLUMNS = 4;

/**
 * Anything the hidden-content scan could flag needs one of these: a character
 * outside printable ASCII (a form feed, or a CR that does not end a line,
 * included), in Markdown a comment (in front matter too), definition or hiding tag, or a line
 * longer than OFFSCREEN_COLUMN. Nearly every file an agent loads has none, and
 * is ruled out in one pass here instead of each of the scan's passes.
 */
// oxlint-disable-next-line no-control-regex -- printable ASCII and the blanks a text file holds
const NOT_PLAIN = /[^\t\n\x20-\x7e\r]|\r(?!\n)/;

/** Whether `text` cannot hold hidden content: printable ASCII, short lines, and (Markdown) no construct that hides. */
export function plainText(text: string, markdown: boolean): boolean {
  return (
    !NOT_PLAIN.test(text) && !(markdown && (markdownTriggered(text) || frontMatterMayComment(text))) && !longLine(text)
  );
}

/**
 * A line wider than OFFSCREEN_COLUMN, a tab counted as the most columns it can move (TAB_COLUMNS). How a line's
 * columns are counted is chosen once a text: with the tab count written in the loop, V8's optimised code ran
 * it 35 times slower on text without a tab (200 ms for 500 files of 64 KB, against 6 ms; a tenth of a cold
 * verify-all's CPU on each thread).
 */
function longLine(text: string): boolean {
  const columns = text.includes('\t') ? tabbedColumns : untabbedColumns;
  for (let from = 0; ;) {
    const to = text.indexOf('\n', from);
    const end = to < 0 ? text.length : to;
    if (columns(text, from, end) > OFFSCREEN_COLUMN) return true;
    if (to < 0) return false;
    from = to + 1;
  }
}

function untabbedColumns(_text: string, from: number, to: number): number {
  return to - from;
}

/** The columns of `text` from `from` to `to`, a tab counted as TAB_COLUMNS (the most it can move). */
function tabbedColumns(text: string, from: number, to: number): number {
  let columns = to - from;
  if (columns * TAB_COLUMNS <= OFFSCREEN_COLUMN) return columns; // short whatever it holds
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 0x09) columns += TAB_COLUMNS - 1;
  return columns;
}
