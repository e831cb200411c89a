/**
 * What paints letters whose colour is see-through, and whether anything paints behind them, as a browser
 * takes it from one style: each property's effective value — the last valid declaration, an `!important`
 * one before the rest, a `background` shorthand resetting the clip, image and colour it does not name
 * (diff16-review B1: an invalid shadow, or one a later `none` replaced, counted as drawing).
 */
import { backgroundColours, colourOf, splitAtDepth, valuesOf } from './colours.ts';
import { FAINT, FAR, length } from './css-lengths.ts';
import { PREVIEW_BACKGROUND } from './preview-background.ts';

/** A declaration as read: its property and value (lower case, variables resolved), and whether `!important`. */
export type Declaration = readonly [property: string, value: string, important: boolean];

/** A shadow blurred wider than this many pixels spreads its colour too thin to show a letter. */
const WIDE_BLUR = 100;

/** The declaration of `names` that applies: the last valid one, an `!important` one before any other. */
export function effective(
  declarations: readonly Declaration[],
  names: RegExp,
  valid: (value: string, property: string) => boolean = () => true,
): Declaration | undefined {
  let normal: Declaration | undefined;
  let important: Declaration | undefined;
  for (const declaration of declarations)
    if (names.test(declaration[0]) && valid(declaration[1], declaration[0]))
      if (declaration[2]) important = declaration;
      else normal = declaration;
  return important ?? normal;
}

/**
 * A colour that shows: readable, and not (nearly) see-through. A var() left in a value names what the style does
 * not set: VS Code's theme colours (`--vscode-…`) may show, anything else no one defines in a preview makes the
 * value invalid, so it paints nothing (diff17-review M6).
 */
export function shows(colour: string): boolean {
  if (colour.includes('var(')) return VSCODE_VARIABLE.test(colour);
  return colour !== 'transparent' && (colourOf(colour)?.alpha() ?? 0) > FAINT;
}

/** A var() of one of VS Code's theme colours: it stands for a colour the theme sets, not known here. */
const VSCODE_VARIABLE = /var\(\s*--vscode-/;

/**
 * Whether some colour a value names shows (a gradient's semi-transparent stops too: diff16-review F1): the
 * colour functions, hex colours and words, each read as a colour (the stops of `linear-gradient(red, blue)` were
 * read as one colour of that name, which none is: diff17-review).
 */
function someColourShows(value: string): boolean {
  if (value.includes('var(')) return VSCODE_VARIABLE.test(value);
  let read = 0;
  // A colour function is read whole; a gradient's own name is not one, so its stops are read each.
  for (const [candidate] of value.matchAll(
    /#[0-9a-f]{3,8}\b|\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch|color|color-mix)\([^()]*\)|\b[a-z]+\b/g,
  )) {
    if (++read > 256) return false; // more than a background needs: not worked out, so not taken as painting
    if (shows(candidate)) return true;
  }
  return false;
}

/** Whether the style's own backgrounds paint anything (an image, or a colour that shows). */
export function paintsBehind(declarations: readonly Declaration[]): boolean {
  const image = effective(declarations, /^background(?:-image)?$/);
  const colour = effective(declarations, /^background(?:-color)?$/);
  const size = effective(declarations, /^background-size$/);
  const sized = !size || !valuesOf(size[1]).some((token) => (length(token)?.px ?? length(token)?.percent) === 0);
  const images = image && !image[1].includes(PREVIEW_BACKGROUND) ? image[1] : '';
  return (
    (sized &&
      (/(?:^|[\s,(])(?:url|image|image-set|element)\(/.test(images) ||
        VSCODE_VARIABLE.test(images) ||
        (/gradient\(/.test(images) && someColourShows(images)))) ||
    (!!colour &&
      !colour[1].includes(PREVIEW_BACKGROUND) &&
      (backgroundColours(colour[1])?.some((way) => way.length > 0) ?? false))
  );
}

/** A token a browser reads as a length: a number with a unit, a zero, or a math function. */
const LENGTH = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?[a-z]+|[+-]?(?:0+\.?0*|\.0+)|(?:calc|min|max|clamp)\(.*\))$/;

/** Colour functions a browser reads (a value of another function is no colour). */
const COLOUR_FUNCTION = /^(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch|color|color-mix|device-cmyk)\(.*\)$/;

/**
 * A shadow list as a browser takes it (diff17-review H2): `none`, or shadows each of `[inset] && <length>{2,4} &&
 * <color>?` (text-shadow: 2-3 lengths, no inset), the lengths side by side, the blur not negative; undefined for
 * any other. Each as [inset, lengths in px, colour]; a length not worked out here counts as endless
 * (`100svh`, `calc(500px + 500px)`: H1), which reaches across any box and draws nothing near the letters.
 */
function shadowsOf(value: string, most: 3 | 4): Shadow[] | undefined {
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
    const inset = at >= 0;
    const rest = inset ? tokens.filter((_, i) => i !== at) : tokens;
    const first = rest.findIndex((token) => LENGTH.test(token));
    let count = 0;
    while (first >= 0 && LENGTH.test(rest[first + count] ?? '')) count++;
    const others = rest.filter((_, i) => i < first || i >= first + count);
    if (first < 0 || count < 2 || count > most || others.length > 1 || !others.every(shadowColour)) return undefined;
    const px = rest.slice(first, first + count).map((token) => length(token)?.px ?? Infinity);
    if ((px[2] ?? 0) < 0) return undefined;
    shadows.push([inset, px, others[0]]);
  }
  return shadows;
}

/** A shadow's colour as a browser reads one: a colour, a colour function, the preview's background. */
function shadowColour(token: string): boolean {
  return (
    token === PREVIEW_BACKGROUND ||
    VSCODE_VARIABLE.test(token) ||
    token === 'currentcolor' ||
    token === 'transparent' ||
    COLOUR_FUNCTION.test(token) ||
    colourOf(token) !== undefined
  );
}

/** The shadows of a property as applied: a value holding a var() is taken as written, and is none if invalid. */
function appliedShadows(declarations: readonly Declaration[], names: RegExp, most: 3 | 4): Shadow[] {
  const valid = (value: string) => value.includes('var(') || shadowsOf(value, most) !== undefined;
  return shadowsOf(effective(declarations, names, valid)?.[1] ?? 'none', most) ?? [];
}

type Shadow = readonly [inset: boolean, px: readonly number[], colour: string | undefined];

/** The style's font size in pixels, 16 when it sets none read here. */
function fontSize(declarations: readonly Declaration[]): number {
  const px = length(effective(declarations, /^font-size$/)?.[1] ?? '')?.px;
  return px !== undefined && px > 0 ? px : 16;
}

/** An inline box is about this many times its font size high: an inset shadow this deep covers its letters. */
const INLINE_BOX = 1.15;

/** The style's padding above and below its content, in pixels (a percentage, or one not read: none). */
function verticalPadding(declarations: readonly Declaration[]): number {
  const side = (name: 'top' | 'bottom') => {
    const [property, value = ''] = effective(declarations, new RegExp(`^padding(?:-${name})?$`)) ?? [];
    const tokens = valuesOf(value);
    const token = property === 'padding' ? (name === 'top' ? tokens[0] : (tokens[2] ?? tokens[0])) : tokens[0];
    return Math.max(0, length(token ?? '')?.px ?? 0);
  };
  return side('top') + side('bottom');
}

/**
 * The colours of inset box shadows that cover the text (`box-shadow: inset 0 0 0 100vmax white`: diff16-review
 * B3h; `-webkit-box-shadow` too: diff17-review H1): painted over the background and under the text, each is one
 * more background. A shadow with no colour is in `currentcolor`. The shadow is the box moved by its offsets and
 * shrunk by its spread, painted where that is not: it covers an inline box of the style's font, inside its
 * padding, when twice the spread and the vertical offset reach across it (H3), or when it is moved far away; a
 * sideways offset near the box paints a bar at its side (F1).
 */
export function coveringShadows(declarations: readonly Declaration[]): string[] {
  const across = INLINE_BOX * fontSize(declarations) + verticalPadding(declarations);
  return appliedShadows(declarations, /^(?:-webkit-)?box-shadow$/, 4)
    .filter(
      ([inset, [x = 0, y = 0, , spread = 0]]) =>
        inset && (2 * spread + Math.abs(y) >= across || Math.abs(x) >= FAR || Math.abs(y) >= FAR),
    )
    .map(([, , colour]) => colour ?? 'currentcolor');
}

/** Outline styles that paint (`none` and `hidden` do not). */
const OUTLINE_STYLE = /^(?:auto|solid|dashed|dotted|double|groove|ridge|inset|outset)$/;

/**
 * Whether an outline is drawn over the letters (diff17-review X): it paints above the content, and a negative
 * `outline-offset` as deep as half an inline box, with a width that reaches back to the edge, covers the text
 * whatever its colour, unless the outline's own colour is see-through.
 */
export function outlineCovers(declarations: readonly Declaration[]): boolean {
  const offset = effective(declarations, /^outline-offset$/)?.[1] ?? '0';
  const inward = offset.startsWith('-') ? -(length(offset)?.px ?? -Infinity) : 0;
  if (!(inward >= (INLINE_BOX * fontSize(declarations)) / 2)) return false;
  const tokens = (name: string) => valuesOf(effective(declarations, new RegExp(`^outline(?:-${name})?$`))?.[1] ?? '');
  if (!tokens('style').some((token) => OUTLINE_STYLE.test(token))) return false;
  const width = tokens('width')
    .map(
      (token) =>
        ({ thin: 1, medium: 3, thick: 5 })[token] ?? (LENGTH.test(token) ? (length(token)?.px ?? Infinity) : undefined),
    )
    .find((px) => px !== undefined);
  const colour = tokens('color').find(shadowColour);
  // Over the letters, any colour that is not see-through hides them, the preview's background too.
  return (
    (width ?? 3) >= inward - 1 &&
    (colour === undefined || colour === 'currentcolor' || colour === PREVIEW_BACKGROUND || shows(colour))
  );
}

/** Whether a mask hides the whole element: every layer a gradient of colours that show nothing (diff17-review X). */
export function maskedAway(value: string): boolean {
  return (
    /gradient\(/.test(value) &&
    !/(?:^|[\s,(])(?:url|image|image-set|element|paint)\(/.test(value) &&
    !someColourShows(value)
  );
}

/** The style's effective `color`, as written (undefined: none a browser takes, so the inherited one). */
export function textColour(declarations: readonly Declaration[]): string | undefined {
  return effective(declarations, /^color$/, colourValue)?.[1];
}

/** A value a colour property takes: a colour, `transparent`, `currentcolor`, or a function (read or not). */
function colourValue(value: string): boolean {
  return /^(?:transparent|currentcolor|[a-z-]+\(.*\))$/.test(value) || colourOf(value) !== undefined;
}

/** A stroke or shadow colour that shows: its own, or (none, currentcolor) the text's `color`; and `seen` there. */
function paintShows(colour: string | undefined, text: string | undefined, seen: (colour: string) => boolean): boolean {
  const own = colour === undefined || colour === 'currentcolor' ? text : colour;
  if (own === undefined || own === 'currentcolor') return true; // the inherited colour, which the text shows in
  return shows(own) && seen(own);
}

/**
 * Whether something other than the fill paints the letters where they are: a text shadow near them in a
 * colour that shows (not 100,000px away nor blurred to nothing: diff16-review B2), a stroke
 * (`-webkit-text-stroke`: F2), or a background that paints clipped to the text (P2). `seen`: whether a colour
 * shows against the style's backgrounds (a white shadow on white, B2c).
 */
export function lettersDrawn(declarations: readonly Declaration[], seen: (colour: string) => boolean): boolean {
  const text = textColour(declarations);
  const shadowDraws = appliedShadows(declarations, /^text-shadow$/, 3).some(
    ([, [x = 0, y = 0, blur = 0], colour]) =>
      Math.abs(x) < FAR && Math.abs(y) < FAR && blur < WIDE_BLUR && paintShows(colour, text, seen),
  );
  const stroke = effective(declarations, /^-webkit-text-stroke(?:-width)?$/)?.[1];
  const strokeColour = effective(declarations, /^-webkit-text-stroke(?:-color)?$/)?.[1];
  const width = valuesOf(stroke ?? '')
    .map((t) => length(t)?.px)
    .find((px) => px !== undefined);
  const strokeDraws =
    width !== undefined &&
    width > 0 &&
    paintShows(
      valuesOf(strokeColour ?? '').find((t) => length(t) === undefined),
      text,
      seen,
    );
  const clip = effective(declarations, /^(?:-webkit-)?background(?:-clip)?$/, (v, p) =>
    p === 'background'
      ? true
      : splitAtDepth(v, ',').every((c) => /^(?:border-box|padding-box|content-box|text)$/.test(c.trim())),
  );
  const clipped =
    clip !== undefined &&
    (clip[0] === 'background'
      ? valuesOf(clip[1]).includes('text')
      : splitAtDepth(clip[1], ',').some((c) => c.trim() === 'text'));
  return shadowDraws || strokeDraws || (clipped && paintsBehind(declarations));
}
