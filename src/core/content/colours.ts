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
  return (
    typeof exported === 'function' ? exported : (exported as { default: unknown }).default
  ) as typeof ColorFunction;
}

/**
 * A colour as CSS's names, hex, rgb(), hsl() and hwb() write it, its alpha set aside (text of any alpha
 * shows no more than the same text opaque), or undefined for anything else.
 */
export function colourOf(value: string): ReturnType<typeof ColorFunction> | undefined {
  if (/^(?:inherit|initial|unset|revert|currentcolor|transparent)$/.test(value)) return undefined;
  try {
    return Color()(value);
  } catch {
    return undefined; // not a colour the library reads: lab(), color(), var()…
  }
}

/**
 * The colours a `background` value paints behind text, opaque only: a colour, or every stop of a gradient
 * (`linear-gradient(#fff, #fff)`). A see-through one shows what is behind it, which is not known here.
 */
export function backgroundColours(value: string): ReturnType<typeof ColorFunction>[] {
  const out: ReturnType<typeof ColorFunction>[] = [];
  // Layers are painted last first: a top layer of opaque colours covers the rest (diff6-review R5).
  const layers = splitAtDepth(value, ',');
  if (layers.length > 1) {
    const top = backgroundColours(layers[0]!.trim());
    if (top.length > 0 && valuesOf(layers[0]!.trim()).length === 1) return top;
  }
  for (const token of valuesOf(value)) {
    const gradient = /^(?:repeating-)?(?:linear|radial|conic)-gradient\((.*)\)$/.exec(token);
    const stops = gradient ? splitAtDepth(gradient[1]!, ',').map((stop) => valuesOf(stop.trim())[0] ?? '') : [token];
    for (const stop of stops) {
      const colour = colourOf(stop);
      if (colour && colour.alpha() === 1) out.push(colour);
    }
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
