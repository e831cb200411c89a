import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { unparsable } from '../../../src/core/content/markdown-limits.ts';
import { scanText } from '../../../src/core/content/scan.ts';

/**
 * diff9-review F1–F3: the shapes the Markdown scan does not hand micromark are shapes no person writes; a
 * rule of spaced dashes, fenced code and a cheat sheet of regular expressions are read, and the slow shapes
 * the first count missed (ordered markers, destinations each ')' was taken to close all of) are not parsed.
 */
const notRead = (text: string) =>
  scanText(text, 'README.md').some((i) => i.kind === 'DROPPED_MARKDOWN' && /does not read/.test(i.decoded));

describe('what a person writes is read', () => {
  for (const [what, text] of [
    [
      'a rule of 40 spaced dashes beside a table',
      `| a | b |\n| - | - |\n| 1 | 2 |\n\n${'- '.repeat(40).trim()}\n\nMore.\n`,
    ],
    ['a rule of 34 spaced stars', `Copyright &copy; 2024\n\n${'* '.repeat(34).trim()}\n`],
    ['a rule in a quote', `&amp;\n\n> ${'_ '.repeat(40)}\n`],
    [
      'a star pyramid in fenced code',
      `&amp;\n\n\`\`\`text\n${Array.from({ length: 40 }, (_, i) => ' '.repeat(40 - i) + '* '.repeat(i + 1)).join('\n')}\n\`\`\`\n`,
    ],
    [
      '260 fenced calls wrapped after `](`',
      `&mdash;\n\n${'```js\nthis.handlers[event.type](\n  event,\n);\n```\n\n'.repeat(260)}`,
    ],
    [
      'a list of 260 regular expressions in code spans',
      `&amp;\n\n${Array.from({ length: 260 }, (_, i) => `- \`/[a-z${i}](\\d+/\` a letter, then digits`).join('\n')}\n`,
    ],
  ] as const) {
    it(what, () => assert.equal(notRead(text), false));
  }

  it('a long README with CRLF line ends: a blank line ends a paragraph there too (diff11-review D4)', () => {
    const paragraph = `${'call[x](\r\n'.repeat(600)}\r\n`;
    assert.equal(unparsable(`&amp;\r\n\r\n${paragraph.repeat(3)}`), undefined);
  });

  it('lists whose items run on unindented, and long paragraphs after quotes and lists, are read', () => {
    const items = Array.from({ length: 400 }, (_, i) => `- item ${i}\ncontinued on the next line`).join('\n');
    const after = (container: string) => `&amp;\n\n${container}\n\n${'a long paragraph line\n'.repeat(400)}`;
    const fenced = `&amp;\n\n- install:\n\`\`\`sh\n${'echo step\n'.repeat(400)}\`\`\`\n`;
    const indented = `&amp;\n\n- x\n${'  an indented continuation\n'.repeat(400)}`;
    const numbered = `&amp;\n\n${Array.from({ length: 400 }, (_, i) => `${i + 1}. step ${i}\nrun on`).join('\n')}\n`;
    const fromThree = `&amp;\n\ntext\n\n${Array.from({ length: 400 }, (_, i) => `${i + 3}. step`).join('\n')}\n`;
    for (const text of [
      items,
      after('> quoted'),
      after('- item'),
      after('1. item'),
      fenced,
      indented,
      numbered,
      fromThree,
    ])
      assert.equal(unparsable(text), undefined, text.slice(0, 60));
  });

  it('a prompt line in fenced code, or a quote before an HTML block, followed by 300 lines (diff14-review M2)', () => {
    const out = Array.from({ length: 300 }, (_, i) => `output line ${i}`).join('\n');
    for (const text of [
      `&amp;\n\n# Usage\n\n\`\`\`console\n> npm test\n${out}\n\`\`\`\n`,
      `&amp;\n\n- run:\n  ~~~~ps1\n  PS> ./build.ps1\n${out}\n  ~~~~\n\n> quoted again\n${out.slice(0, 200)}\n`,
      `&amp;\n\n> **Note**\n<table>\n${Array.from({ length: 300 }, (_, i) => `<tr><td>${i}</td></tr>`).join('\n')}\n</table>\n`,
      `&amp;\n\n- a\n<div>\n${out}\n</div>\n`,
      // A <pre> holds blank lines: only its closing tag ends it.
      `&amp;\n\n<pre>\nusage:\n\n  build\n> quoted in the listing\n${out}\n</pre>\n`,
      `&amp;\n\n<SCRIPT type="text/plain">\n\n> a\n${out}\n</script>\n`,
    ])
      assert.equal(unparsable(text), undefined, text.slice(0, 60));
  });

  it('a line taken for a fence or an HTML block spares lazy lines from one budget for the whole file', () => {
    // In an HTML block the fence is none to micromark: the quote's lazy lines are, and they are bounded.
    const spoofed = (lines: number) => `&amp;\n\n<div>\n\`\`\`\n</div>\n\n${'> q\n'.concat('x\n'.repeat(lines))}`;
    assert.equal(unparsable(spoofed(4_000)), undefined);
    assert.match(unparsable(spoofed(5_000)) ?? '', /more than 256 lines continuing a quote/);
    // A <pre> closed on its line, or closed before the quote, spares nothing after it.
    for (const pre of ['<pre>x</pre>', '<pre>\nx\n</pre>'])
      assert.match(unparsable(`&amp;\n\n${pre}\n\n> q\n${'x\n'.repeat(300)}`) ?? '', /more than 256 lines/, pre);
    // Spread over many paragraphs, the budget is the file's, not each one's.
    const many = `&amp;\n\n<div>\n\`\`\`\n</div>\n\n${`> q\n${'x\n'.repeat(400)}\n`.repeat(40)}`;
    assert.match(unparsable(many) ?? '', /more than 256 lines continuing a quote/);
    // Lazy lines cost micromark as much as their paragraph's lines so far, and a file pays for them all: a long
    // quote, a line taken for a fence, then lazy lines, is not read (diff16-review T1: 44 s).
    const long = `&amp;\n\n${'>a\n'.repeat(150_000)}${'b\n'.repeat(256)}    \`\`\`\n${'b\n'.repeat(4_095)}`;
    assert.match(unparsable(long) ?? '', /continuing long quotes or list items .* more than a parse is given time for/);
    assert.equal(notRead(long), true);
    assert.match(unparsable(`&amp;\n\n${'>a\n'.repeat(150_000)}${'b\n'.repeat(100)}`) ?? '', /given time for/);
    assert.equal(unparsable(`&amp;\n\n${'>a\n'.repeat(20_000)}${'b\n'.repeat(100)}`), undefined);
    // A closing fence ends it: what follows counts by the paragraph again.
    assert.match(unparsable(`&amp;\n\n\`\`\`\n\`\`\`\n> q\n${'x\n'.repeat(300)}`) ?? '', /more than 256/);
    // HTML until its blank line only.
    assert.match(unparsable(`&amp;\n\n<div>\n\n> q\n${'x\n'.repeat(300)}`) ?? '', /more than 256/);
  });

  it('a line of 40 quote marks in a code block (diff11-review D3)', () => {
    assert.equal(notRead(`&amp;\n\n\`\`\`text\n${'>'.repeat(40)}\nmerge conflict\n${'<'.repeat(40)}\n\`\`\`\n`), false);
  });

  it('a fence whose info string holds a backtick is no fence: what follows it still counts', () => {
    assert.match(unparsable(`\`\`\`x\`\n${'- '.repeat(40)}x\n`) ?? '', /nested 40 deep/);
  });
});

describe('what micromark is slow on is not parsed', () => {
  for (const [what, text, why] of [
    ['ordered markers under bullets', `&amp;\n${`1. ${'- '.repeat(1_500)}x\n\n`.repeat(30)}`, /nested 1501 deep/],
    ['ordered markers alone', `&amp;\n${'1. '.repeat(3_000)}x\n`, /nested 3000 deep/],
    ['destinations, one closed a line', `&amp;\n${`${'[a]('.repeat(20)})\n`.repeat(1_200)}`, /link destinations/],
    [
      'lists nested in a quote after a rule-like tail',
      `&amp;\n${'> '.repeat(3)}${'- '.repeat(33)}x\n`,
      /nested 33 deep/,
    ],
    ['quotes nested thousands deep', `&amp;\n${'>'.repeat(40_000)} x\n`, /quotes nested 40000 deep/],
    // diff13-review M1: lines continuing a quote's or an item's paragraph lazily cost the square of their number.
    ['a quote continued lazily', `&amp;\n\n> x\n${'y\n'.repeat(50_000)}`, /lines continuing a quote or list item/],
    ['an item continued lazily', `&amp;\n\n- x\n${'y\n'.repeat(50_000)}`, /lines continuing/],
    ['an ordered item continued short of its content', `&amp;\n\n1. x\n${'  y\n'.repeat(50_000)}`, /lines continuing/],
    ['a paragraph in an item continued lazily', `&amp;\n\n- x\n\n  y\n${'z\n'.repeat(50_000)}`, /lines continuing/],
    ['a quote in an item continued lazily', `&amp;\n\n- > x\n\n  y\n${'z\n'.repeat(50_000)}`, /lines continuing/],
    [
      'a lazy quote with a quoted line now and then',
      `&amp;\n\n> x\n${`${'y\n'.repeat(200)}> z\n`.repeat(300)}`,
      /lines continuing/,
    ],
    // diff14-review M1: `2.` cannot interrupt a paragraph, so it runs on lazily; it reset the count.
    ['a quote run on in numbered lines', `&amp;\n\n> x\n${'2. c\n'.repeat(50_000)}`, /lines continuing/],
    ['an item run on in numbered lines', `&amp;\n\n- x\n${'2. c\n'.repeat(50_000)}`, /lines continuing/],
    // diff13-review M2: micromark ends a line at a CR alone, as at LF and CRLF.
    ['lists nested after a lone CR', `&amp;\n\na\r${'- '.repeat(4_000)}x\n`, /lists nested 4000 deep/],
    ['quotes nested after a lone CR', `&amp;\n\na\r${'>'.repeat(40_000)} x\n`, /quotes nested 40000 deep/],
    // diff10-review M1: a line the count took for a fence, where micromark did not, let the rest through.
    ['lists nested after an indented fence', `&amp;\n\n    \`\`\`\n\n${'- '.repeat(3_000)}x\n`, /nested 3000 deep/],
    ['lists nested after a fence in a quote', `&amp;\n\n> \`\`\`\n\n${'- '.repeat(3_000)}x\n`, /nested 3000 deep/],
    ['lists nested after a fence in an HTML block', `&amp;\n\n<div>\n\`\`\`\n\n${'- '.repeat(3_000)}x\n`, /nested/],
    // M2: a "14." line continues a paragraph, and so does a bullet four spaces in.
    ['destinations on "14." lines of one paragraph', `&amp;\nx\n${'14. [a](\n'.repeat(2_000)}`, /link destinations/],
    [
      'destinations on indented bullets of one paragraph',
      `&amp;\nx\n${'    - [a](\n'.repeat(2_000)}`,
      /link destinations/,
    ],
  ] as const) {
    it(what, () => {
      assert.match(unparsable(text) ?? '', why);
      assert.equal(notRead(text), true);
    });
  }
});
