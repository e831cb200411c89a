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
import { faint, length, TINY } from './css-lengths.ts';
import { paintsBehind, shows, textColour } from './drawn.ts';
import { readStyle } from './read-style.ts';

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
export function backdropOf(style: string, inherited: string, sized = true): Backdrop | undefined {
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
  // pixels high or wide (`sized`: not a table's part, which grows to hold its text, nor an inline box, which has
  // no size of its own: diff26-review M7), sized as if empty, or no line high: its text overflows it (M5).
  const any = (property: RegExp, test: (value: string) => boolean) =>
    applied.some(([p, v]) => property.test(p) && test(v));
  const covering =
    last !== undefined &&
    valuesOf(last).some((token) => (colourOf(token)?.alpha() ?? 0) >= 1) &&
    !any(/^display$/, (v) => v === 'contents') &&
    !any(/^z-index$/, (v) => !/^(?:auto|\+?\d+)$/.test(v)) &&
    !(sized && any(SIZE, narrow)) &&
    !any(/^contain$/, (v) => /\b(?:size|strict)\b/.test(v)) &&
    !any(/^line-height$/, lineless);
  return { values: [...new Set(values)], covering };
}

/** The properties that size a box: its text overflows one a few pixels high or wide onto what is behind it. */
const SIZE = /^(?:max-)?(?:height|width|block-size|inline-size)$/;
/** A size in pixels below what one letter needs (a share of a box not known here is not). */
const narrow = (value: string) => (length(value)?.px ?? TINY) < TINY;
/** A line height of (almost) nothing: a box of lines is no height. */
const lineless = (value: string) => faint(value) || (length(value)?.px ?? TINY) < 1;

/** Backgrounds painted over others, each once, at most MOST_BEHIND: the inner ones first. */
export function together(inner: readonly string[], behind: readonly string[]): readonly string[] {
  if (inner.length === 0) return behind;
  return [...new Set([...inner, ...behind])].slice(0, MOST_BEHIND);
}

/** The backgrounds painted around an open element (inherited.ts). */
export interface Backdrops {
  /** Behind its text. */
  backdrop: readonly string[];
  /** What a block in it has behind it: an inline element's own backgrounds are on its lines only (diff23-review R2). */
  blockBackdrop: readonly string[];
  /** Every one painted around it, those a covering one hides too: what a box moved in it may be over. */
  everything: readonly string[];
}

/** No backgrounds. */
export const NONE: readonly string[] = [];

/**
 * The backgrounds behind an element that opens in `parent` (none: not known), a block or not (an inline parent's
 * are not behind a block; not known: both), or moved off the parent's (every one around it: diff23-review R2d).
 */
export function behindIn(parent: Backdrops | undefined, block: boolean | 'either', moved = false): readonly string[] {
  if (!parent) return NONE;
  if (moved) return parent.everything;
  if (block === 'either') return together(parent.blockBackdrop, parent.backdrop);
  return block ? parent.blockBackdrop : parent.backdrop;
}

/** What is around an element opening in `parent`, with backgrounds `under` it (a cell's columns) behind all else. */
export function beneath(parent: Backdrops | undefined, under: readonly string[]): Backdrops | undefined {
  if (!parent || under.length === 0) return parent;
  const over = (behind: readonly string[]) => together(under, behind);
  return {
    backdrop: over(parent.backdrop),
    blockBackdrop: over(parent.blockBackdrop),
    everything: over(parent.everything),
  };
}

/** What is around an element that is in one of two places: the backgrounds of both. */
export function either(one: Backdrops, other: Backdrops): Backdrops {
  return {
    backdrop: together(one.backdrop, other.backdrop),
    blockBackdrop: together(one.blockBackdrop, other.blockBackdrop),
    everything: together(one.everything, other.everything),
  };
}

/** What an element opening in `parent` has around it, with what it paints itself (`paints`). */
export function backdropsIn(
  parent: Backdrops | undefined,
  block: boolean | 'either',
  moved: boolean,
  paints: Backdrop | undefined,
): Backdrops {
  const backdrop = within(paints, behindIn(parent, block, moved));
  const inline = behindIn(parent, true, moved);
  const blockBackdrop = block === true ? backdrop : block === false ? inline : together(backdrop, inline);
  return { backdrop, blockBackdrop, everything: together(paints?.values ?? NONE, parent?.everything ?? NONE) };
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
