/** Names of the characters characters.ts flags, for hovers and messages (the Unicode names, from UnicodeData.txt). */
const NAMES: Record<number, string> = {
  0x0000: 'NULL',
  0x000b: 'LINE TABULATION (VERTICAL TAB)',
  0x000c: 'FORM FEED',
  0x000d: 'CARRIAGE RETURN',
  0x00ad: 'SOFT HYPHEN',
  0x034f: 'COMBINING GRAPHEME JOINER',
  0x061c: 'ARABIC LETTER MARK',
  0x115f: 'HANGUL CHOSEONG FILLER',
  0x1160: 'HANGUL JUNGSEONG FILLER',
  0x17b4: 'KHMER VOWEL INHERENT AQ',
  0x17b5: 'KHMER VOWEL INHERENT AA',
  0x180e: 'MONGOLIAN VOWEL SEPARATOR',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x2060: 'WORD JOINER',
  0x2061: 'FUNCTION APPLICATION',
  0x2062: 'INVISIBLE TIMES',
  0x2063: 'INVISIBLE SEPARATOR',
  0x2064: 'INVISIBLE PLUS',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
  0x2028: 'LINE SEPARATOR',
  0x2029: 'PARAGRAPH SEPARATOR',
  0x3164: 'HANGUL FILLER',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE (BOM)',
  0xffa0: 'HALFWIDTH HANGUL FILLER',
};

/** The name of a code point as hovers show it. */
export function nameOf(cp: number): string {
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  let name = NAMES[cp];
  if (name === undefined) {
    if (cp >= 0xe0000 && cp <= 0xe007f) name = cp === 0xe007f ? 'CANCEL TAG' : `TAG ${tagChar(cp) || 'CHARACTER'}`;
    else if (cp >= 0xfe00 && cp <= 0xfe0f) name = `VARIATION SELECTOR-${cp - 0xfe00 + 1}`;
    else if (cp >= 0xe0100 && cp <= 0xe01ef) name = `VARIATION SELECTOR-${cp - 0xe0100 + 17}`;
    else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) name = 'CONTROL CHARACTER';
    else if (cp >= 0x206a && cp <= 0x206f) name = 'DEPRECATED FORMAT CHARACTER';
    else if (cp >= 0xfff9 && cp <= 0xfffb) name = 'INTERLINEAR ANNOTATION CHARACTER';
    else if (cp >= 0x1d173 && cp <= 0x1d17a) name = 'MUSICAL SYMBOL FORMAT CHARACTER';
    else if ((cp >= 0x180b && cp <= 0x180d) || cp === 0x180f)
      name = `MONGOLIAN FREE VARIATION SELECTOR ${cp === 0x180f ? 'FOUR' : ['ONE', 'TWO', 'THREE'][cp - 0x180b]}`;
    else if (cp >= 0x1bca0 && cp <= 0x1bca3) name = 'SHORTHAND FORMAT CONTROL';
    else if (cp === 0x2065 || (cp >= 0xfff0 && cp <= 0xfff8) || (cp >= 0xe0080 && cp <= 0xe0fff))
      name = 'UNASSIGNED (DRAWN AS NOTHING)';
    else name = 'FORMAT CHARACTER';
  }
  return `U+${hex} ${name}`;
}

/** A tag character's ASCII letter, digit or symbol ('' for the cancel and language tags). */
export function tagChar(cp: number): string {
  const ascii = cp - 0xe0000;
  return ascii >= 0x20 && ascii <= 0x7e ? String.fromCharCode(ascii) : '';
}
