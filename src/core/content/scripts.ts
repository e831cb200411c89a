/**
 * Words spelled in more than one script ("pаypal" with a Cyrillic а), found
 * as Unicode Technical Standard #39 defines them: §5.1 mixed-script detection
 * (the resolved script set of a word — each character's Script_Extensions,
 * Common and Inherited ignored, Han/Hiragana/Katakana/Hangul/Bopomofo
 * augmented with Jpan, Kore and Hanb — is empty), with the combinations §5.2
 * calls Highly Restrictive allowed: Latin with Japanese, with Chinese and
 * Bopomofo, with Korean. Japanese "Tシャツ", German "Straße" and Arabic
 * words pass; "раypal" does not.
 */

/** Scripts a character may be counted in; anything else is ignored (a rare script is not a look-alike attack). */
const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Nko',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Georgian',
  'Hangul',
  'Ethiopic',
  'Cherokee',
  'Canadian_Aboriginal',
  'Ogham',
  'Runic',
  'Khmer',
  'Mongolian',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Han',
  'Yi',
  'Coptic',
  'Tifinagh',
  'Vai',
  'Lisu',
  'Osage',
  'Deseret',
  'Glagolitic',
  'Gothic',
  'Old_Italic',
] as const;

type Script = (typeof SCRIPTS)[number] | 'Jpan' | 'Kore' | 'Hanb';

/** Made when first needed: each \p{Script_Extensions} pattern builds its set of characters (2 ms for all, at every CLI start). */
let matchers: (readonly [Script, RegExp])[] | undefined;
const matchersOf = () =>
  (matchers ??= SCRIPTS.map((name) => [name, new RegExp(`\\p{Script_Extensions=${name}}`, 'u')] as const));
const AUGMENT: Partial<Record<Script, Script[]>> = {
  Han: ['Jpan', 'Kore', 'Hanb'],
  Hiragana: ['Jpan'],
  Katakana: ['Jpan'],
  Hangul: ['Kore'],
  Bopomofo: ['Hanb'],
};
/** UTS #39 §5.2 Highly Restrictive: Latin may join one of these writing systems in a word. */
const ALLOWED_WITH_LATIN: readonly (readonly Script[])[] = [
  ['Latin', 'Han', 'Hiragana', 'Katakana', 'Jpan'],
  ['Latin', 'Han', 'Bopomofo', 'Hanb'],
  ['Latin', 'Han', 'Hangul', 'Kore'],
];

/** Each character's augmented script set; null for Common, Inherited and scripts not listed. Cached per code point. */
const cache = new Map<number, readonly Script[] | null>();

function scriptsOf(cp: number): readonly Script[] | null {
  let known = cache.get(cp);
  if (known === undefined) {
    const char = String.fromCodePoint(cp);
    const found: Script[] = [];
    for (const [name, matcher] of matchersOf()) if (matcher.test(char)) found.push(name, ...(AUGMENT[name] ?? []));
    known = found.length > 0 ? found : null;
    cache.set(cp, known);
  }
  return known;
}

/** A word whose letters come from scripts that do not belong together. */
export interface MixedWord {
  start: number;
  end: number;
  word: string;
  /** The scripts it mixes, most used first. */
  scripts: string[];
  /** The letters that are not of the word's main script, each as "а U+0430 (Cyrillic)". */
  odd: string[];
}

// oxlint-disable-next-line no-control-regex -- the whole ASCII range, controls included
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** Words: letters, marks and digits (and the joiners inside them) between anything else; read from a given place. */
const WORD_AT = /[\p{L}\p{M}\p{Nd}\u200c\u200d]+/uy;
const WORD_CHAR = /^[\p{L}\p{M}\p{Nd}\u200c\u200d]$/u;
// oxlint-disable-next-line no-control-regex -- anything outside ASCII
const NON_ASCII = /[^\x00-\x7f]/g;

/**
 * Every mixed-script word of a text (a text in ASCII has none, and costs one test). Only a word
 * with a character outside ASCII can mix scripts, so the words are found from those characters:
 * each one's word (the whole run of word characters around it) is judged once.
 * Most of a prompt is ASCII, and finding every word was most of the scan's time.
 * test/core/content/scripts.test.ts compares it with reading every word.
 */
export function mixedScriptWords(text: string): MixedWord[] {
  if (ASCII_ONLY.test(text)) return [];
  const out: MixedWord[] = [];
  NON_ASCII.lastIndex = 0;
  for (let found = NON_ASCII.exec(text); found; found = NON_ASCII.exec(text)) {
    const at = found.index;
    const cp = text.codePointAt(at)!;
    if (!WORD_CHAR.test(String.fromCodePoint(cp))) {
      NON_ASCII.lastIndex = at + (cp > 0xffff ? 2 : 1);
      continue;
    }
    let start = at;
    for (let before = previousCodePoint(text, start); before >= 0; before = previousCodePoint(text, start)) {
      if (!isWordChar(text, before)) break;
      start = before;
    }
    WORD_AT.lastIndex = start;
    const word = WORD_AT.exec(text)![0];
    NON_ASCII.lastIndex = start + word.length;
    const mixed = judge(word);
    if (mixed) out.push({ start, end: start + word.length, word, ...mixed });
  }
  return out;
}

/** Where the code point before `index` starts, or -1 at the text's start. */
function previousCodePoint(text: string, index: number): number {
  if (index <= 0) return -1;
  const low = text.charCodeAt(index - 1);
  if (low >= 0xdc00 && low <= 0xdfff && index >= 2) {
    const high = text.charCodeAt(index - 2);
    if (high >= 0xd800 && high <= 0xdbff) return index - 2;
  }
  return index - 1;
}

function isWordChar(text: string, index: number): boolean {
  const c = text.charCodeAt(index);
  if (c < 0x80) return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  return WORD_CHAR.test(String.fromCodePoint(text.codePointAt(index)!));
}

function judge(word: string): Pick<MixedWord, 'scripts' | 'odd'> | undefined {
  const sets: { char: string; set: readonly Script[] }[] = [];
  for (const char of word) {
    const set = scriptsOf(char.codePointAt(0)!);
    if (set) sets.push({ char, set });
  }
  if (sets.length < 2) return undefined;
  let resolved = new Set<Script>(sets[0]!.set);
  for (const { set } of sets.slice(1)) resolved = new Set(set.filter((s) => resolved.has(s)));
  if (resolved.size > 0) return undefined;
  if (ALLOWED_WITH_LATIN.some((allowed) => sets.every(({ set }) => set.some((s) => allowed.includes(s)))))
    return undefined;
  // The main script is the one most letters belong to; the others are the odd ones out.
  const counts = new Map<string, number>();
  for (const { set } of sets) counts.set(set[0]!, (counts.get(set[0]!) ?? 0) + 1);
  const scripts = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([s]) => s);
  const main = scripts[0]!;
  const odd = sets
    .filter(({ set }) => !set.includes(main as Script))
    .map(
      ({ char, set }) => `${char} U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} (${set[0]})`,
    );
  return { scripts: scripts.map((s) => s.replace(/_/g, ' ')), odd: [...new Set(odd)] };
}
