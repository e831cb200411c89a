/**
 * CSS colours and values as styles.ts reads them: colours through the `color` library (names, hex, rgb(),
 * hsl(), hwb()), a background's colours (a gradient's stops, its top layer), and values split outside
 * parentheses in one pass.
 */
import * as colorLibrary from 'color';
import type ColorFunction from 'color';

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
  if (/^(?:inherit|initial|unset|revert|currentcolor|transparent)$/.test(value)) return undefined;
  // Outside the try: a library that did not load is a failure of the scan, not a colour it cannot read.
  const color = Color();
  try {
    return color(value);
  } catch {
    return undefined; // not a colour the library reads: lab(), color(), var()…
  }
}

/**
 * The colours a `background` value paints behind text, opaque only: a colour, or every stop of a gradient
 * (`linear-gradient(#fff, #fff)`). A see-through one shows what is behind it, which is not known here. At
 * most MAX_READ colours are read: a value of thousands of tokens read each (diff7-review S2).
 */
export function backgroundColours(value: string): ReturnType<typeof ColorFunction>[] {
  // Layers are painted last first: a top layer that covers the box covers the rest (diff6-review R5), however
  // it repeats or is boxed (diff7-review B3).
  const layers = splitAtDepth(value, ',');
  if (layers.length > 1) {
    const top = coveringImage(layers[0]!.trim());
    const colours = top === undefined ? [] : coloursOf([top]);
    if (colours.length > 0) return colours;
  }
  return coloursOf(valuesOf(value));
}

/** Colours read from a background's values at most. */
const MAX_READ = 64;

const GRADIENT = /^(?:repeating-)?(?:linear|radial|conic)-gradient\((.*)\)$/;

/**
 * The image of a background's top layer: a gradient, or its one value. Its colours count over the layers
 * below however it is sized or placed (diff7-review B3, diff8-review M2): how much of the box it covers
 * is not worked out here, and a layer of the text's colour over the rest is taken as hiding it.
 */
function coveringImage(layer: string): string | undefined {
  const tokens = valuesOf(layer);
  return tokens.find((token) => GRADIENT.test(token)) ?? (tokens.length === 1 ? tokens[0] : undefined);
}

/** The opaque colours of these values: colours, and the stops of gradients that show in the box. */
function coloursOf(tokens: readonly string[]): ReturnType<typeof ColorFunction>[] {
  const out: ReturnType<typeof ColorFunction>[] = [];
  let read = 0;
  for (const token of tokens) {
    const gradient = GRADIENT.exec(token);
    for (const stop of gradient ? shownStops(gradient[1]!) : [token]) {
      if (read++ >= MAX_READ) return out;
      const colour = colourOf(stop);
      if (colour && colour.alpha() === 1) out.push(colour);
    }
  }
  return out;
}

/** A length past any box text is drawn in (a stop or size in px beyond it is past the end). */
const PAST_ANY_BOX_PX = 4096;

/** Where a stop position falls, in % of the box: 100 for a length past any box; undefined when not known. */
function percentOf(position: string): number | undefined {
  const value = /^calc\((.*)\)$/.exec(position)?.[1]?.trim() ?? position;
  const number = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(%|px)?$/i.exec(value);
  if (!number) return undefined;
  const n = Number(number[1]);
  if (number[2] === '%') return n;
  if (n === 0) return 0;
  return number[2] === 'px' && n >= PAST_ANY_BOX_PX ? 100 : undefined;
}

/**
 * A gradient's stop colours that show in the box: not a stop of no width (its positions equal, at the
 * previous one), nor one before the box whose next stop starts at its edge, nor any after a stop reaching
 * 100% (`linear-gradient(#fff 0 100%, #000 0)` paints white only: diff6-review R5, diff8-review M2).
 * Positions are fixed up as CSS does: one less than the one before is taken as that one.
 */
function shownStops(args: string): string[] {
  const stops = splitAtDepth(args, ',').map((stop) => {
    const [colour = '', ...positions] = valuesOf(stop.trim());
    return { colour, at: positions.map(percentOf) };
  });
  const out: string[] = [];
  let reached = -Infinity;
  for (const [i, { colour, at }] of stops.entries()) {
    const from = at[0] === undefined ? undefined : Math.max(at[0], reached);
    const to = at[1] === undefined ? from : Math.max(at[1], from ?? -Infinity);
    const next = stops[i + 1]?.at[0];
    const empty = from !== undefined && to === from && next !== undefined && next <= to && i > 0;
    const before = to !== undefined && to <= 0 && next !== undefined && next <= 0;
    if (!empty && !before) out.push(colour);
    if (to !== undefined) reached = Math.max(reached, to);
    if (reached >= 100) break;
  }
  return out;
}

/** Text no one can tell from its background: a contrast ratio under 1.1 (WCAG's; 21 is black on white). */
export const INDISTINCT = 1.1;

/** A declaration's values, split at blanks outside parentheses: `#fff url(a b.png) no-repeat`. One pass. */
export function valuesOf(value: string): string[] {
  return splitAtDepth(value, ' ').filter(Boolean);
}

/** `value` split at each `separator` outside parentheses (or a blank, for ' '), in one pass however nested. */
export function splitAtDepth(value: string, separator: ' ' | ','): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (depth === 0 && (separator === ' ' ? c === ' ' || c === '\t' || c === '\n' : c === separator)) {
      out.push(value.slice(from, i));
      from = i + 1;
    }
  }
  out.push(value.slice(from));
  return out;
}
