/**
 * What an element's style passes down to the elements inside it (inherited.ts): the inherited properties that
 * decide whether their letters show, and custom properties.
 */
import { declarationsOf } from './read-style.ts';

/** Properties an element takes from its parent that decide how its letters are painted. */
const INHERITED =
  /^(?:--.*|color|-webkit-text-fill-color|text-shadow|-webkit-text-stroke(?:-width|-color)?|font|font-size|font-size-adjust|visibility|color-scheme)$/i;
/** What paints a clipped background, passed down with a clip to the text: it paints the children's letters too. */
const CLIPPED_BACKGROUND = /^(?:-webkit-)?background(?:-clip|-color|-image|-size)?$/i;

/** A style that may paint a background (or a box shadow over one), its escapes not yet decoded (inherited.ts). */
export const PAINTING = /background|box-shadow|\\/i;
/** How much of its ancestors' declarations a style is read with; past it, not worked out. */
export const MAX_INHERITED = 16_384;
/**
 * How much of ancestors' declarations a document's styles are read with in all: each styled tag under a style
 * that passes something down reads it again (a 16 KB custom property above 100,000 styled tags). Past it, the
 * document says once that it was not worked out (markdown.ts), and styles are judged alone.
 */
export const MAX_READ_AGAIN = 4 << 20;

/**
 * A style's declarations that its children inherit, each ending in `;`: decoded, with a backslash written as an
 * escape again (so it is read once), and without `!important`, which does not pass down (a parent's
 * `color: red !important` does not beat its child's `color: transparent`). A background clipped to the text
 * paints the letters of what the element holds (a gradient heading with a <span> in it), so with such a clip
 * the background and the clip pass down too, and the child's letters are judged drawn by it or not
 * (diff19-review H2: a clip over nothing drew nothing).
 */
export function passedDown(style: string): string {
  const declarations = declarationsOf(style);
  const clipped = declarations.some((d) => /^\s*(?:-webkit-)?background(?:-clip)?\s*:[^;]*\btext\b/i.test(d));
  let out = '';
  for (const read of declarations) {
    const colon = read.indexOf(':');
    const property = read.slice(0, colon).trim();
    if (colon >= 0 && (INHERITED.test(property) || (clipped && CLIPPED_BACKGROUND.test(property))))
      out += `${read.replace(/!\s*important\s*$/i, '').replace(/\\/g, '\\5c ')};`;
  }
  return out;
}
