/**
 * CSS as styles.ts reads it: a style's declarations, colours through the `color` library (names, hex, rgb(),
 * hsl(), hwb()), the ways a background may paint behind text (a gradient's stops, its layers), and values
 * split outside parentheses in one pass.
 */
import * as colorLibrary from 'color';
import type ColorFunction from 'color';
import { cssColour4, splitAtDepth } from './colour-spaces.ts';
import type { Rgba } from './colour-spaces.ts';
import { own } from '../model/own.ts';

export { splitAtDepth } from './colour-spaces.ts';

/**
 * The `color` library's function, read on first use: the build loads the library only then (scripts/build.ts
 * `lazyLibraries`), whose stand-in holds the function one `default` further down.
 */
function Color(): typeof ColorFunction {
  const exported = (colorLibrary as unknown as { default: unknown }).default;
  const color = typeof exported === 'function' ? exported : (exported as { default?: unknown } | undefined)?.default;
  if (typeof color !== 'function') throw new Error('The colour library did not load: colours cannot be compared.');
  return color as typeof ColorFunction;
}

/**
 * A colour as CSS's names, hex, rgb(), hsl() and hwb() write it, its alpha set aside (text of any alpha
 * shows no more than the same text opaque), or undefined for anything else.
 */
export function colourOf(value: string): ReturnType<typeof ColorFunction> | undefined {
  const known = READ.get(value);
  if (known !== undefined || READ.has(value)) return known;
  const read = readColour(value);
  if (value.length <= MOST_REMEMBERED_LENGTH) {
    if (READ.size >= MOST_REMEMBERED) READ.clear();
    READ.set(value, read);
  }
  return read;
}

/**
 * The colours read so far, each as its value wrote it (the library's colours are not changed in place): a style
 * judged with what it inherits reads the same colours again, one per open element (a `<p>` of 60 coloured `<b>`
 * repeated over 1 MB read 2.9 million colours, 8 s).
 */
const READ = new Map<string, ReturnType<typeof ColorFunction> | undefined>();
const MOST_REMEMBERED = 4096;
const MOST_REMEMBERED_LENGTH = 256;

function readColour(value: string): ReturnType<typeof ColorFunction> | undefined {
  if (/^(?:inherit|initial|unset|revert|currentcolor|transparent)$/.test(value)) return undefined;
  // Outside the try: a library that did not load is a failure of the scan, not a colour it cannot read.
  const color = Color();
  try {
    return color(value);
  } catch {
    // CSS Color 4 and 5 (oklch(), lab(), color(), color-mix()…); not a colour at all: var(), a word…
    const read = cssColour4(value, partOf);
    return read && color.rgb(read.rgb).alpha(read.alpha);
  }
}

/** A colour inside color-mix() or light-dark(), as either reading takes it. */
function partOf(value: string, depth: number): Rgba | undefined {
  if (/^(?:inherit|initial|unset|revert|currentcolor)$/.test(value)) return undefined;
  let read: ReturnType<typeof ColorFunction> | undefined;
  try {
    read = Color()(value);
  } catch {
    return cssColour4(value, partOf, depth);
  }
  const [r, g, b] = read.rgb().array();
  return { rgb: [Math.round(r!), Math.round(g!), Math.round(b!)], alpha: read.alpha() };
}

/**
 * A colour function this check does not read (relative colours, `calc()` in a channel, a colour space it has no
 * matrix for), and no var() from outside the style: what it paints is not worked out, and a text colour or a
 * background in it counts as hiding, as more colours than are compared do (diff14-review C2).
 */
export function unreadableColour(value: string, colour: Colour | undefined = colourOf(value)): boolean {
  return (
    /^(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch|color|color-mix|light-dark|device-cmyk|contrast-color)\(/.test(value) &&
    !value.includes('var(') &&
    colour === undefined
  );
}

type Colour = ReturnType<typeof ColorFunction>;

/**
 * The ways a `background` value may paint the box behind text, each as the opaque colours it paints: text no
 * one can tell from every colour of one of them may be hidden (styles.ts). A see-through colour shows what
 * is behind it, which is not known here. Layers are painted last first: a top layer's colours are one way
 * (a layer of the text's colour over the rest is taken as hiding it, however it is sized: diff7-review B3);
 * where a layer's image may not cover the box (a size, a position, no-repeat), what is under it is another
 * (a top layer that paints nothing over white: diff9-review F5). In one layer the image is over its colour.
 * At most MAX_READ colours are read (a value of thousands of tokens read each: diff7-review S2); past
 * that, undefined.
 */
export function backgroundColours(value: string): Colour[][] | undefined {
  const budget: { read: number; unreadable?: boolean } = { read: 0 };
  const ways = waysOf(value, budget);
  // More values than are read: what paints behind the text is not worked out (diff11-review K3: see-through
  // stops used up the reads before the colour under them), and the style counts as hiding; so with a colour
  // function this check does not read (diff14-review C2).
  return budget.read > MAX_READ || budget.unreadable ? undefined : ways;
}

function waysOf(value: string, budget: { read: number; unreadable?: boolean }): Colour[][] {
  const ways: Colour[][] = [];
  for (const layer of splitAtDepth(value, ',')) {
    const tokens = valuesOf(layer.trim());
    const image = tokens.find((token) => GRADIENT.test(token) || /^(?:url|image|image-set|element)\(/.test(token));
    if (image) {
      const painted = paintOf([image], budget);
      if (painted.colours.length > 0) ways.push(painted.colours);
      // Only an image of opaque colours known here hides what is under it: a url() may be see-through, or
      // not load, and a gradient of see-through stops shows the colour beneath (diff10-review C2).
      if (coversBox(tokens, image) && painted.colours.length > 0 && painted.known) return ways;
    }
    const { colours } = paintOf(
      tokens.filter((token) => token !== image),
      budget,
    );
    // A background colour paints the whole box: nothing under it shows.
    if (colours.length > 0) {
      ways.push(colours);
      return ways;
    }
  }
  return ways;
}

/** Words of a background layer that leave its image covering the box: how it tiles, scrolls and is boxed. */
const COVERING_WORDS = new Set([
  'repeat',
  'round',
  'scroll',
  'fixed',
  'local',
  'border-box',
  'padding-box',
  'content-box',
]);

/** Whether a layer's image surely covers the box: nothing in the layer but it, colours and COVERING_WORDS. */
function coversBox(tokens: readonly string[], image: string): boolean {
  return tokens.every((token) => token === image || COVERING_WORDS.has(token) || colourOf(token) !== undefined);
}

/** Colours read from a background's values at most. */
const MAX_READ = 64;

const GRADIENT = /^(?:-webkit-|-moz-)?(?:repeating-)?(?:linear|radial|conic)-gradient\((.*)\)$/;

/**
 * The opaque colours of these values: colours, and the stops of gradients that show in the box; `known`
 * when each of them was one (no see-through or unreadable stop, no image of unknown colours).
 */
function paintOf(
  tokens: readonly string[],
  budget: { read: number; unreadable?: boolean },
): { colours: Colour[]; known: boolean } {
  const colours: Colour[] = [];
  let known = true;
  for (const token of tokens) {
    const gradient = GRADIENT.exec(token);
    for (const stop of gradient ? shownStops(gradient[1]!) : [token]) {
      if (budget.read++ >= MAX_READ) return { colours, known: false };
      const colour = colourOf(stop);
      if (colour && colour.alpha() === 1) colours.push(colour);
      else known = false;
      if (!colour && unreadableColour(stop.split(/\s(?![^(]*\))/)[0]!)) budget.unreadable = true;
    }
  }
  return { colours, known };
}

/**
 * A gradient's first argument when it is not a stop: a direction, an angle, a shape, a size, a position, a
 * colour space (`to right`, `45deg`, `circle at center`, `from 90deg`, `in oklch`), a size in a function
 * (`calc(1px) 2px`; a `var()` there is taken as one too: diff11-review K2). Its words are no colours.
 */
const GRADIENT_LINE =
  /^(?:to|at|from|in|left|right|top|bottom|center|circle|ellipse|closest-side|closest-corner|farthest-side|farthest-corner|[+-]?(?:\d+\.?\d*|\.\d+)[a-z%]*|(?:calc|min|max|clamp|var)\(.*)$/i;

/** A length past any box text is drawn in (a stop or size in px beyond it is past the end). */
const PAST_ANY_BOX_PX = 4096;

/** A full turn in each angle unit: a conic gradient's stops, as a share of it. */
const TURN: Record<string, number> = { deg: 360, grad: 400, rad: 2 * Math.PI, turn: 1 };

/**
 * Where a stop position falls, in % of the box: any length below 0 is before it, and one past any box at
 * 100; NaN where it is not known (em, vw, px under PAST_ANY_BOX_PX, calc() of several terms).
 */
function percentOf(position: string): number {
  const value = /^calc\((.*)\)$/.exec(position)?.[1]?.trim() ?? position;
  const number = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)([a-z%]*)$/i.exec(value);
  if (!number) return NaN;
  const [n, unit] = [Number(number[1]), number[2]!.toLowerCase()];
  if (unit === '%') return n;
  const turn = own(TURN, unit);
  if (turn !== undefined) return (n / turn) * 100;
  if (n === 0) return 0;
  if (n < 0) return -1;
  return unit === 'px' && n >= PAST_ANY_BOX_PX ? 100 : NaN;
}

/**
 * A gradient's stop colours that surely show in the box: not a stop of no width that nothing fades into or
 * out of, nor one before the box whose next stop starts at its edge, nor any after a stop reaching 100%
 * (`linear-gradient(#fff 0 100%, #000 0)` paints white only: diff6-review R5, diff8-review M2), nor any
 * after a position that is not known, which may be past the box (`#fff 0 3em, #000 0` on one line of text
 * is white: diff9-review F5). Positions are fixed up as CSS does: one less than the one before is that one.
 */
function shownStops(args: string): string[] {
  const parts = splitAtDepth(args, ',');
  const first = valuesOf(parts[0]?.trim() ?? '')[0] ?? '';
  if (colourOf(first) === undefined && GRADIENT_LINE.test(first)) parts.shift();
  const stops = parts.map((stop) => {
    const [colour = '', ...positions] = valuesOf(stop.trim());
    return { colour, at: positions.map(percentOf) };
  });
  const out: string[] = [];
  let reached = -Infinity;
  for (const [i, { colour, at }] of stops.entries()) {
    // Where a position is not known, the first stop still paints from the box's start; what follows may not.
    if (at.some(Number.isNaN)) {
      if (i === 0) out.push(colour);
      break;
    }
    const from = at[0] === undefined ? undefined : Math.max(at[0], reached);
    const to = at[1] === undefined ? from : Math.max(at[1], from ?? -Infinity);
    const next = stops[i + 1]?.at[0];
    // A stop of no width shows where the one before fades into it, or the one after fades out of it.
    const empty = from !== undefined && to === from && next !== undefined && next <= to && i > 0 && reached >= from;
    const before = to !== undefined && to <= 0 && next !== undefined && next <= 0;
    if (!empty && !before) out.push(colour);
    if (to !== undefined) reached = Math.max(reached, to);
    if (reached >= 100) break;
  }
  return out;
}

/**
 * A colour a browser takes in a colour property whatever it is: a hex colour or a word this check reads. A form
 * it reads and a browser may drop (legacy `hwb(0, 0%, 0%)`), or a var() a browser may leave unset, is not.
 */
export function surelyColour(value: string): boolean {
  return /^(?:#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})|[a-z]+)$/.test(value) && colourOf(value) !== undefined;
}

/** Text no one can tell from its background: a contrast ratio under 1.1 (WCAG's; 21 is black on white). */
export const INDISTINCT = 1.1;

/** A declaration's values, split at blanks outside parentheses: `#fff url(a b.png) no-repeat`. One pass. */
export function valuesOf(value: string): string[] {
  return splitAtDepth(value, ' ').filter(Boolean);
}
