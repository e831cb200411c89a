import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { colourOf } from '../../../src/core/content/colours.ts';
import { hidingStyle } from '../../../src/core/content/styles.ts';

/**
 * diff11-review K5: the `color` library reads names, hex, rgb(), hsl() and hwb(), and white text on a white
 * background passed when either was spelt in CSS Color 4 or 5. K4: a gradient of such colours was taken for
 * one that may not paint, and readable text over it, with a white fallback, was reported hidden.
 */
const rgbOf = (value: string) => {
  const colour = colourOf(value);
  return colour && colour.rgb().array().slice(0, 3).map(Math.round);
};
const near = (value: string, expected: number[]) => {
  const got = rgbOf(value);
  assert.ok(got, `${value} is read`);
  assert.ok(
    got.every((c, i) => Math.abs(c - expected[i]!) <= 2),
    `${value}: ${got.join(',')} against ${expected.join(',')}`,
  );
};

describe('CSS Color 4 and 5, as sRGB', () => {
  it('reads each space at its white, its black and the sRGB primaries (CSS Color 4 sample values)', () => {
    for (const white of [
      'oklch(100% 0 0)',
      'oklch(1 0 none)',
      'oklab(1 0 0)',
      'lab(100 0 0)',
      'lch(100% 0 0deg)',
      'color(srgb 1 1 1)',
      'color(srgb 100% 100% 100%)',
      'color(display-p3 1 1 1)',
      'color(srgb-linear 1 1 1)',
      'color(xyz-d65 0.9505 1 1.089)',
      'color(xyz-d50 0.9642 1 0.8252)',
    ])
      near(white, [255, 255, 255]);
    for (const black of ['oklch(0% 0 0)', 'lab(0 0 0)', 'color(srgb 0 0 0)']) near(black, [0, 0, 0]);
    near('oklch(62.8% 0.2577 29.23)', [255, 0, 0]);
    near('oklch(0.628 0.2577 0.5102rad)', [255, 0, 0]);
    near('oklab(0.628 0.2249 0.1258)', [255, 0, 0]);
    near('lab(54.29 80.8 69.89)', [255, 0, 0]);
    near('lch(54.29 106.84 40.85)', [255, 0, 0]);
    near('oklch(86.6% 0.295 142.5)', [0, 255, 0]);
    near('lab(29.57 68.3 -112.03)', [0, 0, 255]);
    near('color(srgb 0.5 0.5 0.5)', [128, 128, 128]);
    near('color(srgb-linear 0.2158605 0.2158605 0.2158605)', [128, 128, 128]);
    near('color(display-p3 1 0 0)', [255, 0, 0]); // outside sRGB: clipped
    // What the library leaves of hsl(): a hue in turn, rad or grad.
    near('hsl(0.5turn 50% 50%)', [64, 191, 191]);
    near('hsl(3.14159rad 0% 100%)', [255, 255, 255]);
    assert.equal(hidingStyle('color: hsl(0.5turn 50% 50%); background: #888'), undefined);
    assert.equal(colourOf('oklch(100% 0 0 / 0.5)')?.alpha(), 0.5);
  });

  it('mixes with color-mix() and reads light-dark() where both are one colour', () => {
    near('color-mix(in srgb, white, #fff)', [255, 255, 255]);
    near('color-mix(in oklch, white 30%, oklch(100% 0 0))', [255, 255, 255]);
    near('color-mix(in srgb, red 50%, blue)', [128, 0, 128]);
    near('color-mix(in srgb, red, blue 25%)', [191, 0, 64]);
    near('light-dark(white, oklch(1 0 0))', [255, 255, 255]);
    assert.equal(rgbOf('light-dark(white, black)'), undefined);
  });

  it('reads nothing else, and nothing nested past its depth', () => {
    for (const value of [
      'oklch(1 2)',
      'oklch(a b c)',
      'lab(1 2 3 4)',
      'color(rec9999 1 1 1)',
      'color-mix(srgb, white, white)',
      'color-mix(in srgb, white, var(--x))',
      `${'color-mix(in srgb, white, '.repeat(2_000)}white${')'.repeat(2_000)}`,
      'var(--white)',
    ])
      assert.equal(rgbOf(value), undefined, value);
  });
});

describe('the hidden-content check, in these spellings', () => {
  for (const style of [
    'color: oklch(100% 0 0); background: white',
    'color: white; background: color(srgb 1 1 1)',
    'color: #fff; background: color-mix(in srgb, #fff, #fff)',
    'color: lab(100 0 0); background: light-dark(#fff, #fff)',
    'color: white; background: linear-gradient(to right, oklch(1 0 0), oklch(100% 0 0))',
  ])
    it(`hides: ${style}`, () => assert.notEqual(hidingStyle(style), undefined));

  it('reads custom properties the style sets, by their case-sensitive names, and their fallbacks', () => {
    assert.notEqual(hidingStyle('--bg: #fff; color: white; background: var(--bg)'), undefined);
    assert.notEqual(hidingStyle('--BG: white; --bg: black; color: white; background: var(--BG)'), undefined);
    assert.equal(hidingStyle('--BG: black; --bg: white; color: white; background: var(--BG)'), undefined);
    assert.notEqual(hidingStyle('color: var(--fg, oklch(1 0 0)); background: white'), undefined);
    assert.notEqual(hidingStyle('--a: var(--b); --b: #fff; color: white; background: var(--a)'), undefined);
    assert.equal(hidingStyle('--a: var(--a); color: white; background: var(--a)'), undefined);
  });

  it('resolves them as CSS does: !important, cycles and invalid values take the fallback (diff14-review V1)', () => {
    for (const style of [
      '--bg: white !important; --bg: black; color: white; background: var(--bg)',
      '--a: var(--b); --b: var(--a); color: white; background: var(--a, white)',
      '--a: var(--a); color: white; background: var(--a, white)',
      '--x: var(--nope); color: white; background: var(--x, white)',
      '--x: initial; color: white; background: var(--x, white)',
    ])
      assert.notEqual(hidingStyle(style), undefined, style);
  });

  it('what custom properties add is bounded for the whole style, not each value (diff14-review T1)', () => {
    const big = 'a '.repeat(8_000);
    const style = `--a:${big};${'b:var(--a);'.repeat(80_000)} color: white`;
    const started = performance.now();
    assert.notEqual(hidingStyle(style), undefined);
    assert.ok(performance.now() - started < 2_000, `${performance.now() - started} ms`);
  });

  it('custom properties that grow a value past what is read count as hiding, at once', () => {
    const level = (name: string, next: string) => `--${name}: ${`var(--${next}) `.repeat(100)};`;
    const style = `${level('a', 'b')}${level('b', 'c')}${level('c', 'd')}--d: white; color: black; background: var(--a)`;
    const started = performance.now();
    assert.notEqual(hidingStyle(style), undefined);
    assert.ok(performance.now() - started < 1_000);
  });

  it('see-through text, however its colour is written, shows nothing (diff14-review C1)', () => {
    for (const style of [
      'color: color-mix(in srgb, black 1%, transparent)',
      'color: color-mix(in srgb, transparent, transparent)',
      'color: light-dark(transparent, transparent)',
      'color: oklch(0 0 0 / calc(0))',
    ])
      assert.notEqual(hidingStyle(style), undefined, style);
    // Mixed premultiplied, as CSS mixes: white with transparent is white, half see-through.
    assert.deepEqual(rgbOf('color-mix(in srgb, white, transparent)'), [255, 255, 255]);
    assert.equal(colourOf('color-mix(in srgb, white, transparent)')?.alpha(), 0.5);
  });

  it('a colour function it does not read, on either side, counts as hiding (diff14-review C2, C3)', () => {
    for (const colour of [
      'oklch(from white l c h)',
      'rgb(from white r g b)',
      'oklch(calc(100%) 0 0)',
      'color(rec2020 1 1 1)',
      'color-mix(in srgb, 50% white, white)',
      'light-dark(white, #fefefe)',
    ]) {
      assert.notEqual(hidingStyle(`color: ${colour}; background: white`), undefined, colour);
      assert.notEqual(hidingStyle(`color: white; background: ${colour}`), undefined, colour);
    }
    assert.notEqual(hidingStyle('color: white; background: oklch(100%/**/0/**/0)'), undefined);
    // One that names a property set outside the style is not known either way: not reported.
    assert.equal(hidingStyle('color: rgb(var(--brand)); background: white'), undefined);
  });

  it('light-dark(): either scheme may hide the text; text that reads in both is not reported', () => {
    assert.notEqual(hidingStyle('color: light-dark(white, black); background: white'), undefined);
    assert.notEqual(hidingStyle('color: light-dark(black, #fefefe); background: white'), undefined);
    assert.equal(hidingStyle('color: light-dark(#000, #333); background: white'), undefined);
    // A background that differs by scheme: each is a way it paints.
    assert.notEqual(hidingStyle('color: white; background: light-dark(white, black)'), undefined);
    assert.equal(hidingStyle('color: #888; background: light-dark(white, black)'), undefined);
  });

  it('light-dark(): text and background that both change are compared scheme by scheme', () => {
    // The honest dark-mode pair: black on white in the light scheme, white on black in the dark one.
    assert.equal(hidingStyle('color: light-dark(#000, #fff); background: light-dark(#fff, #000)'), undefined);
    assert.equal(
      hidingStyle('--fg: light-dark(#000, #fff); color: var(--fg); background: light-dark(white, black)'),
      undefined,
    );
    // The same colours in each scheme hide in both; in one scheme, the message says which.
    assert.match(
      hidingStyle('color: light-dark(#000, #fff); background: light-dark(#000, #fff)') ?? '',
      /light colour scheme/,
    );
    assert.match(
      hidingStyle('color: light-dark(#000, #000); background: light-dark(#fff, #000)') ?? '',
      /^color:light-dark\(#000, #000\) \(in the dark colour scheme\)$/,
    );
    // Nested, inside another function, and in a gradient's stops: each read as its scheme takes it.
    assert.notEqual(hidingStyle('color: light-dark(light-dark(#fff, red), red); background: #fff'), undefined);
    assert.notEqual(
      hidingStyle('color: color-mix(in srgb, light-dark(#fff, #000) 100%, red 0%); background: #fff'),
      undefined,
    );
    assert.notEqual(
      hidingStyle('color: #000; background: linear-gradient(light-dark(#fff, #000), light-dark(#fff, #000))'),
      undefined,
    );
    assert.equal(
      hidingStyle(
        'color: light-dark(#000, #fff); background: linear-gradient(light-dark(#fff, #000), light-dark(#eee, #111))',
      ),
      undefined,
    );
    // Not two arguments, or left open: not read, so it counts as hiding (as a colour not read does).
    for (const style of ['color: light-dark(#fff); background: #000', 'color: light-dark(#000, #fff; background: #fff'])
      assert.notEqual(hidingStyle(style), undefined, style);
    // A name that ends in light-dark is not the function.
    assert.equal(hidingStyle('color: #000; background: #fff; --x: my-light-dark(#000, #fff)'), undefined);
  });

  it('light-dark() nested or repeated many times is read in time linear in the style', () => {
    const nested = `color: ${'light-dark('.repeat(50_000)}#fff${', #000)'.repeat(50_000)}; background: #fff`;
    const repeated = `color: #000; background: #fff; ${'border-color: light-dark(#000, #fff);'.repeat(20_000)}`;
    const open = `color: ${'light-dark('.repeat(200_000)}; background: #fff`;
    for (const style of [nested, repeated, open]) {
      const started = performance.now();
      hidingStyle(style);
      assert.ok(performance.now() - started < 3_000, `${performance.now() - started} ms`);
    }
    assert.notEqual(hidingStyle(nested), undefined, 'nested past what is read: not read, so hiding');
    assert.equal(hidingStyle(repeated), undefined);
  });

  it('readable white text on a dark oklch() gradient over a white fallback is not hidden (K4)', () => {
    assert.equal(
      hidingStyle('color:white;background:linear-gradient(to right, oklch(40% 0.2 260), oklch(50% 0.2 300)) #fff'),
      undefined,
    );
  });
});
