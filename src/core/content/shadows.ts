/**
 * Shadow lists (`text-shadow`, `box-shadow`) read by the grammar a browser reads them with, so that a declaration
 * a browser drops does not replace the one that applies (diff17-review H2, diff18-review B2, B3).
 */
import { effective, undefinedVariable } from './cascade.ts';
import type { Declaration } from './cascade.ts';
import { colourOf, splitAtDepth, valuesOf } from './colours.ts';
import { length } from './css-lengths.ts';
import { PREVIEW_BACKGROUND } from './preview-background.ts';

/** CSS's length units (absolute, font-relative, viewport and container ones). */
const UNITS =
  'px|cm|mm|q|in|pt|pc|em|rem|ex|rex|ch|rch|cap|rcap|ic|ric|lh|rlh|vw|vh|vi|vb|vmin|vmax|svw|svh|svi|svb|svmin|svmax|lvw|lvh|lvi|lvb|lvmin|lvmax|dvw|dvh|dvi|dvb|dvmin|dvmax|cqw|cqh|cqi|cqb|cqmin|cqmax';
/** Functions that give a length a browser works out as it paints (math, and what a var() or env() holds). */
const FUNCTIONS =
  'calc|min|max|clamp|round|mod|rem|abs|sign|sin|cos|tan|asin|acos|atan|atan2|pow|sqrt|hypot|log|exp|var|env|attr';

/** A token a browser reads as a length: a number with a unit, a zero, or a function that gives one. */
export const LENGTH = new RegExp(
  String.raw`^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?(?:${UNITS})|[+-]?(?:0+\.?0*|\.0+)|(?:${FUNCTIONS})\(.*\))$`,
);

/** A length in pixels at a font size (`em` and the like of the style's own font), undefined if not worked out. */
export function pixels(token: string, font: number): number | undefined {
  const relative = /^([+-]?(?:\d+\.?\d*|\.\d+))(em|ex|ch|cap|ic|lh)$/.exec(token);
  const per: Record<string, number> = { em: 1, ex: 0.5, ch: 0.5, cap: 0.7, ic: 1, lh: 1.2 };
  return relative ? Number(relative[1]) * font * per[relative[2]!]! : length(token)?.px;
}

/** One shadow: whether inset, its lengths in pixels (Infinity for one not worked out here), and its colour. */
export type Shadow = readonly [inset: boolean, px: readonly number[], colour: string | undefined];

/**
 * A shadow list as a browser takes it: `none`, or shadows each of `[inset] && <length>{2,4} && <color>?`
 * (text-shadow: 2-3 lengths, no inset), the lengths side by side, the blur not negative; undefined for any
 * other. A var() among the tokens is a colour where the shadow has its lengths without it, else a length.
 */
export function shadowsOf(value: string, most: 3 | 4, font = 16): Shadow[] | undefined {
  if (value === 'none') return [];
  const shadows: Shadow[] = [];
  for (const shadow of splitAtDepth(value, ',')) {
    const tokens = valuesOf(shadow.trim());
    // `inset` once, before or after the lengths, never among them.
    const at = most === 4 ? tokens.indexOf('inset') : -1;
    if (
      at >= 0 &&
      (tokens.includes('inset', at + 1) || (LENGTH.test(tokens[at - 1] ?? '') && LENGTH.test(tokens[at + 1] ?? '')))
    )
      return undefined;
    const rest = at >= 0 ? tokens.filter((_, i) => i !== at) : tokens;
    // A var() is a length beside a colour, or where the other lengths are too few; else it is the colour.
    const sure = rest.filter((token) => LENGTH.test(token) && !token.startsWith('var(')).length;
    const varLength = rest.some((token) => !LENGTH.test(token)) || sure < 2;
    const isLength = (token: string) => LENGTH.test(token) && (varLength || !token.startsWith('var('));
    const first = rest.findIndex(isLength);
    let count = 0;
    while (first >= 0 && isLength(rest[first + count] ?? '')) count++;
    const others = rest.filter((_, i) => i < first || i >= first + count);
    if (first < 0 || count < 2 || count > most || others.length > 1 || !others.every(shadowColour)) return undefined;
    const px = rest.slice(first, first + count).map((token) => pixels(token, font) ?? Infinity);
    if ((px[2] ?? 0) < 0) return undefined;
    shadows.push([at >= 0, px, others[0]]);
  }
  return shadows;
}

/**
 * A colour as a browser reads one in a shadow or an outline: a keyword or colour it reads, the preview's
 * background, or a function holding a var() (worked out as it paints); `rgb(nope)` is none (B3).
 */
export function shadowColour(token: string): boolean {
  return (
    token === PREVIEW_BACKGROUND ||
    token === 'currentcolor' ||
    token === 'transparent' ||
    colourOf(token) !== undefined ||
    (/^(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch|color|color-mix|light-dark|var)\(/.test(token) &&
      (token.includes('var(') || token.includes(PREVIEW_BACKGROUND)))
  );
}

/**
 * The shadows of a property as applied: a value holding a var() is taken as written (a browser works it out as
 * it paints), and is none if invalid then, or if a var() in it is one nothing in a preview defines (M6).
 */
export function appliedShadows(declarations: readonly Declaration[], names: RegExp, most: 3 | 4, font = 16): Shadow[] {
  const valid = (value: string) => value.includes('var(') || shadowsOf(value, most) !== undefined;
  const value = effective(declarations, names, valid)?.[1] ?? 'none';
  if (undefinedVariable(value)) return [];
  return shadowsOf(value, most, font) ?? [];
}
