import { LETTER, RTL_LETTER } from './character-classes.ts';

/**
 * When a left-to-right, right-to-left or Arabic letter mark is ordinary text (UAX #9): around right-to-left
 * text, where its runs meet others — not a code of marks (hidden-review 7, diff5-review F3).
 */

const chr = (cp: number | undefined) => (cp === undefined ? '' : String.fromCodePoint(cp));

export const isMark = (cp: number | undefined) => cp === 0x200e || cp === 0x200f || cp === 0x061c;

/** Whether a mark stands between two letters of which neither is right-to-left: inside a word like "hi". */
export function withinLtrWord(prev: number | undefined, next: number | undefined): boolean {
  const ltr = (cp: number | undefined) => cp !== undefined && LETTER().test(chr(cp)) && !RTL_LETTER().test(chr(cp));
  return ltr(prev) && ltr(next);
}

/** The last line asked about, and whether its direction marks can be ordinary. */
let lastLine: { text: string; start: number; end: number; ordinary: boolean } | undefined;

/**
 * Whether the direction marks of the line around `index` can be ordinary: the line holds a right-to-left
 * letter, and no more marks than a few for each place where right-to-left text meets left-to-right text
 * or digits (where marks are needed), and one right-to-left mark for every two places where it meets
 * punctuation (after a Hebrew sentence's full stop, or at the start of a table cell: diff7-review F1). One Hebrew
 * letter made any number ordinary: a code of any length (hidden-review 7), two marks at a time
 * (diff5-review F3). Worked out once a line: a line of many marks asked it for each, scanning the whole
 * line every time (hidden-review 1: 6 s for 20 KB).
 */
export function lineMarksOrdinary(text: string, index: number): boolean {
  if (lastLine && lastLine.text === text && index >= lastLine.start && index < lastLine.end) return lastLine.ordinary;
  const start = text.lastIndexOf('\n', index) + 1;
  const newline = text.indexOf('\n', index);
  const end = newline < 0 ? text.length : newline;
  let marks = 0;
  let ltrMarks = 0;
  let meetings = 0;
  let punctuation = 0;
  let rtl = false;
  let lastLetter: 'rtl' | 'ltr' | undefined;
  let last: 'rtl' | 'ltr' | 'punct' | undefined;
  for (let at = start; at < end;) {
    const cp = text.codePointAt(at)!;
    at += cp > 0xffff ? 2 : 1;
    if (isMark(cp)) {
      marks++;
      if (cp === 0x200e) ltrMarks++;
      continue;
    }
    const side = sideOf(cp);
    if (side === undefined) continue;
    if (side === 'punct') {
      if (last === 'rtl') punctuation++;
    } else {
      if (side === 'rtl') rtl = true;
      if (lastLetter !== undefined && side !== lastLetter) meetings++;
      if (side === 'rtl' && last === 'punct') punctuation++;
      lastLetter = side;
    }
    last = side;
  }
  // Punctuation keeps to right-to-left text with a right-to-left (or Arabic letter) mark: a left-to-right one
  // there is no more ordinary than elsewhere, and both kinds at each comma of a list spelled a code (diff8-review M1).
  const ordinary = rtl && ltrMarks <= 2 * meetings + 2 && marks <= 2 * meetings + Math.ceil(punctuation / 2) + 2;
  lastLine = { text, start, end, ordinary };
  return lastLine.ordinary;
}

/** Which way a character runs, for the marks beside it: undefined for blanks (and what shows nothing). */
function sideOf(cp: number): 'rtl' | 'ltr' | 'punct' | undefined {
  if (cp < 0x80) {
    const c = String.fromCharCode(cp);
    return /[A-Za-z0-9]/.test(c) ? 'ltr' : /[!-/:-@[-`{-~]/.test(c) ? 'punct' : undefined;
  }
  const c = String.fromCodePoint(cp);
  if (RTL_LETTER().test(c)) return 'rtl';
  if (LETTER().test(c) || /\p{Nd}/u.test(c)) return 'ltr';
  return /[\p{P}\p{S}]/u.test(c) ? 'punct' : undefined;
}
