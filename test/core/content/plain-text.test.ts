import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { characterHits } from '../../../src/core/content/characters.ts';
import { markdownHits } from '../../../src/core/content/markdown.ts';
import { OFFSCREEN_COLUMN, plainText } from '../../../src/core/content/plain-text.ts';
import { scanText } from '../../../src/core/content/scan.ts';
import { mixedScriptWords } from '../../../src/core/content/scripts.ts';
import { random } from '../../helpers/bundle-mutations.ts';

/**
 * The scan rules a plain text out in one pass (plain-text.ts) instead of running each of its passes. That is
 * sound only if every pass finds nothing in a text it rules out: checked here against the passes themselves,
 * on texts built to sit at the edges (a CR before and not before a line feed, a line of exactly the off-screen
 * column, Markdown that hides and Markdown that only looks like it).
 */
const PIECES = [
  'plain words ',
  'x',
  '\n',
  '\r\n',
  '\r',
  '\t',
  '\f',
  '\v',
  '\u0000',
  '\u007f',
  ' '.repeat(40),
  'y'.repeat(119),
  'z'.repeat(121),
  '<!-- note -->',
  '<!',
  '[ref]: https://example.com',
  ' [a]:b',
  '<span hidden>',
  '<p style="color:red">',
  '<b>bold</b>',
  '< not a tag',
  '`code`',
  'caf\u00e9',
  '\u0430pple', // Cyrillic a
  '\u200b',
  '\u{e0041}', // TAG LATIN CAPITAL LETTER A
  '\u202e',
  '\ufe0f',
  '\ufeff',
  '\u00a0',
];

function textFrom(next: () => number): string {
  let text = '';
  const count = Math.floor(next() * 12);
  for (let i = 0; i < count; i++) text += PIECES[Math.floor(next() * PIECES.length)];
  return text;
}

const lines = (text: string) => text.split('\n').map((line) => line.length);

describe('the plain-text first pass', () => {
  it('rules out only texts in which none of the scan passes finds anything', () => {
    const next = random(0x9a11);
    let ruledOut = 0;
    let scanned = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = textFrom(next);
      for (const markdown of [false, true]) {
        const path = markdown ? 'SKILL.md' : 'prompt.txt';
        if (!plainText(text, markdown)) {
          scanned++;
          continue;
        }
        ruledOut++;
        const why = JSON.stringify(text);
        assert.deepEqual(characterHits(text), [], why);
        assert.deepEqual(mixedScriptWords(text), [], why);
        if (markdown) assert.deepEqual(markdownHits(text), [], why);
        // The off-screen pass looks only at lines longer than the column.
        assert.ok(Math.max(...lines(text)) <= OFFSCREEN_COLUMN, why);
        assert.deepEqual(scanText(text, path), [], why);
      }
    }
    // Both sides were exercised.
    assert.ok(ruledOut > 2_000 && scanned > 2_000, `${ruledOut} ruled out, ${scanned} scanned`);
  });

  it('leaves to the scan a text with anything it flags', () => {
    const flagged = [
      ['a\rb', 'prompt.txt'],
      ['page\fbreak', 'prompt.txt'],
      ['\u0430pple', 'prompt.txt'],
      ['ok\u{e0041}', 'prompt.txt'],
      ['<!-- hidden -->', 'SKILL.md'],
      ['[x]: https://example.com', 'SKILL.md'],
      [`${'w'.repeat(130)}${' '.repeat(45)}secret`, 'prompt.txt'],
    ] as const;
    for (const [text, path] of flagged) {
      assert.equal(plainText(text, path.endsWith('.md')), false, JSON.stringify(text));
      assert.notDeepEqual(scanText(text, path), [], JSON.stringify(text));
    }
  });

  it('takes CRLF line ends, tabs and a line of exactly the column as plain', () => {
    assert.equal(plainText(`a\tb\r\n${'c'.repeat(OFFSCREEN_COLUMN)}\r\n`, true), false);
    assert.equal(plainText(`a\tb\r\n${'c'.repeat(OFFSCREEN_COLUMN - 1)}\r\n`, true), true);
    assert.equal(plainText(`a\tb\n${'c'.repeat(OFFSCREEN_COLUMN)}\n`, true), true);
    // A tab counts as the four columns it can move, on the last line too.
    assert.equal(plainText(`${'\t'.repeat(OFFSCREEN_COLUMN / 4)}\n`, false), true);
    assert.equal(plainText(`${'\t'.repeat(OFFSCREEN_COLUMN / 4 + 1)}\n`, false), false);
    assert.equal(plainText(`a\n${'\t'.repeat(OFFSCREEN_COLUMN / 4)}x`, false), false);
    assert.equal(plainText(`a\n${'\t'.repeat(OFFSCREEN_COLUMN / 4 - 2)}xyz\t`, false), true);
  });
});
