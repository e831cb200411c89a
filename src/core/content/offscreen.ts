/**
 * Text pushed out of view in a line: behind a long run of blank columns, or (in prose) on a line far longer
 * than any screen. A reviewer reads the file in an editor; an agent reads every character.
 */
import { OFFSCREEN_COLUMN, TAB_COLUMNS } from './plain-text.ts';

/** A line longer than this, in a document meant to be read, runs far off any screen. */
export const LONG_LINE = 2000;
/** A run of at least this many blank columns pushes the text after it out of view, past OFFSCREEN_COLUMN. */
export const PADDING = 40;

/**
 * What renders as blank space: white space, and characters that are not white space but show nothing (braille
 * pattern blank, the Hangul fillers): text behind a run of them is as far out of view.
 */
const blank = (c: number) =>
  c === 0x20 ||
  c === 0x09 ||
  (c < 0x20
    ? c === 0x0b || c === 0x0c
    : c >= 0xa0 &&
      (c === 0xa0 ||
        c === 0x1680 ||
        (c >= 0x2000 && c <= 0x200a) ||
        c === 0x202f ||
        c === 0x205f ||
        c === 0x2800 ||
        c === 0x3000 ||
        c === 0x115f ||
        c === 0x1160 ||
        c === 0x3164 ||
        c === 0xffa0));

/**
 * Where the first run of PADDING blank columns or more in a line has text after it past OFFSCREEN_COLUMN, in
 * the columns an editor shows (a tab to the next stop of TAB_COLUMNS, where a reviewer sees the text start). A
 * lone character between blanks does not end a run: 39 blanks, a dot, 39 blanks push text as far out of view.
 */
function paddedRun(line: string): { start: number; end: number } | undefined {
  let column = 0;
  let start = -1;
  let blanks = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (blank(c)) {
      if (start < 0) [start, blanks] = [i, 0];
      const next = c === 0x09 ? (Math.floor(column / TAB_COLUMNS) + 1) * TAB_COLUMNS : column + 1;
      blanks += next - column;
      column = next;
      continue;
    }
    if (start >= 0 && !(blanks >= 8 && blank(line.charCodeAt(i + 1)))) {
      if (blanks >= PADDING && column >= OFFSCREEN_COLUMN && !/\s/.test(line[i]!)) return { start, end: i };
      start = -1;
    }
    column++;
  }
  return undefined;
}

/** Lines whose text runs off screen: pushed right by a long run of blanks, or (in prose) far longer than any screen. */
export function offscreen(text: string, starts: readonly number[], prose: boolean) {
  const hits: { start: number; end: number; decoded: string }[] = [];
  // A tab is up to TAB_COLUMNS columns: a shorter line can reach past OFFSCREEN_COLUMN.
  const shortest = text.includes('\t') ? OFFSCREEN_COLUMN / TAB_COLUMNS : OFFSCREEN_COLUMN;
  for (let i = 0; i < starts.length; i++) {
    const from = starts[i]!;
    const to = i + 1 < starts.length ? starts[i + 1]! - 1 : text.length;
    if (to - from <= shortest) continue;
    const line = text.slice(from, to);
    const run = paddedRun(line);
    if (run) hits.push({ start: from + run.start, end: to, decoded: line.slice(run.end).trimEnd() });
    else if (prose && to - from > LONG_LINE) hits.push({ start: from + 200, end: to, decoded: line.slice(200) });
  }
  return hits;
}
