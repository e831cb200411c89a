/**
 * What an element paints behind the text of the elements inside it. A background does not pass down, yet the
 * children's letters are painted over it: `<div style="background:#fff"><span style="color:#fff">` hides the
 * span's text though neither style hides anything alone. So the backgrounds of the elements around a text are its
 * backdrop, each child's colour judged against them too (styles.ts); a child whose own background colour covers
 * its box hides those behind it, and any other background of its own is one more (diff22-review R6: an image that
 * may not load, a gradient sized to a corner).
 */
import { effective, undefinedVariable } from './cascade.ts';
import type { Declaration } from './cascade.ts';
import { backgroundColours, colourOf, splitAtDepth, valuesOf } from './colours.ts';
import { coveringShadows } from './covers.ts';
import { length, TINY } from './css-lengths.ts';
import { paintsBehind, shows, textColour } from './drawn.ts';
import { appliedValue, appliedValues, readStyle } from './read-style.ts';

/** The properties whose values are backgrounds to the text (styles.ts reads each as one). */
const BACKGROUND = /^background(?:-color|-image)?$/;

/** A `currentcolor` worked out at most this long, as in styles.ts; longer, the backdrop is not worked out. */
const MOST_WRITTEN = 16_384;
/** Backgrounds behind a text past which colours are not judged (styles.ts); a backdrop keeps one more, no more. */
export const MOST_BEHIND = 33;

/** What a style paints behind its text: its background values, and whether one covers its box in opaque colour. */
export interface Backdrop {
  values: readonly string[];
  covering: boolean;
}

/**
 * The background values a style paints behind its text (its own, `currentcolor` as its colour, and the inset
 * shadows that cover it), read after what it inherits (inherited.ts); undefined when it paints none, or one not
 * worked out (a `currentcolor` of the colour it inherits, which is not known here).
 */
export function backdropOf(style: string, inherited: string): Backdrop | undefined {
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
  // Covering: the colour of the applied background's last layer is opaque (an image may not load or cover).
  const layer = effective(applied, /^background(?:-color)?$/)?.[1];
  const last = layer === undefined || undefinedVariable(layer) ? undefined : splitAtDepth(layer, ',').at(-1);
  // Not when its box is not behind its text: none (`display: contents`), painted under its parent's background
  // (a `z-index` but `auto` or a plain one not negative: diff23-review R2, diff24-review C1 `calc(-1)`), or a few
  // pixels high or wide, its text overflowing it.
  const covering =
    last !== undefined &&
    valuesOf(last).some((token) => (colourOf(token)?.alpha() ?? 0) >= 1) &&
    effective(applied, /^display$/)?.[1] !== 'contents' &&
    /^(?:auto|\+?\d+)?$/.test(effective(applied, /^z-index$/)?.[1] ?? '') &&
    !SIZES.some((size) => narrow(effective(applied, size)?.[1]));
  return { values: [...new Set(values)], covering };
}

/** The properties that size a box: its text overflows one a few pixels high or wide onto what is behind it. */
const SIZES = ['height', 'width', 'block-size', 'inline-size'].flatMap((size) => [
  new RegExp(`^${size}$`),
  new RegExp(`^max-${size}$`),
]);
/** A size in pixels below what one letter needs (a share of a box not known here is not). */
const narrow = (value: string | undefined) => value !== undefined && (length(value)?.px ?? TINY) < TINY;

/** Backgrounds painted over others, each once, at most MOST_BEHIND: the inner ones first. */
export function together(inner: readonly string[], behind: readonly string[]): readonly string[] {
  if (inner.length === 0) return behind;
  return [...new Set([...inner, ...behind])].slice(0, MOST_BEHIND);
}

/** A backdrop inside another: the inner one alone if it covers, else both (at most MOST_BEHIND values). */
export function within(inner: Backdrop | undefined, behind: readonly string[]): readonly string[] {
  if (!inner) return behind;
  if (inner.covering || behind.length === 0) return inner.values;
  return [...inner.values, ...behind].slice(0, MOST_BEHIND);
}

/** A background value: its tokens, and the ways it may paint behind text, each as its colours (backgroundColours). */
export interface Background {
  tokens: ReadonlySet<string>;
  colours: ReturnType<typeof backgroundColours>;
}

/** Background values read so far: the same backdrop is read for each styled element inside it (diff22-review T1). */
const READ = new Map<string, Background>();
const MOST_REMEMBERED = 256;

/** A background value read, once while it is remembered. */
export function backgroundOf(value: string): Background {
  let read = READ.get(value);
  if (!read) {
    if (READ.size >= MOST_REMEMBERED) READ.clear();
    read = { tokens: new Set(valuesOf(value)), colours: backgroundColours(value) };
    READ.set(value, read);
  }
  return read;
}

/**
 * Whether an element is a box its background is behind a block in: a `display` its style applies, or else what
 * the element is (`special`). An inline element displayed as a block does paint behind one (diff24-review B1: a
 * `<span style="display:block; background:#fff">` holding a `<div>`); a block displayed inline paints on its lines
 * only (B1d). A `display` not read surely here (a var(), a keyword not listed) leaves what the element is.
 */
export function blockDisplay(style: string | undefined, special: boolean): boolean {
  if (!style || !/display|\\/i.test(style)) return special;
  const display = appliedValue(style, 'display')?.replace(/\s+/g, ' ');
  if (display === undefined) return special;
  if (/^(?:inline|inline flow|flow inline)$/.test(display)) return false;
  return (
    /^(?:block|inline-block|flex|inline-flex|grid|inline-grid|table|inline-table|list-item|flow-root)$/.test(display) ||
    special
  );
}

/** What may move a box, or take it out of its parent's (escapes not yet decoded). */
const MOVING = /position|float|top|left|right|bottom|inset|margin|translate|transform|\\/i;
/** An offset this small (a superscript's nudge) leaves the text on what its parent paints. */
const NUDGE = 8;

/**
 * Whether a style moves its box off the backgrounds its parent paints (diff23-review R2d): positioned away
 * (`absolute`, `fixed`, or `relative` with an offset), floated out of a parent it no longer gives a height,
 * translated, or pulled by a negative margin. Its text is then judged against every background around it,
 * a covering one's too. An offset not worked out here (a share, a calc()) counts as a move.
 */
export function moved(style: string | undefined): boolean {
  if (!style || !MOVING.test(style)) return false;
  const applied = appliedValues(style);
  const position = applied.get('position');
  if (position === 'absolute' || position === 'fixed') return true;
  if (/^(?:left|right|inline-start|inline-end)$/.test(applied.get('float') ?? '')) return true;
  const away = (value: string | undefined, negative = false) =>
    value !== undefined &&
    valuesOf(value).some((token) => {
      if (/^(?:auto|none|0)$/.test(token)) return false;
      const offset = length(token);
      if (offset === undefined || offset.px === undefined) return !negative || token.startsWith('-');
      return negative ? offset.px <= -NUDGE : Math.abs(offset.px) >= NUDGE;
    });
  const offsets = ['top', 'left', 'right', 'bottom', 'inset', 'inset-block', 'inset-inline'].flatMap((offset) =>
    offset.startsWith('inset-') ? [offset, `${offset}-start`, `${offset}-end`] : [offset],
  );
  if (position === 'relative' && offsets.some((offset) => away(applied.get(offset)))) return true;
  const margins = ['margin', 'margin-top', 'margin-left', 'margin-block', 'margin-block-start', 'margin-inline-start'];
  if (margins.some((margin) => away(applied.get(margin), true))) return true;
  const transform = applied.get('transform');
  return away(applied.get('translate')) || (transform !== undefined && /translate|matrix/.test(transform));
}
