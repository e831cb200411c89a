import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scanText } from '../../../src/core/content/scan.ts';
import { SECRET, hidesSecret as hidden } from '../../helpers/hiding-styles.ts';

/** Names an object's prototype has: a lookup table indexed by one of them finds a function, not nothing. */
const NAMES = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'];

/**
 * diff36-review P9: `<div style="…"><constructor>` made the scan throw (`HINTS[name]` found Object's constructor),
 * so a README could stop the scan of its whole file. Each name as a tag, a style's property, value and unit, an
 * attribute and a reference, in each kind of file the scan reads: read, and judged as any unknown name is.
 */
describe('names an object prototype has, where a document names things', () => {
  it('scans every one of them as tag, property, value, unit, attribute and reference', () => {
    for (const n of NAMES)
      for (const html of [
        `<${n} style="color:red">x</${n}>`,
        `<div style="background:#fff"><${n} style="color:#fff">${SECRET}</${n}></div>`,
        `<table><${n} style="color:red">x</table>`,
        `<p style="--c:red">x<${n}><span style="color:var(--c)">y</span>`,
        `<div style="${n}: red; color: red; font: ${n}; font-size: 1${n}; outline: ${n} solid red">x</div>`,
        `<div style="color: hsl(1${n} 50% 50%); background: ${n}">x</div>`,
        `<div ${n}="x" style="color:red">&${n};x</div>`,
        `<svg><${n} style="color:red">x</${n}></svg>`,
      ])
        for (const file of ['README.md', 'page.html', '.cursor/rules/a.mdc', 'notes.txt'])
          assert.doesNotThrow(() => scanText(`Intro.\n\n${html}\n`, file), `${file}: ${html}`);
    // Judged as any other unknown element: white on white under one, reported.
    assert.ok(hidden(`<div style="background:#fff"><constructor style="color:#fff">${SECRET}</constructor></div>`));
  });
});
