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

/** Words a layer may hold beside its image and still cover the whole box. */
const COVERING =
  /^(?:no-repeat|repeat|repeat-x|repeat-y|space|round|padding-box|border-box|content-box|scroll|fixed|local|left|right|top|bottom|center|0|0%|100%|auto|cover|)$/;

/** The image of a background layer that paints the whole box (its other words only repeat, place or box it). */
function coveringImage(layer: string): string | undefined {
  const tokens = valuesOf(layer);
  const image = tokens.find((token) => GRADIENT.test(token)) ?? (tokens.length === 1 ? tokens[0] : undefined);
  if (image === undefined) return undefined;
  return tokens.every((token) => token === image || token.split('/').every((part) => COVERING.test(part)))
    ? image
    : undefined;
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

/**
 * A gradient's stop colours that show in the box: none after a stop placed at 100% or beyond, which has no
 * width there (`linear-gradient(#fff 0 100%, #000 0)` paints white only: diff6-review R5).
 */
function shownStops(args: string): string[] {
  const out: string[] = [];
  for (const stop of splitAtDepth(args, ',')) {
    const [colour = '', ...positions] = valuesOf(stop.trim());
    out.push(colour);
    if (positions.some((p) => /^\d+(?:\.\d+)?%$/.test(p) && parseFloat(p) >= 100)) break;
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
