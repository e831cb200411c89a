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
    ])
      assert.notEqual(hidingStyle(style), undefined, style);
    for (const style of [
      'color: transparent; text-shadow: 0 0 2px black',
      'color: transparent; text-shadow: 1px 1px transparent, 0 0 1px oklch(40% 0.1 200)',
      'color: transparent; text-shadow: 0 0 2px var(--accent)', // set outside the style: not known here
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
    ])
      assert.notEqual(hidingStyle(style), undefined, style);
    for (const style of [
      'background: linear-gradient(red, blue); -webkit-background-clip: text; color: transparent',
      'background-image: url(stripes.png); background-clip: text; color: transparent',
      'background: var(--brand); background-clip: text; color: transparent',
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
});
