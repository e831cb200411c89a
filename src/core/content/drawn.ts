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

/** A colour that shows: readable, and not (nearly) see-through; one from outside the style is not known, so it may. */
export function shows(colour: string): boolean {
  if (colour.includes('var(')) return true;
  return colour !== 'transparent' && (colourOf(colour)?.alpha() ?? 0) > FAINT;
}

/**
 * Whether some colour a value names shows (a gradient's semi-transparent stops too: diff16-review F1): the
 * innermost functions, hex colours and words, each read as a colour.
 */
function someColourShows(value: string): boolean {
  if (value.includes('var(')) return true;
  let read = 0;
  for (const [candidate] of value.matchAll(/#[0-9a-f]{3,8}\b|\b[a-z-]+\([^()]*\)|\b[a-z]+\b/g)) {
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
      (/(?:^|[\s,(])(?:url|image|image-set|element|var)\(/.test(images) ||
        (/gradient\(/.test(images) && someColourShows(images)))) ||
    (!!colour &&
      !colour[1].includes(PREVIEW_BACKGROUND) &&
      (backgroundColours(colour[1])?.some((way) => way.length > 0) ?? false))
  );
}

/**
 * A shadow list a browser takes: `none`, or shadows of `lengths` lengths and at most a colour, `inset` too
 * where `inset` (box-shadow: offsets, blur, spread); each as [inset, lengths in px, colour].
 */
function shadowsOf(value: string, lengths: readonly [number, number], inset = false): Shadow[] | undefined {
  if (value === 'none') return [];
  const shadows: Shadow[] = [];
  for (const shadow of splitAtDepth(value, ',')) {
    const tokens = valuesOf(shadow.trim());
    const inner = inset && tokens.includes('inset');
    const px = tokens.map((token) => length(token)?.px);
    const sized = px.filter((v) => v !== undefined);
    const others = tokens.filter((token, i) => px[i] === undefined && !(inner && token === 'inset'));
    if (sized.length < lengths[0] || sized.length > lengths[1] || others.length > 1 || !others.every(colourValue))
      return undefined;
    if (tokens.filter((token) => token === 'inset').length > (inner ? 1 : 0)) return undefined;
    shadows.push([inner, sized, others[0]]);
  }
  return shadows;
}

type Shadow = readonly [inset: boolean, px: readonly number[], colour: string | undefined];

/** A line of text is this many pixels high (a 16px font's line): an inset shadow this deep covers it. */
const LINE = 24;

/**
 * The colours of inset box shadows that cover a line of text (`box-shadow: inset 0 0 0 100vmax white`:
 * diff16-review B3h): painted over the background and under the text, each is one more background. A shadow
 * with no colour is in `currentcolor`. The shadow is the box moved by its offsets and shrunk by its spread,
 * painted where that is not: it covers the line when twice the spread and an offset reach across it.
 */
export function coveringShadows(declarations: readonly Declaration[]): string[] {
  const value = effective(declarations, /^box-shadow$/, (v) => shadowsOf(v, [2, 4], true) !== undefined)?.[1];
  return (shadowsOf(value ?? 'none', [2, 4], true) ?? [])
    .filter(([inset, [x = 0, y = 0, , spread = 0]]) => inset && 2 * spread + Math.max(Math.abs(x), Math.abs(y)) >= LINE)
    .map(([, , colour]) => colour ?? 'currentcolor');
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
  const shadow = effective(declarations, /^text-shadow$/, (v) => shadowsOf(v, [2, 3]) !== undefined)?.[1];
  const shadowDraws = (shadowsOf(shadow ?? 'none', [2, 3]) ?? []).some(
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
