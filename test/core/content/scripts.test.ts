import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mixedScriptWords } from '../../../src/core/content/scripts.ts';
import type { MixedWord } from '../../../src/core/content/scripts.ts';
import { random } from '../../helpers/bundle-mutations.ts';

/**
 * The reference: every word of the text, as the scan found them before it looked only around the
 * characters outside ASCII, each judged by mixedScriptWords itself (a text of one word is judged
 * as that word).
 */
function everyWord(text: string): MixedWord[] {
  const out: MixedWord[] = [];
  for (const match of text.matchAll(/[\p{L}\p{M}\p{Nd}\u200c\u200d]+/gu)) {
    const [judged] = mixedScriptWords(match[0]);
    if (judged) out.push({ ...judged, start: match.index + judged.start, end: match.index + judged.end });
  }
  return out;
}

/** Characters to build texts from: ASCII letters, digits and punctuation; letters, marks and joiners of several scripts; pairs of surrogates and lone ones. */
const ALPHABET = [
  ...'abcxyzABCXYZ0189 \n\t.,;:!?-_()[]*`#@/\\\'"',
  ...'éèüßçñøå', // Latin
  ...'аеорсуіјѕ', // Cyrillic, Latin look-alikes among them
  ...'αορνκ', // Greek
  ...'日本語中文', // Han
  ...'ひらがなカタカナ', // Hiragana, Katakana
  ...'한국', // Hangul
  ...'ㄅㄆ', // Bopomofo
  ...'אבג', // Hebrew
  ...'٠١كتب', // Arabic, its digits
  ...'०१क', // Devanagari
  '\u0301', // combining acute (Inherited)
  '\u0308', // combining diaeresis
  '\u200c', // zero-width non-joiner
  '\u200d', // zero-width joiner
  '\u00a0', // no-break space
  '—“”…→✓§', // punctuation and symbols outside ASCII
  '\u{1d400}', // MATHEMATICAL BOLD CAPITAL A (a letter, Common): a surrogate pair
  '\u{10330}', // GOTHIC LETTER AHSA: a pair
  '\u{1f600}', // an emoji: a pair, not a letter
  '\ud800', // a lone high surrogate
  '\udc00', // a lone low surrogate
  '\u{20000}', // a Han ideograph outside the BMP
];

function randomText(next: () => number, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) {
    // Mostly ASCII, as a prompt is, with runs of others.
    const pool = next() < 0.7 ? 40 : ALPHABET.length;
    text += ALPHABET[Math.floor(next() * pool)];
  }
  return text;
}

describe('mixed-script words', () => {
  it('finds the same words, at the same places, as reading every word (5,000 generated texts)', () => {
    const next = random(0x2545f491);
    let found = 0;
    for (let i = 0; i < 5_000; i++) {
      const text = randomText(next, 1 + Math.floor(next() * 200));
      const expected = everyWord(text);
      found += expected.length;
      assert.deepEqual(mixedScriptWords(text), expected, JSON.stringify(text));
    }
    assert.ok(found > 500, `the generated texts hold mixed words (${found})`);
  });

  it('reports a look-alike word among ASCII ones, and passes the scripts that belong together', () => {
    const text = 'Log in at pаypal.com — Straße, naïve, Tシャツ and 日本語 are fine; ѕеcure is not.';
    assert.deepEqual(
      mixedScriptWords(text).map((w) => [w.word, text.slice(w.start, w.end), w.scripts]),
      [
        ['pаypal', 'pаypal', ['Latin', 'Cyrillic']],
        ['ѕеcure', 'ѕеcure', ['Latin', 'Cyrillic']],
      ],
    );
  });
});
