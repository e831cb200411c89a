/**
 * `light-dark(A, B)` paints A in the light colour scheme and B in the dark one. A style is judged once in
 * each scheme, with every `light-dark()` read as the colour that scheme takes: text hidden in either is
 * hidden, and text and background that both change with the scheme are compared scheme by scheme (white
 * on black in the dark scheme, black on white in the light one, is readable in both).
 */
import { splitAtDepth } from './colour-spaces.ts';

/** `light-dark()` inside one another at most this deep; deeper, it is left as written (and not read). */
const MAX_DEPTH = 8;
const CALL = 'light-dark(';

/** The two schemes' readings of a style's declarations; one, as written, when none holds `light-dark()`. */
export function schemesOf(declarations: readonly [string, string][]): [string, string][][] {
  if (!declarations.some(([, value]) => value.includes(CALL))) return [declarations as [string, string][]];
  return [0, 1].map((scheme) => declarations.map(([property, value]) => [property, inScheme(value, scheme)]));
}

/**
 * `value` with each `light-dark(A, B)` replaced by A (scheme 0, light) or B (scheme 1, dark), nested ones
 * too. One not of two arguments, or left open, stays as written: a colour in it is not read, and counts as
 * hiding (colours.ts `unreadableColour`). Each level reads its text once: linear in the value's length
 * times the depth.
 */
export function inScheme(value: string, scheme: number, depth = 0): string {
  let out = '';
  let from = 0;
  for (let at = value.indexOf(CALL); at >= 0; at = value.indexOf(CALL, from)) {
    // A longer name that ends in "light-dark(" is not the function.
    if (/[a-z0-9_-]/.test(value[at - 1] ?? '')) {
      out += value.slice(from, at + CALL.length);
      from = at + CALL.length;
      continue;
    }
    const close = closingOf(value, at + CALL.length);
    const parts = close < 0 ? [] : splitAtDepth(value.slice(at + CALL.length, close), ',');
    if (parts.length !== 2 || depth >= MAX_DEPTH) {
      out += value.slice(from, close < 0 ? value.length : close + 1);
      from = close < 0 ? value.length : close + 1;
      continue;
    }
    out += value.slice(from, at) + inScheme(parts[scheme]!.trim(), scheme, depth + 1);
    from = close + 1;
  }
  return out + value.slice(from);
}

/** The index of the `)` that closes the parenthesis opened just before `from`, or -1. */
function closingOf(value: string, from: number): number {
  let depth = 1;
  for (let i = from; i < value.length; i++) {
    if (value[i] === '(') depth++;
    else if (value[i] === ')' && --depth === 0) return i;
  }
  return -1;
}
