import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hidingStyle } from '../../../src/core/content/styles.ts';

/**
 * diff15-review P1–P4: see-through text counted as drawn by any text shadow or any `background-clip: text`,
 * a background of `currentcolor`, and VS Code's own editor-background variable. Each hides the text in a
 * preview; the honest spellings beside them (gradient text, a shadowed outline, an inverted badge) do not.
 */
describe('what draws see-through text, and backgrounds of the text colour', () => {
  it('a text shadow draws the letters only in a colour that shows', () => {
    for (const style of [
      'color: transparent; text-shadow: 0 0 transparent',
      'color: transparent; text-shadow: 0 0 0 rgba(0,0,0,0)',
      'color: transparent; text-shadow: 0 0 2px', // currentcolor: the text's own, see-through
      'color: transparent; text-shadow: nonsense', // dropped by a browser
      'color: transparent; text-shadow: 1px 1px transparent, 0 0 2px #0000',
      'color: light-dark(transparent, transparent); text-shadow: 0 0 light-dark(transparent, transparent)',
      // A var() nothing in a preview defines makes the shadow invalid: none (diff17-review M6).
      'color: transparent; text-shadow: 0 0 2px var(--accent)',
    ])
      assert.notEqual(hidingStyle(style), undefined, style);
    for (const style of [
      'color: transparent; text-shadow: 0 0 2px black',
      'color: transparent; text-shadow: 1px 1px transparent, 0 0 1px oklch(40% 0.1 200)',
      'color: transparent; text-shadow: 0 0 2px var(--vscode-editor-foreground)', // VS Code's theme colour
    ])
      assert.equal(hidingStyle(style), undefined, style);
  });

  it('a var() nothing defines makes a paint none, whatever VS Code var() stands beside it', () => {
    // The value is invalid when the browser computes it: no stroke, no background, no shadow.
    const mix = 'color-mix(in srgb, var(--vscode-editor-foreground) 50%, var(--nope))';
    for (const style of [
      `color: transparent; -webkit-text-stroke: 1px ${mix}`,
      `color: transparent; -webkit-text-stroke-width: 1px; -webkit-text-stroke-color: ${mix}`,
      `color: transparent; text-shadow: 0 0 2px ${mix}`,
      `color: transparent; background: ${mix}; background-clip: text`,
      `color: transparent; background-image: linear-gradient(${mix}, ${mix}); background-clip: text`,
    ])
      assert.notEqual(hidingStyle(style), undefined, style);
    const vscode = 'color-mix(in srgb, var(--vscode-editor-foreground) 50%, var(--vscode-textLink-foreground))';
    for (const style of [
      `color: transparent; -webkit-text-stroke: 1px ${vscode}`,
      `color: transparent; text-shadow: 0 0 2px ${vscode}`,
      `color: transparent; background: ${vscode}; background-clip: text`,
      `color: transparent; background-image: linear-gradient(${vscode}, ${vscode}); background-clip: text`,
    ])
      assert.equal(hidingStyle(style), undefined, style);
  });

  it('many clips over many backgrounds are read once: time linear in the style', () => {
    const style = `color: transparent;${'background-clip:text;'.repeat(20_000)}${'background: linear-gradient(transparent, #0000);'.repeat(5_000)}`;
    const started = performance.now();
    assert.notEqual(hidingStyle(style), undefined);
    assert.ok(performance.now() - started < 5_000, `${performance.now() - started} ms`);
  });

  it('background-clip: text draws the letters only with a background that paints', () => {
    for (const style of [
      'color: transparent; -webkit-background-clip: text',
      'color: transparent; background: transparent; background-clip: text',
      'color: transparent; background: linear-gradient(transparent, #0000); background-clip: text',
      'color: transparent; background: light-dark(transparent, transparent); background-clip: text',
      'background: var(--brand); background-clip: text; color: transparent', // defined by nothing: no background
    ])
      assert.notEqual(hidingStyle(style), undefined, style);
    for (const style of [
      'background: linear-gradient(red, blue); -webkit-background-clip: text; color: transparent',
      'background-image: url(stripes.png); background-clip: text; color: transparent',
      'background: var(--vscode-textLink-foreground); background-clip: text; color: transparent',
    ])
      assert.equal(hidingStyle(style), undefined, style);
  });

  it('a background of currentcolor is the text colour, whatever that is', () => {
    for (const style of [
      'color: white; background: currentcolor',
      'color: light-dark(#000, #fff); background-color: currentColor',
      'background: currentcolor', // the inherited colour, on itself
    ])
      assert.notEqual(hidingStyle(style), undefined, style);
    // The fill colour is what the letters are painted in, not `color`.
    assert.equal(hidingStyle('color: black; -webkit-text-fill-color: white; background: currentcolor'), undefined);
    assert.equal(hidingStyle('color: white; border: 1px solid currentcolor; background: #333'), undefined);
  });

  it("VS Code's editor background as the text colour, on no background of the style's own", () => {
    for (const style of [
      'color: var(--vscode-editor-background)',
      'color: var(--vscode-editor-background, black)',
      'COLOR: VAR( --vscode-editor-background )',
      'color: var(--vscode-editor-background); background: var(--vscode-editor-background, white)',
    ])
      assert.notEqual(hidingStyle(style), undefined, style);
    // An inverted badge, and a property the style sets itself.
    assert.equal(
      hidingStyle('color: var(--vscode-editor-background); background: var(--vscode-editor-foreground)'),
      undefined,
    );
    assert.equal(hidingStyle('--vscode-editor-background: red; color: var(--vscode-editor-background)'), undefined);
  });
  it('only what a browser applies draws the letters: the last valid declaration, near the text (diff16-review B1, B2)', () => {
    for (const style of [
      'color: transparent; text-shadow: red',
      'color: transparent; text-shadow: 1px red',
      'color: transparent; text-shadow: 1px 1px 1px 1px red',
      'color: transparent; text-shadow: 0 0 red, nonsense',
      'color: transparent; text-shadow: 0 0 red; text-shadow: none',
      'color: transparent; text-shadow: none !important; text-shadow: 0 0 red',
      'color: transparent; background: linear-gradient(red, red); background-clip: textual',
      'color: transparent; background: linear-gradient(red,red); background-clip: text; background-clip: border-box',
      'color: transparent; background-clip: text; background: linear-gradient(red, red)',
      'color: transparent; background-clip: text; background-image: linear-gradient(red,red); background-image: none',
      'color: transparent; background-clip: text; background-image: linear-gradient(red,red); background-size: 0 0',
      'color: transparent; text-shadow: 100000px 0 red',
      'color: transparent; text-shadow: 0 0 1000px red',
    ])
      assert.notEqual(hidingStyle(style), undefined, style);
    for (const style of [
      'color: transparent; text-shadow: 0 0 red !important; text-shadow: none',
      'color: transparent; background: linear-gradient(red, red) text',
      'background: linear-gradient(90deg, rgba(255,0,0,.6), rgba(0,0,255,.6)); -webkit-background-clip: text; -webkit-text-fill-color: transparent',
      'background-image: linear-gradient(90deg, hsl(0 100% 50% / 80%), hsl(240 100% 50% / 80%)); background-clip: text; color: transparent',
      'color: transparent; -webkit-text-stroke: 1px black',
      '-webkit-text-fill-color: transparent; -webkit-text-stroke: 1px #333',
      'color: #333; -webkit-text-fill-color: transparent; text-shadow: 0 0 1px',
      'color: #333; -webkit-text-fill-color: transparent; text-shadow: 0 0 0 currentcolor',
    ])
      assert.equal(hidingStyle(style), undefined, style);
  });

  it('currentcolor backgrounds however the fill and the gradients are written (diff16-review B3)', () => {
    for (const style of [
      'background: currentcolor; -webkit-text-fill-color: currentcolor',
      'background: currentcolor; -webkit-text-fill-color: initial',
      'background: currentcolor; -webkit-text-fill-color: bogus',
      'color: red; background: currentcolor; -webkit-text-fill-color: red',
      'color: red; background: linear-gradient(currentcolor, currentcolor)',
      'background-image: linear-gradient(currentColor 0 0)',
      'background: currentcolor; text-shadow: red',
    ])
      assert.notEqual(hidingStyle(style), undefined, style);
  });

  it('a long colour in many currentcolor places is not written out: it stays, and hides', () => {
    const colour = `color-mix(in srgb, ${'red'.padEnd(200, ' ')} 50%, blue)`;
    const style = `color: ${colour}; ${`background: ${'currentcolor '.repeat(1_300)};`.repeat(50)}`;
    const started = performance.now();
    assert.match(hidingStyle(style) ?? '', /^background:currentcolor/);
    assert.ok(performance.now() - started < 3_000, `${performance.now() - started} ms`);
  });

  it("VS Code's editor background however the value names it, over no background that paints (diff16-review B4)", () => {
    for (const style of [
      'color: light-dark(var(--vscode-editor-background), var(--vscode-editor-background))',
      'color: rgb(from var(--vscode-editor-background) r g b)',
      'color: color-mix(in srgb, var(--vscode-editor-background) 100%, red 0%)',
      '--x: var(--vscode-editor-background); color: var(--x)',
      'color: var(--nope, var(--vscode-editor-background))',
      'color: var(--vscode-editor-background); background: transparent',
      'color: var(--vscode-editor-background); background-image: none',
      'color: var(--vscode-editor-background); background: red; background: none',
    ])
      assert.notEqual(hidingStyle(style), undefined, style);
    assert.equal(hidingStyle('color: var(--vscode-editor-background); background: #333'), undefined);
  });
});
