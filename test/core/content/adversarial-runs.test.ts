import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { characterHits } from '../../../src/core/content/characters.ts';
import { scanText } from '../../../src/core/content/scan.ts';

/**
 * hidden-review 1: runs the scan reads whole grew by copying themselves, and every left-to-right mark scanned its
 * whole line again: 50 KB of a letter and a variation selector, repeated, took 26 s, 20 KB of marks 6 s, and
 * a 100 KB skill file held verify, publish or the editor for minutes. Each input here is 400 KB; the scan ends
 * well inside the timeout (a guard against a hang, not a measured figure: the bench measures).
 */
describe('the character scan over runs made to be long', () => {
  const flag = '\u{1F3F4}\u{E0061}\u{E0062}\u{E007F}'; // a fake flag: 🏴 + tag letters + cancel tag
  for (const [what, text, hits] of [
    ['a letter and a variation selector, repeated', 'a\uFE01'.repeat(200_000), 1],
    ['fake flags in a row', flag.repeat(50_000), 1],
    ['left-to-right marks on one line', '\u200E'.repeat(400_000), 1],
    ['left-to-right marks between letters', '\u200Ea'.repeat(200_000), 200_000],
  ] as const) {
    it(`${what}: one pass`, { timeout: 60_000 }, () => {
      const found = characterHits(text);
      assert.equal(found.length, hits);
      if (hits === 1) assert.equal(found[0]!.end, text.length);
    });
  }
});

/** diff4-review F1–F2: the GFM checks' own patterns over lines made to make them backtrack. */
describe('the Markdown scan over lines made to backtrack', () => {
  for (const [what, text] of [
    ['"[^" repeated, beside a footnote', `[^n]: x\n\n${'[^'.repeat(200_000)}\n`],
    ['a dash, spaces and a letter, under a table header', `| a |\n-${' '.repeat(400_000)}x\n`],
    // diff5-review F1: a background of unclosed parentheses, split by a pattern that retried at each one.
    [
      'a style whose background opens parentheses it never closes',
      `<span style="color:white;background:${'a('.repeat(200_000)}">x</span>\n`,
    ],
    ['a size of math functions nested deep', `<span style="font-size:${'calc('.repeat(100_000)}0px">x</span>\n`],
    // diff6-review R1: a line of text nodes, each with a reference, judged each with its whole line.
    ['one line of emphasis and references', `א ${'&lrm;*x*'.repeat(50_000)}\n`],
    // diff7-review S1: the same with tags, whose newline searches still walked the line for each node.
    ['one line of references between tags', `${'&amp;<b>'.repeat(50_000)}\n`],
    // diff7-review S2: each colour of a style judged against every value of its background.
    [
      'a style of thousands of colours over a background of thousands of values',
      `<span style="${'color:#fff;'.repeat(20_000)}background:${'a b,'.repeat(20_000)}#000">x</span>\n`,
    ],
    // diff7-review S3: micromark pairs emphasis markers in time that grows as their square.
    ['one paragraph of emphasis after a reference', `&amp;\n${'a*x*'.repeat(100_000)}\n`],
    // diff8-review H1: paragraphs each just under a count of a paragraph's markers.
    ['paragraphs of 998 emphasis markers each', `&amp;\n${`${'a*x*'.repeat(499)}\n\n`.repeat(100)}`],
    // The 2026-12-06 closing note: micromark copied all its events each time an item or a quote closed
    // (60 KB of an item and a sub-item, repeated, took 17 s; this is 150 KB, and parsed).
    ['a long list of items with a sub-item each', `&amp;\n${'- item\n  - sub\n'.repeat(10_000)}`],
    ['a long quoted list of items with a quote each', `&amp;\n${'> - item\n>   > sub\n'.repeat(8_000)}`],
  ] as const) {
    it(`${what}: one pass`, { timeout: 60_000 }, () => {
      assert.ok(Array.isArray(scanText(text, 'SKILL.md')));
    });
  }
});

/**
 * diff8-review H2, L2: shapes micromark parses in time growing as their square or worse, or that nest past
 * the stack: not parsed, and reported as Markdown AAM Trust does not read (failing closed), in one pass.
 */
describe('Markdown no person writes, which the parser would take minutes over', () => {
  for (const [what, text] of [
    ['list markers nested on one line', `&amp;\n${'- '.repeat(3_000)}x\n`],
    ['block quotes nested on one line', `&amp;\n${'>'.repeat(20_000)}x\n`],
    ['link destinations left open', `&amp;\n${'[a]('.repeat(60_000)}\n`],
  ] as const) {
    it(`${what}: reported as not read`, { timeout: 60_000 }, () => {
      const items = scanText(text, 'SKILL.md');
      assert.ok(
        items.some((item) => item.kind === 'DROPPED_MARKDOWN' && /does not read/.test(item.decoded)),
        JSON.stringify(items.map((item) => item.kind)),
      );
    });
  }

  it('an ordinary document of nested lists, quotes and links is read', () => {
    const text = `&amp;\n${'- item [a link](https://x.example/a)\n  - sub\n    > quote\n'.repeat(200)}`;
    assert.deepEqual(scanText(text, 'SKILL.md'), []);
  });
});
