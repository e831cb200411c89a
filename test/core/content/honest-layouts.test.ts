import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scanText } from '../../../src/core/content/scan.ts';
import { SECRET, hidesSecret as hidden } from '../../helpers/hiding-styles.ts';

/** Whether a document with this HTML reports the text VISIBLE as hidden. */
const reported = (html: string) =>
  scanText(`Intro.\n\n${html}\n`, 'README.md').some(
    (finding) => finding.kind === 'HIDDEN_HTML' && JSON.stringify(finding).includes('VISIBLE'),
  );

/**
 * Honest README HTML that the layout rules reported (diff28-review, /work/notes/diff28-review): each shows VISIBLE
 * in Chromium on a dark and a light page. A cell is under its own columns only; a float stays in a parent that
 * holds its floats; a move across under 100px, a small turn or scale about the box's centre, and a move up or down
 * of at most 12px (0.75em) keep the text on its parent's background.
 */
describe('honest layouts around a text', () => {
  it('are not reported', () => {
    const cases: Record<string, string> = {
      'c10-pricing-colgroup': `<table>
<colgroup><col><col style="background-color:#f6f8fa"><col style="background-color:#0366d6"></colgroup>
<tr><th>Feature</th><th>Free</th><th style="color:#ffffff">Pro</th></tr>
<tr><td>Seats</td><td>1</td><td style="color:#ffffff">VISIBLE unlimited</td></tr>
</table>`,
      'c11-compare-font-color': `<table>
<colgroup><col style="background:#ffffff"><col style="background:#24292e"></colgroup>
<tr><td>Ours</td><td><font color="#ffffff">VISIBLE yes</font></td></tr>
<tr><td>Theirs</td><td><font color="#ffffff">no</font></td></tr>
</table>`,
      'c12-col-span-green': `<table>
<colgroup><col span="2" style="background:#ffffff"><col style="background:#2ea44f"></colgroup>
<tr><th style="color:#24292e">Plan</th><th style="color:#24292e">Basic</th><th style="color:#ffffff">Team</th></tr>
<tr><td style="color:#24292e">CI minutes</td><td style="color:#24292e">2,000</td><td style="color:#ffffff">VISIBLE 3,000</td></tr>
</table>`,
      'c13-col-dark-text-light-col': `<table>
<colgroup><col style="background:#24292e"><col style="background:#f6f8fa"></colgroup>
<tr><td style="color:#ffffff">Option</td><td style="color:#24292e">VISIBLE description</td></tr>
</table>`,
      'c19-float-version-dark-header': `<div style="background:#ffffff;border:1px solid #e1e4e8;color:#24292e"><div style="background:#24292e;color:#ffffff;padding:12px;overflow:hidden"><span style="float:right;color:#ffffff">v2.0 VISIBLE</span><b>my-extension</b></div><p style="padding:0 12px">Details.</p></div>`,
      'c20-float-status-vscode': `<div style="background:#f6f8fa;padding:8px"><div style="background:#1e1e1e;color:#d4d4d4;padding:12px;overflow:hidden"><span style="float:right;color:#f6f8fa">VISIBLE stable</span>Status</div></div>`,
      'c21-float-avatar-caption': `<div style="background:#ffffff;padding:16px;color:#24292e"><div style="background:#24292e;color:#ffffff;padding:16px;overflow:hidden"><div style="float:left;margin-right:12px;color:#ffffff">👤 VISIBLE maintainer</div>Reviews PRs weekly.</div></div>`,
      'c22-float-two-columns-in-dark-section': `<div style="background:#24292e;padding:24px"><div style="background:#f6f8fa;padding:12px;overflow:hidden;color:#24292e"><div style="float:left;width:48%;color:#24292e">VISIBLE left column</div><div style="float:right;width:48%;color:#24292e">right column</div></div></div>`,
      'c25-sup-top-075em-dark-in-light': `<div style="background:#ffffff;padding:12px;color:#24292e"><div style="background:#24292e;color:#ffffff;padding:12px">Benchmarks<sup style="position:relative;top:-0.75em;color:#ffffff">VISIBLE 1</sup></div></div>`,
      'c27-rotate-sticker-in-dark-in-light': `<div style="background:#ffffff;padding:16px"><div style="background:#24292e;color:#ffffff;padding:16px"><span style="display:inline-block;transform:rotate(-3deg);color:#ffffff;font-weight:bold">VISIBLE new!</span> Version 3 is out.</div></div>`,
      'c46-ul-negative-indent-dark-in-light': `<div style="background:#ffffff;padding:8px"><div style="background:#1e1e1e;color:#ffffff;padding:16px"><ul style="margin-left:-20px;color:#ffffff"><li>VISIBLE item</li><li>second</li></ul></div></div>`,
      'c47-relative-indent-dark-in-light': `<div style="background:#ffffff;padding:8px"><div style="background:#24292e;color:#ffffff;padding:16px"><p style="position:relative;left:16px;color:#ffffff;margin:0">↳ VISIBLE sub-step</p></div></div>`,
      'c51-rotate-heading-in-light': `<div style="background:#ffffff;padding:16px"><div style="background:#0366d6;padding:40px;text-align:center"><h1 style="color:#ffffff;transform:rotate(-2deg)">VISIBLE Launch</h1></div></div>`,
      'c52-scale-heading-in-light': `<div style="background:#f6f8fa;padding:16px"><div style="background:#24292e;padding:24px"><h2 style="color:#f6f8fa;transform:scale(1.05);margin:0">VISIBLE scaled</h2></div></div>`,
      'c64-col-bgcolor-attr': `<table>
<col bgcolor="#f6f8fa"><col bgcolor="#24292e">
<tr><td><font color="#24292e">key</font></td><td><font color="#ffffff">VISIBLE value</font></td></tr>
</table>`,
      'c67-float-note-in-dark-card': `<div style="background:#ffffff;padding:8px"><div style="background:#24292e;color:#e1e4e8;padding:16px;overflow:hidden"><div style="float:right;width:160px;border-left:2px solid #0366d6;padding-left:8px;color:#ffffff">VISIBLE aside</div>Main text.</div></div>`,
    };
    for (const [name, html] of Object.entries(cases)) assert.ok(!reported(html), `${name}: ${html}`);
  });

  it('while hidden text in the same shapes still is', () => {
    const pricing = (cell: string) =>
      `<table><colgroup><col><col style="background-color:#ffffff"><col style="background-color:#0366d6"></colgroup><tr><td>a</td>${cell}</tr></table>`;
    for (const html of [
      // The white column's own cell; and after a rowspan, which column a cell is in is not followed.
      pricing(`<td><font color="#ffffff">${SECRET}</font></td><td>c</td>`),
      `<table><col bgcolor="#0366d6"><col bgcolor="#ffffff"><tr><td rowspan="2">a</td><td>b</td></tr><tr><td><font color="#ffffff">${SECRET}</font></td></tr></table>`,
      // A float out of a parent that does not hold it; a turn about an origin above; a move up past 12px.
      `<div style="background:#fff;padding:40px"><div style="background:#000"><div style="float:left;color:#fff">${SECRET}</div></div></div>`,
      `<div style="background:#fff;padding:60px 20px"><div style="background:#000"><div style="width:fit-content;transform:rotate(180deg);transform-origin:50% -8px;color:#fff">${SECRET}</div></div></div>`,
      `<div style="background:#fff;padding:40px"><div style="background:#000"><span style="position:relative;top:-13px;color:#fff">${SECRET}</span></div></div>`,
    ])
      assert.ok(hidden(html), html);
    const started = performance.now();
    scanText(
      `<table>${'<col span=1000 bgcolor=#fff>'.repeat(1000)}<tr>${'<td style="color:#fff">x'.repeat(30_000)}</table>`,
      'README.md',
    );
    assert.ok(performance.now() - started < 10_000, `${Math.round(performance.now() - started)} ms`);
  });
});
