/**
 * Characters a reader does not see but a model reads, and when each one is
 * nevertheless ordinary text. The sources: Unicode's Default_Ignorable_Code_Point
 * set (UCD DerivedCoreProperties), the Bidi_Control property (UAX #9) and the
 * Trojan Source paper (CVE-2021-42574), UAX #31 §2.3 for where ZWJ and ZWNJ
 * belong in words, UTS #51 for emoji ZWJ and tag sequences, and the "ASCII
 * smuggling" (Unicode Tags, Rehberger 2024) and variation-selector smuggling
 * (Butler 2025) write-ups. Everything here is pure: a string in, ranges out.
 */

import { HANGUL, JOINING_SCRIPT, NO_SPACE_SCRIPT, PICTOGRAPHIC, VIRAMA } from './character-classes.ts';
import { isMark, lineMarksOrdinary, withinLtrWord } from './direction-marks.ts';
import { nameOf, tagChar } from './character-names.ts';
import { isFlagTagSequence, isVariationSequence } from './sequences.ts';

/** What kind of invisible or misleading character a range holds. */
export type CharacterKind = 'TAG_CHARACTERS' | 'BIDI_CONTROL' | 'INVISIBLE_CHARACTER' | 'VARIATION_SELECTORS';

/** A flagged run of characters, by UTF-16 offsets into the text. */
export interface CharacterHit {
  kind: CharacterKind;
  start: number;
  end: number;
  /** What the run says once made visible: decoded ASCII, the bytes a selector run encodes, or the characters named. */
  decoded: string;
  /** The characters, named: "U+200D ZERO WIDTH JOINER". */
  names: string[];
}

/**
 * Anything that might be flagged: a text without any of these has nothing for this module. A carriage return
 * only where it is not part of a line break (CRLF, or CR CR LF): alone it sends a terminal back to the line's
 * start, and what follows is written over what came before. A form feed and a vertical tab move a terminal's
 * cursor without a new line; line and paragraph separators break lines in some views and not in others.
 */
const CANDIDATE =
  // oxlint-disable-next-line no-control-regex, no-misleading-character-class -- these characters, one by one, are what this finds
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb]|\r(?![\r\n]|$)|[\udb40-\udb43][\udc00-\udfff]|\ud834[\udd73-\udd7a]|\ud82f[\udca0-\udca3]/g;

/** The same set, tested where a character stands in its text (a carriage return is one by what follows it). */
const CANDIDATE_AT = new RegExp(CANDIDATE.source, 'y');
const candidateAt = (text: string, at: number) => {
  CANDIDATE_AT.lastIndex = at;
  return CANDIDATE_AT.test(text);
};

const isTag = (cp: number) => cp >= 0xe0000 && cp <= 0xe007f;
const isSelector = (cp: number) => (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
const isBidi = (cp: number) => (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);

/** The code point that ends just before `index` (a surrogate pair read whole). */
function before(text: string, index: number): number | undefined {
  if (index <= 0) return undefined;
  const low = text.charCodeAt(index - 1);
  if (low >= 0xdc00 && low <= 0xdfff && index >= 2) {
    const high = text.charCodeAt(index - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.codePointAt(index - 2);
  }
  return low;
}

const width = (cp: number) => (cp > 0xffff ? 2 : 1);
const chr = (cp: number | undefined) => (cp === undefined ? '' : String.fromCodePoint(cp));

/** The visible character a joiner at `index` attaches to on the left, skipping emoji modifiers and selectors. */
function baseBefore(text: string, index: number): number | undefined {
  let at = index;
  for (let cp = before(text, at); cp !== undefined; cp = before(text, at)) {
    if (!isSelector(cp) && !(cp >= 0x1f3fb && cp <= 0x1f3ff) && !isTag(cp)) return cp;
    at -= width(cp);
  }
  return undefined;
}

/** Whether a zero-width or format character at `index` is ordinary text where it stands. */
function legitimate(text: string, index: number, cp: number): boolean {
  const prev = before(text, index);
  const next = text.codePointAt(index + width(cp));
  switch (cp) {
    case 0xfeff:
      return index === 0; // a byte-order mark opening the file
    case 0x000c: // a page break on a line of its own (GNU licences, Emacs and Python sources)
      return (prev === undefined || prev === 0x0a) && (next === undefined || next === 0x0a || next === 0x0d);
    case 0x200b:
      return NO_SPACE_SCRIPT().test(chr(prev)) && NO_SPACE_SCRIPT().test(chr(next));
    case 0x200d: {
      const base = baseBefore(text, index);
      if (base !== undefined && PICTOGRAPHIC().test(chr(base)) && PICTOGRAPHIC().test(chr(next))) return true;
      return VIRAMA().test(chr(prev)) || (JOINING_SCRIPT().test(chr(prev)) && JOINING_SCRIPT().test(chr(next)));
    }
    case 0x200c:
      return VIRAMA().test(chr(prev)) || (JOINING_SCRIPT().test(chr(prev)) && JOINING_SCRIPT().test(chr(next)));
    case 0x200e:
    case 0x200f:
    case 0x061c:
      // Around right-to-left text, one mark where a run of it meets another: not inside a left-to-right
      // word, and not a third mark in a row, which only a code of marks needs (hidden-review 7).
      return lineMarksOrdinary(text, index) && !(isMark(prev) && isMark(next)) && !withinLtrWord(prev, next);
    case 0x180e:
      return /\p{Script=Mongolian}/u.test(chr(prev)) && /\p{Script=Mongolian}/u.test(chr(next));
    case 0x180b: // Mongolian free variation selectors: a letter's other form, after a Mongolian letter
    case 0x180c:
    case 0x180d:
    case 0x180f:
      return /\p{Script=Mongolian}/u.test(chr(prev));
    case 0x1bca0: // shorthand format controls, between Duployan characters
    case 0x1bca1:
    case 0x1bca2:
    case 0x1bca3:
      return /\p{Script=Duployan}/u.test(chr(prev)) && /\p{Script=Duployan}/u.test(chr(next));
    case 0x115f:
    case 0x1160:
      return HANGUL().test(chr(prev)) || HANGUL().test(chr(next));
    default:
      return false;
  }
}

/**
 * Every invisible or direction-changing character that is not ordinary text
 * where it stands, in runs: consecutive characters of one kind are one hit.
 * Tag characters are decoded to the ASCII they spell; a run of variation
 * selectors to the bytes it encodes; bidirectional controls are reported from
 * the opening control to its closing one (or the end of the line).
 */
export function characterHits(text: string): CharacterHit[] {
  const hits: CharacterHit[] = [];
  CANDIDATE.lastIndex = 0;
  for (let match = CANDIDATE.exec(text); match; match = CANDIDATE.exec(text)) {
    const start = match.index;
    const cp = text.codePointAt(start)!;
    let run: { end: number; hit?: CharacterHit | undefined } = { end: start + width(cp) };
    if (isTag(cp)) run = tagRun(text, start);
    else if (isSelector(cp)) run = selectorRun(text, start);
    else if (isBidi(cp)) run = { end: 0, hit: bidiRun(text, start, cp) };
    else if (!legitimate(text, start, cp)) run = { end: 0, hit: invisibleRun(text, start) };
    if (run.hit) hits.push(run.hit);
    // A run is read whole, flagged or not: a flag's tag sequence is not read again from its second tag.
    CANDIDATE.lastIndex = Math.max(run.hit?.end ?? 0, run.end, start + 1);
  }
  return hits;
}

/** Code points from `start` while `take` accepts them. */
function runOf(text: string, start: number, take: (cp: number, at: number) => boolean): number[] {
  const cps: number[] = [];
  for (let at = start; at < text.length;) {
    const cp = text.codePointAt(at)!;
    if (!take(cp, at)) break;
    cps.push(cp);
    at += width(cp);
  }
  return cps;
}

const lengthOf = (cps: readonly number[]) => cps.reduce((n, cp) => n + width(cp), 0);

/**
 * A run of tag characters, unless it is an RGI emoji tag sequence (England's,
 * Scotland's or Wales's flag, UTS #51). Fake flags in a row (🏴 + tag letters,
 * each closed by a cancel tag) are one run: together they spell the message.
 */
function tagRun(text: string, start: number): { end: number; hit?: CharacterHit } {
  const cps = runOf(text, start, isTag);
  let end = start + lengthOf(cps);
  if (isFlagTagSequence(before(text, start), cps)) return { end };
  while (text.codePointAt(end) === 0x1f3f4 && isTag(text.codePointAt(end + 2) ?? 0)) {
    const more = runOf(text, end + 2, isTag);
    if (isFlagTagSequence(0x1f3f4, more)) break;
    for (const cp of more) cps.push(cp); // in place: a copy a flag made the run quadratic (hidden-review 1)
    end += 2 + lengthOf(more);
  }
  const decoded = cps.map(tagChar).join('');
  return {
    end,
    hit: { kind: 'TAG_CHARACTERS', start, end, decoded, names: [...new Set(cps.map(nameOf))].slice(0, 8) },
  };
}

/** The variation selectors from `start`, and whether they are one that chooses its base's glyph (sequences.ts). */
function selectorsAt(text: string, start: number): { cps: number[]; end: number; fits: boolean } {
  const cps = runOf(text, start, isSelector);
  const fits = cps.length === 1 && isVariationSequence(before(text, start), cps[0]!);
  return { cps, end: start + lengthOf(cps), fits };
}

/**
 * Variation selectors: one in a variation sequence Unicode defines chooses
 * its base's glyph (an emoji's presentation, an ideograph's variant); more
 * than one in a row, or one after any other character, carries data instead —
 * each selector one byte. Selectors after each character of a cover text are
 * one run: together they spell the message.
 */
function selectorRun(text: string, start: number): { end: number; hit?: CharacterHit } {
  let { cps, end, fits } = selectorsAt(text, start);
  if (fits) return { end };
  for (;;) {
    // The next character, past blanks (a cover text's spaces carry nothing), must carry selectors too.
    const base = /^\s*[^\s\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/u.exec(text.slice(end, end + 64));
    const next = end + (base?.[0].length ?? 0);
    if (!base || !isSelector(text.codePointAt(next) ?? 0)) break;
    const more = selectorsAt(text, next);
    if (more.fits) break;
    for (const cp of more.cps) cps.push(cp); // in place: a copy a character made the run quadratic (hidden-review 1)
    end = more.end;
  }
  const bytes = Buffer.from(cps.map((cp) => (cp <= 0xfe0f ? cp - 0xfe00 : cp - 0xe0100 + 16)));
  const names = [...new Set(cps.map(nameOf))].slice(0, 8);
  return { end, hit: { kind: 'VARIATION_SELECTORS', start, end, decoded: bytes.toString('utf8'), names } };
}

/** An embedding, override or isolate, with the text it governs up to its closing control on the same line. */
function bidiRun(text: string, start: number, cp: number): CharacterHit {
  const lineEnd = text.indexOf('\n', start) < 0 ? text.length : text.indexOf('\n', start);
  const closer = cp >= 0x2066 ? 0x2069 : cp <= 0x202e && cp !== 0x202c ? 0x202c : undefined;
  let end = start + 1;
  if (closer !== undefined) {
    const close = text.indexOf(String.fromCharCode(closer), start + 1);
    end = close >= 0 && close < lineEnd ? close + 1 : lineEnd;
  }
  const span = text.slice(start, end);
  const controls = [...span].map((c) => c.codePointAt(0)!).filter(isBidi);
  const inner = [...span].filter((c) => !isBidi(c.codePointAt(0)!)).join('');
  const reversing = cp === 0x202e || cp === 0x202b || cp === 0x2067;
  return {
    kind: 'BIDI_CONTROL',
    start,
    end,
    decoded: reversing && inner ? `${inner} (shown reversed, as "${[...inner].reverse().join('')}")` : inner,
    names: [...new Set(controls.map(nameOf))],
  };
}

/** Zero-width, filler and control characters in a row, named one by one. */
function invisibleRun(text: string, start: number): CharacterHit {
  const cps = runOf(text, start, (cp, at) => {
    return candidateAt(text, at) && !isTag(cp) && !isSelector(cp) && !isBidi(cp) && !legitimate(text, at, cp);
  });
  const names = [...new Set(cps.map(nameOf))];
  const end = start + lengthOf(cps);
  return { kind: 'INVISIBLE_CHARACTER', start, end, decoded: writtenOut(text, start, end, cps, names), names };
}

/**
 * What a model reads where an invisible run is: the run written out as its
 * code points inside the visible word around it ("ig[U+200D]nore"), the same
 * code point repeated said once with a count; a long varied run (hidden data)
 * as a count and its kinds.
 */
function writtenOut(text: string, start: number, end: number, cps: number[], names: string[]): string {
  const before = /[^\s\p{C}]*$/u.exec(text.slice(Math.max(0, start - 24), start))![0];
  const after = /^[^\s\p{C}]*/u.exec(text.slice(end, end + 24))![0];
  const groups: [number, number][] = [];
  for (const cp of cps)
    if (groups.at(-1)?.[0] === cp) groups.at(-1)![1]++;
    else groups.push([cp, 1]);
  const code = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  const marks =
    groups.length > 8
      ? `[${cps.length} invisible characters: ${names.join(', ')}]`
      : groups.map(([cp, n]) => `[${code(cp)}${n > 1 ? ` ×${n}` : ''}]`).join('');
  return `${before}${marks}${after}`;
}
