import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { covers } from '../../helpers/hiding-styles.ts';

/**
 * diff40-review: what the open elements now say is hidden, against Chromium (pixels, /work/notes/diff40-review).
 * Markdown's inline elements are HTML's to the browser; a report ends where its element is closed.
 */
const M = 'SECRETWORD';
const doc = (body: string) => `# Tool\n\nSay hi.\n\n${body}\n\nMore text.\n`;
const reported = (md: string) => covers(md, M);

describe('hidden content with Markdown between the tags (diff40-review)', () => {
  it("Markdown's emphasis, links, code, breaks and images end and leave what HTML opened (F1-F3)", () => {
    for (const md of [
      doc(`*<span hidden>x* ${M} after`),
      doc(`**<span hidden>x** ${M} after`),
      doc(`[<span hidden>x](https://example.com) ${M} after`),
      doc(`[<progress value="1" max="2">50%](https://example.com) ${M} after`),
      `# Tool\n\n<a title="t" hidden>secret\n\n[link](https://example.com) ${M} tail\n`,
      `# Tool\n\n<a name="top" hidden>\n\n## Install\n\nSee [docs](https://example.com) ${M} here.\n`,
      doc(`Logo <svg width="20" height="20"> then *${M}* text`),
      doc(`Logo <svg width="20" height="20"> then \`${M}\` text`),
      doc(`Logo <svg width="20" height="20"> then **bold** ${M} text`),
      doc(`Logo <svg width="20" height="20">  \n${M} text`),
      doc(`Logo <svg width="20" height="20"> ![x](a.png) ${M} after`),
      doc(`Formula <math><mi>x</mi> *${M}* text`),
    ])
      assert.ok(!reported(md), md);
    // A link is no breakout: its text stays in the SVG, undrawn.
    assert.ok(reported(doc(`Logo <svg width="20" height="20"> and [${M} docs](https://example.com) here`)));
  });

  it('an end tag found deep down closes its hidden element; a self-closed SVG element opens nothing (F4, F7)', () => {
    for (const md of [
      doc(`<div hidden>${'<span>'.repeat(70)}x</div>\n\n${M} after`),
      doc(`<svg width="300" height="40"><g display="none"><g/></g><text x="0" y="20">${M} label</text></svg>`),
      doc(`<svg width="300" height="40"><defs><defs/></defs><text x="0" y="20">${M} label</text></svg>`),
      doc(`<svg width="300" height="40"><g><g opacity="0"/><text x="0" y="20">${M} label</text></g></svg>`),
    ])
      assert.ok(!reported(md), md);
  });

  it("HTML's hidden and popover do nothing on SVG and MathML, nor against the author's display (F5)", () => {
    for (const md of [
      doc(`<svg width="300" height="30"><text x="0" y="20" hidden>${M} label</text></svg>`),
      doc(`<svg width="300" height="30"><text x="0" y="20" popover>${M} label</text></svg>`),
      doc(`<math><mi hidden>${M}</mi></math>`),
      doc(`<div popover style="display:block">${M} visible</div>`),
    ])
      assert.ok(!reported(md), md);
  });

  it('CSS: a number is no length, a logical pair moves by its start, transforms that undo each other (F8, F10, F11)', () => {
    for (const style of [
      'font-size: calc(5 - 5)',
      'font-size: min(0, 1)',
      'margin-block: 0 -2000px',
      'margin-inline: 0 -2000px',
      'position:relative;inset-block: 0 -2000px',
      'inset-inline-start: -2000px',
      'transform: translateX(-2000px) translateX(2000px)',
      'transform: scale(0.01) scale(100)',
      'transform: rotateX(90deg) rotateX(90deg)',
      'transform: translateZ(200px) perspective(100px)',
      'opacity: calc(1 - 1 + 1)',
    ])
      assert.ok(!reported(doc(`<div style="${style}">${M} visible</div>`)), style);
    assert.ok(reported(doc(`<div style="transform: rotateX(45deg) rotateX(45deg)">${M} x</div>`)));
  });

  it("SVG's transform attribute, text in a <g> in a <text>, and text right in MathML's rows (E4, E5)", () => {
    for (const md of [
      doc(`<svg width="300" height="30"><text x="0" y="20" transform="scale(0)">${M} x</text></svg>`),
      doc(`<svg width="300" height="30"><text x="0" y="20"><g>${M} x</g></text></svg>`),
      doc(`<math><mrow>${M} x</mrow></math>`),
      doc(`<math><mfrac>${M} x<mi>a</mi><mi>b</mi></mfrac></math>`),
    ])
      assert.ok(reported(md), md);
  });

  it("an author's display beats hidden and popover only where it is valid; rp's parentheses; rotate3d (diff41-review)", () => {
    for (const md of [
      doc(`<div popover style="display:blok">${M} x</div>`),
      doc(`<span hidden style="display:inline-blok">${M} x</span>`),
      doc(`<div hidden style="display:">${M} x</div>`),
      doc(`<div hidden style="display:revert-layer">${M} x</div>`),
      doc(`<div hidden="until-found" style="display:block">${M} x</div>`),
      doc(`<div style="transform:rotate3d(0,1,0,90deg)">${M} x</div>`),
      doc(`<div style="rotate:y 90deg">${M} x</div>`),
    ])
      assert.ok(reported(md), md);
    for (const md of [
      doc(`<div hidden style="display:inline flow-root">${M} x</div>`),
      doc(`<div hidden style="display:unset">${M} x</div>`),
      `<ruby>漢<rp>(<rt>kan<rp>)</ruby> ${M}\n`,
      doc(`<div style="rotate:z 90deg">${M} x</div>`),
    ])
      assert.ok(!reported(md), md);
  });
});
