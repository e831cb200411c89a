/**
 * What an element paints behind the text of the elements inside it. A background does not pass down, yet the
 * children's letters are painted over it: `<div style="background:#fff"><span style="color:#fff">` hides the
 * span's text though neither style hides anything alone. So the backgrounds of the innermost element that
 * paints one are the backdrop of the text inside it, each child's colour judged against them too (styles.ts),
 * unless the child paints a background of its own.
 */
import type { Declaration } from './cascade.ts';
import { coveringShadows } from './covers.ts';
import { paintsBehind, shows, textColour } from './drawn.ts';
import { readStyle } from './read-style.ts';

/** The properties whose values are backgrounds to the text (styles.ts reads each as one). */
const BACKGROUND = /^background(?:-color|-image)?$/;

/** A `currentcolor` worked out at most this long, as in styles.ts; longer, the backdrop is not worked out. */
const MOST_WRITTEN = 16_384;

/**
 * The background values a style paints behind its text (its own, `currentcolor` as its colour, and the inset
 * shadows that cover it), read after what it inherits (inherited.ts); undefined when it paints
 * none, or one not worked out (a `currentcolor` of the colour it inherits, which is not known here).
 */
export function backdropOf(style: string, inherited: string): readonly string[] | undefined {
  const read = readStyle(style, inherited);
  if (typeof read === 'string') return undefined;
  const applied = read.declarations.map(([p, v], i): Declaration => [p, v, read.important[i]!]);
  const covers = coveringShadows(applied);
  if (!paintsBehind(applied) && !covers.some(shows)) return undefined;
  const colour = textColour(applied);
  const values: string[] = [];
  for (const value of [...applied.filter(([p]) => BACKGROUND.test(p)).map(([, v]) => v), ...covers]) {
    if (!value.includes('currentcolor')) values.push(value);
    else if (!colour || colour === 'currentcolor' || value.split('currentcolor').length * colour.length > MOST_WRITTEN)
      return undefined;
    else values.push(value.replace(/currentcolor/g, colour));
  }
  return [...new Set(values)];
}
