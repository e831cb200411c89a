import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scanText } from '../../../src/core/content/scan.ts';
import { SECRET, hidesSecret as hidden } from '../../helpers/hiding-styles.ts';

/**
 * diff17-review X: a style is judged after what the elements around it pass down (custom properties, the
 * colours and shadows of the letters), as a browser cascades it; each tag's style alone missed these.
 */
describe('styles judged with what the elements around them pass down', () => {
  it('custom properties and letter colours set on an ancestor', () => {
    for (const html of [
      `<div style="--c: transparent"><p style="color: var(--c)">${SECRET}</p></div>`,
      `<div style="--s: inset 0 0 0 100vmax red"><p style="color:red; box-shadow: var(--s)">${SECRET}</p></div>`,
      // Across Markdown between the two tags, the ancestor still open.
      `<div style="--c: transparent">\n\nSome **Markdown**.\n\n<p style="color: var(--c)">${SECRET}</p>\n\n</div>`,
      `<div style="color: transparent; text-shadow: 0 0 1px #000"><span style="text-shadow: none">${SECRET}</span></div>`,
      `<div style="color: white"><span style="background: #fff">${SECRET}</span></div>`,
      // A parent's !important does not beat the child's own colour.
      `<div style="color: red !important"><span style="color: transparent">${SECRET}</span></div>`,
      `<div style="\\63 olor: transparent; text-shadow: 0 0 red"><b style="text-shadow: none">${SECRET}</b></div>`,
    ])
      assert.ok(hidden(html), html);
  });

  it('what an element passes down ends with it', () => {
    for (const html of [
      `<div style="--c: transparent"></div><p style="color: var(--c, black)">${SECRET}</p>`,
      `<div style="color: white; background: #333">Dark <span style="font-weight: bold">box</span></div><p style="background: #fff">${SECRET}</p>`,
      `<div style="--accent: #0366d6"><span style="color: var(--accent)">${SECRET}</span></div>`,
      `<div style="color: transparent; text-shadow: 0 0 1px #000"><span style="font-weight: bold">${SECRET}</span></div>`,
      // A gradient heading paints the letters of what it holds: its transparent colour passes down, drawn.
      `<h1 style="background: linear-gradient(90deg, #f06, #48f); -webkit-background-clip: text; color: transparent">Title <span style="font-style: italic">${SECRET}</span></h1>`,
    ])
      assert.ok(!hidden(html), html);
  });

  it('a long custom property above many styled tags is read within a bound, and said once', () => {
    const html = `<div style="--x: ${'a'.repeat(16_000)}">${'<b style="color: red">x</b>'.repeat(20_000)}<b style="color: red">${SECRET}</b></div><p style="color: red">After.</p>`;
    const started = performance.now();
    const findings = scanText(`Intro.\n\n${html}\n`, 'README.md');
    assert.ok(performance.now() - started < 10_000, `${performance.now() - started} ms`);
    // Past what is read again, the document says so once (it fails closed), and each style is judged alone.
    const kinds = findings.map((finding) => finding.kind);
    assert.equal(kinds.filter((kind) => kind === 'DROPPED_MARKDOWN').length, 1, kinds.join());
    assert.ok(!kinds.includes('HIDDEN_HTML'), kinds.join());
  });

  it('a table of cells left open, as HTML allows, does not nest each in the one before (diff19-review F2)', () => {
    const rows = Array.from({ length: 220 }, () => '<tr><td style="color:#333">a<td style="color:#333">b').join('\n');
    assert.ok(!hidden(`<table style="color:#24292e">\n${rows}\n</table><p style="color: #333">${SECRET}</p>`));
  });

  it('what is inherited only adds findings: a style that hides alone is reported whatever the stack says', () => {
    for (const html of [
      `<div style="-webkit-text-fill-color:red">${'<span>'.repeat(70)}</div><b style="color:transparent">${SECRET}</b>`,
      `<p style="-webkit-text-fill-color:red">a<div><b style="color:transparent">${SECRET}</b></div>`,
    ])
      assert.ok(hidden(html), html);
    // A clip over nothing draws nothing in what the element holds either (diff19-review H2).
    assert.ok(
      hidden(
        `<div style="color: transparent; text-shadow: 0 0 1px #000; background-clip: text"><span style="text-shadow: none">${SECRET}</span></div>`,
      ),
    );
  });
});

/** diff19-review: the stack of open elements as a browser's tree builder keeps it, and what else hides text. */
describe('the elements open as a browser keeps them', () => {
  it('end tags a browser ignores, tags it drops or makes void, and ends it implies (H1)', () => {
    for (const html of [
      `<div><span style="--c:transparent"><div></span><i style="color:var(--c)">${SECRET}</i></div></span></div>`,
      `<div><image style="-webkit-text-fill-color:red"><b style="color:transparent">${SECRET}</b></div>`,
      `<div><td style="-webkit-text-fill-color:red"><b style="color:transparent">${SECRET}</b></div>`,
      `<div><basefont style="-webkit-text-fill-color:red"><b style="color:transparent">${SECRET}</b></div>`,
      `a <span style="-webkit-text-fill-color:red">x\n\nb <span style="color:transparent">${SECRET}</span>`,
      `<div><p style="-webkit-text-fill-color:red">a<div><b style="color:transparent">${SECRET}</b></div></div>`,
      `<div style="-webkit-text-fill-color:red">${'<span>'.repeat(64)}a</div><b style="color:transparent">${SECRET}</b>`,
      `<div style="font-size-adjust: 0">\n\n${SECRET}\n\n</div>`,
      `<span style="--m: url(a!b); mask-image: var(--m)">${SECRET}</span>`,
    ])
      assert.ok(hidden(html), html);
  });

  it('a <p> a <div> has closed passes nothing down (F2)', () => {
    assert.ok(
      !hidden(`<p style="color:white;background:#333">Dark note\n<div style="background:#fff">${SECRET}</div>`),
    );
  });
});

/** diff20-review: ends a start tag implies only in scope, paragraphs that reopen formatting, and cost. */
describe('the open elements in scope, as a browser keeps them', () => {
  it('implied ends in scope (R1), formatting reopened and blocks kept past a paragraph (R2), ignored end tags (H1)', () => {
    for (const html of [
      `<ul><li style="--c:transparent"><ul><li><b style="color:var(--c)">${SECRET}</b></li></ul></li></ul>`,
      `<table><tr><td style="--c:transparent"><table><tr><td><b style="color:var(--c)">${SECRET}</b></td></tr></table></td></tr></table>`,
      `<p style="--c:transparent"><button><div><b style="color:var(--c)">${SECRET}</b></div></button></p>`,
      `<p style="--c:transparent"><button></p><b style="color:var(--c)">${SECRET}</b></button>`,
      `<div style="--c:transparent"><table><tr><td></div><b style="color:var(--c)">${SECRET}</b></td></tr></table></div>`,
      `<div><span style="--c:transparent"><dir></span><i style="color:var(--c)">${SECRET}</i></dir></span></div>`,
      `x <b style="--c:transparent">a\n\n<i style="color:var(--c)">${SECRET}</i>`,
      `# T <em style="--c:transparent">a\n\n<span style="color:var(--c)">${SECRET}</span>`,
      `a <div style="--c:transparent">\n\nb <span style="color:var(--c)">${SECRET}</span>`,
      // diff21-review B1, B2: what is opened after a block or in a button stays open; items end in their list.
      `a <div><span style="--c:transparent">x\n\nb <b style="color:var(--c)">${SECRET}</b>`,
      `a <button><span style="--c:transparent">x\n\nb <b style="color:var(--c)">${SECRET}</b>`,
      `<ul><li style="--c:transparent"><blockquote><li><b style="color:var(--c)">${SECRET}</b>`,
      `<dl><dd style="--c:transparent"><section><dd><b style="color:var(--c)">${SECRET}</b>`,
      // A formatting element an end tag closes is opened again at the next text, with its attributes (§13.2.4.3).
      `<div><b style="--c:transparent">x</div><i style="color:var(--c)">${SECRET}</i>`,
      `<p><b style="--c:transparent">x<p><i style="color:var(--c)">${SECRET}</i>`,
      `<span><em style="--c:transparent">x</span><i style="color:var(--c)">${SECRET}</i>`,
    ])
      assert.ok(hidden(html), html);
  });

  it('what is not opened again passes nothing down: other elements, and formatting inside a table cell', () => {
    for (const html of [
      `<div><span style="--c:transparent">x</div><i style="color:var(--c)">${SECRET}</i>`,
      `<table><tr><td><b style="--c:transparent">x</td></tr></table><i style="color:var(--c)">${SECRET}</i>`,
      `<div style="background:#000; color:#fff"><b>x</div><span style="color:#000">${SECRET}</span>`,
    ])
      assert.ok(!hidden(html), html);
  });

  it('a table whose cells are left open ends with </table>, and what holds it with its own end tag (diff21-review F1)', () => {
    const html = `<div align="center" style="font-size:0"><table><tr><td><img><td><img></table></div>\n\nSee <span style="color:#0a7d2c">${SECRET}</span>`;
    assert.ok(!hidden(html));
  });

  it('many table parts outside a table, and many end tags with no start, cost time linear in their number', () => {
    const started = performance.now();
    scanText(`${'<a>'.repeat(30_000)}${'<td>'.repeat(30_000)}`, 'README.md');
    scanText(`${'<a>'.repeat(30_000)}${'</q>'.repeat(30_000)}`, 'README.md');
    assert.ok(performance.now() - started < 5_000, `${performance.now() - started} ms`);
  });

  it('nine formatting elements of as many kinds that one end tag closes are all opened again (diff39-review E12)', () => {
    const nine = '<b style="--c:transparent"><i><em><strong><small><big><tt><code><nobr>';
    assert.ok(hidden(`<div>${nine}</div><span style="color:var(--c)">${SECRET}</span>`));
    assert.ok(!hidden(`<div>${nine}</div><span style="color:var(--c, red)">x</span><p>${SECRET}</p>`));
  });
});
