import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { markdownTriggered } from '../../../src/core/content/markdown.ts';
import { htmlTokens } from '../../../src/core/content/html.ts';
import { scanText } from '../../../src/core/content/scan.ts';
import { random as seeded } from '../../helpers/bundle-mutations.ts';

const HIDING = ['hidden', 'aria-hidden', 'style', 'color', 'bgcolor', 'text'];

/** A random text of the pieces a tag is read from, `length` pieces long. */
function randomText(random: () => number, length: number): string {
  const pieces = [
    '<',
    '>',
    'a',
    'b',
    ' ',
    '\n',
    '"',
    "'",
    '=',
    '<a',
    '<b',
    'style',
    'hidden',
    'text',
    '/',
    'x',
    '= ',
    '\t',
    'STYLE',
  ];
  let out = '';
  for (let i = 0; i < length; i++) out += pieces[Math.floor(random() * pieces.length)];
  return out;
}

describe('the Markdown trigger (the fast path that skips parsing)', () => {
  it("matches every text in which HTML's tokenizer finds a tag with a hiding attribute (100,000 random texts)", () => {
    const random = seeded(22);
    let tagged = 0;
    for (let i = 0; i < 100_000; i++) {
      const text = randomText(random, 1 + Math.floor(random() * 40));
      const hiding = htmlTokens(text).some(
        (token) => token.type === 'start' && HIDING.some((name) => token.attributes.has(name)),
      );
      if (!hiding) continue;
      tagged++;
      assert.ok(markdownTriggered(text), JSON.stringify(text));
    }
    assert.ok(tagged > 5_000, `${tagged} texts held such a tag: the generator reaches them`);
  });

  it('reads a tag with a "<" in it, a quoted ">" and a line break before its attribute', () => {
    for (const text of [
      '<div b<c style="display:none">x</div>',
      '<a b<1 title=">" style="display:none">x</a>',
      '<span title="a > b"\nhidden>x</span>',
      // A quote opens a value only after `=` (diff24-review Q1).
      '<div a=b"c style="display:none">x</div>',
      '<div "x style="display:none">x</div>',
      '<div a = \'>\' style="display:none">x</div>',
      // Misses of a pattern made linear (a tag name holding `=` and quotes, `=` in a value left unquoted).
      "\"'>a= /<ax'= '/=text= \t\"texttext\nxbtext\t'   >>\"style>>",
      '<a b=c="d title=">" style="display:none">x</a>',
      '<atext= hidden/>x',
    ])
      assert.ok(markdownTriggered(text), text);
    assert.ok(!markdownTriggered('a <b>bold</b> word with a style of its own'));
  });

  it('reads a tag in a block quote without the markers its lines start with (diff25-review B1)', () => {
    for (const text of [
      '> <div\n> style="color:transparent">SECRET</div>\n',
      '> text <span\n> style="display:none">SECRET</span> more\n',
      '> <b\n> hidden>SECRET</b>\n',
      '> > <span\n> > style="color:transparent">SECRET</span>\n',
      '- > <div\n  > style="display:none">SECRET</div>\n',
    ]) {
      assert.ok(markdownTriggered(text), text);
      const found = scanText(`Intro.\n\n${text}`, 'README.md').filter((item) => item.kind === 'HIDDEN_HTML');
      assert.equal(found.length, 1, text);
      assert.match(found[0]!.decoded, /SECRET/);
    }
  });

  it('takes time linear in the text with many tags left open, and in lines of blanks (diff23-review T1, diff24-review T1)', () => {
    const started = performance.now();
    for (const text of [
      '<a\n'.repeat(33_000),
      'x <a '.repeat(200_000),
      'x <a "'.repeat(20_000),
      `<${`'"`.repeat(300_000)}`,
      '<"'.repeat(300_000),
      `${' '.repeat(200_000)}-`,
      `${'\t'.repeat(200_000)}-`,
      `${' \t'.repeat(100_000)}-`,
      '<a b="'.repeat(100_000),
      `<${'="'.repeat(200_000)}`,
      `<${'= '.repeat(200_000)}`,
    ])
      markdownTriggered(text);
    assert.ok(performance.now() - started < 5_000, `${performance.now() - started} ms`);
  });
});
