/**
 * What paints letters whose colour is see-through, and whether anything paints behind them, as a browser
 * takes it from one style: each property's effective value (cascade.ts), a `background` shorthand resetting
 * the clip, image and colour it does not name.
 */
import { effective, undefinedVariable, VSCODE_VARIABLE } from './cascade.ts';
import type { Declaration } from './cascade.ts';
import { backgroundColours, colourOf, splitAtDepth, valuesOf } from './colours.ts';
import { FAINT, FAR, length } from './css-lengths.ts';
import { PREVIEW_BACKGROUND } from './preview-background.ts';
import { appliedShadows } from './shadows.ts';

/** A shadow blurred wider than this many pixels spreads its colour too thin to show a letter. */
const WIDE_BLUR = 100;

/**
 * A colour that shows: readable, and not (nearly) see-through. A var() left in a value names what the style does
 * not set: VS Code's theme colours (`--vscode-…`) may show, anything else no one defines in a preview makes the
 * value invalid, so it paints nothing (diff17-review M6).
 */
export function shows(colour: string): boolean {
  if (colour.includes('var(')) return !undefinedVariable(colour);
  return colour !== 'transparent' && (colourOf(colour)?.alpha() ?? 0) > FAINT;
}

/**
 * Whether some colour a value names shows (a gradient's semi-transparent stops too: diff16-review F1): the
 * colour functions, hex colours and words, each read as a colour (the stops of `linear-gradient(red, blue)` were
 * read as one colour of that name, which none is: diff17-review).
 */
export function someColourShows(value: string): boolean {
  if (value.includes('var(')) return !undefinedVariable(value);
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

/**
 * Whether the style's own backgrounds paint anything (an image, or a colour that shows). A value holding a var()
 * nothing defines paints nothing: the `background` shorthand then sets none of its parts.
 */
export function paintsBehind(declarations: readonly Declaration[]): boolean {
  const applied = (names: RegExp) => {
    const declaration = effective(declarations, names);
    return declaration && !undefinedVariable(declaration[1]) ? declaration : undefined;
  };
  const image = applied(/^background(?:-image)?$/);
  const colour = applied(/^background(?:-color)?$/);
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
