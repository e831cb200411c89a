/**
 * What a style paints over its letters or just under them, sized against the box its text sits in: inset box
 * shadows (diff16-review B3h), outlines drawn inwards and masks (diff17-review X). The box is an inline box of
 * the style's font inside its padding; the preview's body font is 14px and its code and `<sub>` smaller, so a
 * style that sets no size is taken at 12px (diff18-review B8).
 */
import { effective, undefinedVariable } from './cascade.ts';
import type { Declaration } from './cascade.ts';
import { splitAtDepth, valuesOf } from './colours.ts';
import { FAR, length } from './css-lengths.ts';
import { someColourShows, shows } from './drawn.ts';
import { PREVIEW_BACKGROUND } from './preview-background.ts';
import { appliedShadows, LENGTH, pixels, shadowColour } from './shadows.ts';
import { own } from '../model/own.ts';

/** An inline box is about this many times its font size high: an inset shadow this deep covers its letters. */
const INLINE_BOX = 1.15;
/** The font size of a style that sets none read here: the smallest the preview uses. */
const SMALLEST_FONT = 12;

/** Font sizes by keyword, in a 16px page (diff19-review L1: `x-small` text is covered by a thinner ring). */
const KEYWORD_SIZES: Record<string, number> = { 'xx-small': 9, 'x-small': 10, small: 13, smaller: 10, medium: 16 };

/** The style's font size in pixels, from `font-size` or the `font` shorthand, whichever applies. */
function fontSize(declarations: readonly Declaration[]): number {
  const [property, value = ''] = effective(declarations, /^font(?:-size)?$/) ?? [];
  const tokens = valuesOf(value).map((token) => token.split('/')[0]!);
  const size = (t: string) => own(KEYWORD_SIZES, t) ?? length(t)?.px;
  const px = (property === 'font' ? tokens.map(size).find((v) => v !== undefined) : size(value)) ?? 0;
  return px > 0 ? px : SMALLEST_FONT;
}

/** The style's padding above and below its content, in pixels, read as a browser reads it (B4). */
function verticalPadding(declarations: readonly Declaration[], font: number): number {
  const lengths = (value: string, most: number) => {
    const tokens = valuesOf(value);
    return tokens.length >= 1 && tokens.length <= most && tokens.every((t) => LENGTH.test(t) || /^\d+\.?\d*%$/.test(t));
  };
  const side = (start: boolean) => {
    const [property, value = ''] =
      effective(
        declarations,
        start ? /^padding(?:-top|-block|-block-start)?$/ : /^padding(?:-bottom|-block|-block-end)?$/,
        (v, p) => lengths(v, p === 'padding' ? 4 : p === 'padding-block' ? 2 : 1),
      ) ?? [];
    const tokens = valuesOf(value);
    const token =
      property === 'padding'
        ? start
          ? tokens[0]
          : (tokens[2] ?? tokens[0])
        : property === 'padding-block' && !start
          ? (tokens[1] ?? tokens[0])
          : tokens[0];
    return Math.max(0, pixels(token ?? '', font) ?? 0);
  };
  return side(true) + side(false);
}

/**
 * The colours of inset box shadows that cover the text: painted over the background and under the text, each is
 * one more background. A shadow with no colour is in `currentcolor`. The shadow is the box moved by its offsets
 * and shrunk by its spread, painted where that is not: it covers the box's text when twice the spread and the
 * vertical offset reach across it inside its padding, or when it is moved far away; a sideways offset near the
 * box paints a bar at its side (diff17-review F1). A length not worked out here counts as endless (H1).
 */
export function coveringShadows(declarations: readonly Declaration[]): string[] {
  const font = fontSize(declarations);
  const across = INLINE_BOX * font + verticalPadding(declarations, font);
  return appliedShadows(declarations, /^(?:-webkit-)?box-shadow$/, 4, font)
    .filter(
      ([inset, [x = 0, y = 0, , spread = 0]]) =>
        inset && (2 * spread + Math.abs(y) >= across || Math.abs(x) >= FAR || Math.abs(y) >= FAR),
    )
    .map(([, , colour]) => colour ?? 'currentcolor');
}

/** Outline styles that paint a width (`none` and `hidden` do not; `auto` is a thin focus ring: diff19-review F3). */
const OUTLINE_STYLE = /^(?:solid|dashed|dotted|double|groove|ridge|inset|outset)$/;
const OUTLINE_WIDTH: Record<string, number> = { thin: 1, medium: 3, thick: 5 };

/** An outline value a browser takes (B5): the shorthand's style, width and colour, or one longhand's. */
function validOutline(value: string, property: string): boolean {
  const tokens = valuesOf(value);
  const style = (t: string) => OUTLINE_STYLE.test(t) || t === 'auto' || t === 'none' || t === 'hidden';
  const width = (t: string) => t in OUTLINE_WIDTH || LENGTH.test(t);
  if (property === 'outline-style') return tokens.length === 1 && style(tokens[0]!);
  if (property === 'outline-width') return tokens.length === 1 && width(tokens[0]!);
  if (property === 'outline-color') return tokens.length === 1 && shadowColour(tokens[0]!);
  if (property === 'outline-offset') return tokens.length === 1 && LENGTH.test(tokens[0]!);
  return tokens.length <= 3 && tokens.every((t) => style(t) || width(t) || shadowColour(t));
}

/**
 * Whether an outline is drawn over the letters: it paints above the content, and a negative `outline-offset`
 * reaching past the padding to half the box, with a width that reaches back to the edge, covers the text
 * whatever its colour, the preview's background too, unless the outline's own colour is see-through. An offset
 * or a width not worked out here counts as reaching.
 */
export function outlineCovers(declarations: readonly Declaration[]): boolean {
  const font = fontSize(declarations);
  const applied = (name: string) =>
    valuesOf(effective(declarations, new RegExp(`^outline(?:-${name})?$`), validOutline)?.[1] ?? '');
  const [offset = '0'] = valuesOf(effective(declarations, /^outline-offset$/, validOutline)?.[1] ?? '0');
  const inward = -(pixels(offset, font) ?? (offset.startsWith('-') || /\(\s*-/.test(offset) ? -Infinity : 0));
  if (!(inward >= (INLINE_BOX * font + verticalPadding(declarations, font)) / 2)) return false;
  if (!applied('style').some((token) => OUTLINE_STYLE.test(token))) return false;
  const width = applied('width')
    .map((token) => own(OUTLINE_WIDTH, token) ?? (LENGTH.test(token) ? (pixels(token, font) ?? Infinity) : undefined))
    .find((px) => px !== undefined);
  const colour = applied('color').find(shadowColour);
  const reaches = width === undefined ? inward <= 4 : width >= FAR || width >= inward - 1;
  return (
    reaches && (colour === undefined || colour === 'currentcolor' || colour === PREVIEW_BACKGROUND || shows(colour))
  );
}

/** What positions, sizes, repeats or combines a mask's layers: any of them, and a mask is not only a fade. */
const MASK_LONGHANDS =
  /^(?:-webkit-)?mask-(?:size|position(?:-[xy])?|repeat(?:-[xy])?|composite|mode|clip|origin|type|border.*)$/;

/** A gradient a browser takes: its arguments none empty (`linear-gradient(red, blue,)` is dropped: H4). */
function validGradients(value: string): boolean {
  return !/\(\s*,|,\s*,|,\s*\)/.test(value.replace(/url\([^)]*\)/gi, 'url()')); // a url()'s commas are its own (R3)
}

/** The share of a fade's ray its showing stops must hold, in per cent, for the mask to show the text. */
const FADE_SHARE = 50;

/**
 * A plain fade: one linear gradient (or a radial or conic one of no set size) whose stops that show hold at
 * least FADE_SHARE of the ray, each from half way from the stop before to half way to the stop after, the first
 * and last reaching the ends (a quarter at one side shows a quarter of the text: diff21-review B3) (`linear-gradient(black, transparent)`, `transparent, black 20%, black 80%,
 * transparent`). A sliver (`black 0%, transparent 0.1%`, `transparent 100%, black 100%`: diff19-review H4,
 * diff20-review H2), a stop placed in pixels, and a repeating gradient are not fades.
 */
function fade(layer: string): boolean {
  const tokens = valuesOf(layer.trim());
  const gradient = /^(linear|radial|conic)-gradient\((.*)\)$/.exec(tokens[0] ?? '');
  if (tokens.length !== 1 || !gradient) return false;
  const args = splitAtDepth(gradient[2]!, ',').map((stop) => valuesOf(stop.trim()));
  if (args.length > 2 && !/transparent|#|\(/.test(args[0]!.join(' ')) && !someColourShows(args[0]!.join(' '))) {
    if (gradient[1] !== 'linear' && args[0]!.some((token) => length(token) !== undefined)) return false;
    args.shift(); // a direction, or a shape of no set size
  }
  // Each stop once per position it names (`black 20% 80%` is two).
  const stops: { shows: boolean; at: number | undefined }[] = [];
  for (const [colour = '', ...places] of args) {
    if (places.length > 2) return false;
    const shows = someColourShows(colour);
    for (const place of places.length > 0 ? places : [undefined]) {
      const at = place === undefined ? undefined : length(place)?.percent;
      if (place !== undefined && at === undefined) return false; // in pixels, or not read
      stops.push({ shows, at });
    }
  }
  if (stops.length < 2) return false;
  // Positions as CSS fixes them: the ends at 0% and 100%, others evenly between, none before the one before.
  const at = stops.map((stop) => stop.at);
  at[0] ??= 0;
  at[at.length - 1] ??= 100;
  // A run of stops without a position spread evenly, the next position found once a run (diff21-review C1).
  for (let i = 1, next = 0; i < at.length; i++)
    if (at[i] === undefined) {
      if (next <= i) for (next = i; at[next] === undefined;) next++;
      at[i] = at[i - 1]! + (at[next]! - at[i - 1]!) / (next - i + 1);
    }
  for (let i = 1; i < at.length; i++) at[i] = Math.max(at[i]!, at[i - 1]!);
  let shown = 0;
  stops.forEach((stop, i) => {
    const from = i === 0 ? 0 : (at[i - 1]! + at[i]!) / 2;
    const to = i === stops.length - 1 ? 100 : (at[i]! + at[i + 1]!) / 2;
    if (stop.shows) shown += Math.max(0, Math.min(to, 100) - Math.max(from, 0));
  });
  return shown >= FADE_SHARE;
}

/**
 * Whether a mask may hide the whole element (diff17-review X, diff18-review B6): any mask but `none`, unless every
 * layer is a plain fade, nothing else setting how it is laid; an image may not load, and one that does not masks
 * everything out. A mask holding a var() nothing defines is not applied (F2).
 */
export function masked(declarations: readonly Declaration[]): boolean {
  const value = effective(declarations, /^(?:-webkit-)?mask(?:-image)?$/, validGradients)?.[1];
  if (value === undefined || value === 'none' || /^(?:initial|unset|revert|revert-layer|inherit)$/.test(value))
    return false;
  if (undefinedVariable(value)) return false;
  return !splitAtDepth(value, ',').every(fade) || declarations.some(([property]) => MASK_LONGHANDS.test(property));
}
