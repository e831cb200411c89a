import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hidingStyle } from '../../../src/core/content/styles.ts';

/**
 * diff9-review F5: white text over a background that paints only white passed when the background also
 * named a colour it does not paint — a stop past a position in em or vw, a colour under a covering image,
 * a top layer of no size — since text counted as hidden only when no colour named could be told from it.
 */
const hidden = (style: string) => hidingStyle(style) !== undefined;

describe('white text, over a background that paints only white', () => {
  for (const background of [
    'linear-gradient(#fff 0 100em, #000 0)',
    'linear-gradient(#fff 0 3em, #000 0)',
    'linear-gradient(#fff 0 100px, #000 0)',
    'linear-gradient(#fff 0 100in, #000 0)',
    'linear-gradient(#fff 0 1000vw, #000 0)',
    'linear-gradient(#fff 0 calc(100% + 1px), #000 0)',
    'linear-gradient(#fff 0 max(100%, 1px), #000 0)',
    'conic-gradient(#fff 0 360deg, #000 0)',
    'conic-gradient(#fff 0 1turn, #000 0)',
    'conic-gradient(#fff 0 400grad, #000 0)',
    'linear-gradient(#000 -1em, #fff 0)',
    'linear-gradient(#000 -1px, #fff 0)',
    '#000 linear-gradient(#fff,#fff)',
    'linear-gradient(#fff,#fff) #000',
    'linear-gradient(#000,#000) 0 0/0 0 no-repeat, white',
    'linear-gradient(#000,#000) 0 0/1px 1px no-repeat, white',
    'linear-gradient(#000,#000) -9999px 0/10px 10px no-repeat, white',
    'url(a.png) center/10px no-repeat, #fff',
    // diff10-review C1: a gradient's direction, shape or angle is no stop.
    'linear-gradient(to right, #fff, #fff)',
    'linear-gradient(to bottom, white 0%, white 100%)',
    'linear-gradient(45deg, #fff, #fff)',
    'radial-gradient(circle at center, #fff, #fff)',
    'radial-gradient(ellipse farthest-corner, #fff, #fff)',
    'conic-gradient(from 90deg, #fff, #fff)',
    // diff10-review C2: an image of unknown or see-through colours shows the colour under it.
    'url(x.png) #fff',
    'url(data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7) #fff',
    'url(x.png), #fff',
    'linear-gradient(transparent,transparent) #fff',
    'linear-gradient(transparent,transparent), #ffffff',
    '#fff url(x.png) repeat',
    // diff11-review K2: a size written as a function; K5: a prefixed gradient, its old direction words.
    'radial-gradient(calc(1px) calc(1px), #fff, #fff)',
    'radial-gradient(var(--s) var(--s), #fff, #fff)',
    'radial-gradient(clamp(1px,2px,3px) 5px, white, white)',
    '-webkit-linear-gradient(left, #fff, #fff)',
    // K3: see-through stops past what is read, over white.
    `linear-gradient(${Array(64).fill('transparent').join(',')}) #fff`,
  ])
    it(background, () => assert.ok(hidden(`color:white;background:${background}`)));
});

describe('white text it can be read over', () => {
  for (const background of [
    '#000',
    'linear-gradient(#000 0 50%, #fff 50%)',
    'linear-gradient(#fff, #000)',
    // The fade from white runs into a black stop of no width: white text shows over the dark end (F8).
    'linear-gradient(#fff 0%, #000 50% 50%, #fff 50%)',
    'url(a.png) center/cover no-repeat, #000',
    '#000 url(a.png)',
    'linear-gradient(#000,#000) 0 0/1px 1px no-repeat, #000',
    'conic-gradient(#fff 0 180deg, #000 0)',
  ])
    it(background, () => assert.ok(!hidden(`color:white;background:${background}`)));
});

describe('the declarations of a style, as CSS reads them', () => {
  it("a string left open ends at a line break: what follows the next ';' applies", () => {
    assert.ok(hidden("x:'\n;color:white;background:#fff"));
  });
  it('an escaped quote or parenthesis is a letter: what follows it still applies (diff11-review K1)', () => {
    for (const first of ['font-family:\\27 ', 'font-family:\\28 ', 'font-family:a\\(', "font-family:a\\'b"])
      assert.ok(hidden(`${first}; color:white; background:white`), first);
  });
  it('a comment opener in a string is no comment', () => {
    assert.ok(hidden("content:'/*'; color:white; background:white"));
  });
  it("a ';' in parentheses or a closed string ends no declaration", () => {
    assert.equal(hidingStyle("content:'a;color:white';background:#fff"), undefined);
    assert.equal(hidingStyle('x:(;color:white;background:#fff'), undefined);
  });
});
