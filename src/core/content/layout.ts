/**
 * How an element's box is laid out, as far as what is painted behind its text goes (inherited.ts): whether its
 * background is behind a block inside it, whether it makes the boxes in it blocks, whether it moves its box off
 * the backgrounds its parent paints, and whether its width and height size it. Every declaration counts, as in
 * styles.ts: a browser drops a later one it cannot read, so telling which one applies needs each property's
 * grammar (diff26-review H1, diff27-review A1, A2). Declarations that disagree count the way that leaves more
 * backgrounds behind the text: a box that may move has moved, a box that may be a block or not is both.
 */
import { valuesOf } from './colours.ts';
import { length } from './css-lengths.ts';
import { SPECIAL } from './html-tree.ts';
import { readStyle } from './read-style.ts';

export interface Layout {
  /** Its background is behind a block inside it: yes, no, or either. */
  block: boolean | 'either';
  /** It makes the boxes in it blocks (a flex or grid container: diff26-review M4). */
  blockifies: boolean;
  /** Its box may be moved off its parent's backgrounds (diff23-review R2d). */
  moved: boolean;
  /**
   * Its width and height size it (not an inline box, which has no size of its own, nor a table or its part,
   * which grow to hold their text: diff26-review M7), so that a box a few pixels high does not hold its text.
   */
  sized: boolean;
}

/** An offset this small (a superscript's `top: -0.5em`) leaves the text on what its parent paints. */
const NUDGE = 12;
/** What may lay a box out otherwise than by its name, or move it (escapes not yet decoded). */
const LAYOUT = /display|position|float|top|left|right|bottom|inset|margin|translate|transform|rotate|scale|offset|\\/i;
/** Elements a browser displays as blocks that HTML's parser does not single out, and one it does that is inline. */
const BLOCKS = new Set(['legend', 'optgroup']);
/** Displays that make a box whose background is behind what it holds: not an inline box of lines (A3). */
const ATOMIC = /^(?:flow-root|flex|grid|table|-webkit-box|-webkit-flex|-webkit-inline-box|-webkit-inline-flex)$/;
const BLOCKIFYING = /^(?:(?:inline-)?(?:flex|grid)|-webkit-(?:inline-)?(?:box|flex)|(?:block|inline) (?:flex|grid))$/;

/**
 * The layout a style gives an element: `name`, what it is; `blockified`, whether its parent makes it a block;
 * `table`, whether it is a table or one of its parts.
 */
export function layoutOf(style: string | undefined, name: string, blockified: boolean, table: boolean): Layout {
  const named = (SPECIAL.has(name) && name !== 'applet') || BLOCKS.has(name) || blockified;
  if (!style || !LAYOUT.test(style)) return { block: named, blockifies: false, moved: false, sized: named && !table };
  const read = readStyle(style);
  if (typeof read === 'string') return { block: 'either', blockifies: false, moved: true, sized: true };
  const values = (property: RegExp) => read.declarations.filter(([p]) => property.test(p)).map(([, v]) => v);
  const displays = values(/^display$/);
  const [floats, positions] = [values(/^float$/), values(/^position$/)];
  const isFloat = (v: string) => /^(?:left|right|inline-start|inline-end)$/.test(v);
  const isOut = (v: string) => /^(?:absolute|fixed)$/.test(v);
  // Taken out of the flow, or a flex or grid item, a box is a block whatever its display (CSS 2 §9.7).
  const out = (floats.length > 0 && floats.every(isFloat)) || (positions.length > 0 && positions.every(isOut));
  // Each display read: a block, an inline box of lines, or what the element is (revert, contents, a word unknown).
  const readings = new Set(displays.map((display) => displayed(display, named)));
  if (floats.some(isFloat) || positions.some(isOut)) readings.add(true);
  const block: Layout['block'] =
    out || blockified ? true : readings.size === 0 ? named : readings.size === 1 ? [...readings][0]! : 'either';
  // A <details> puts what it holds in a box of its own: its display makes no flex items (diff27-review A8); a box
  // of `display: contents` passes its parent's on.
  const contents = displays.length > 0 && displays.every((display) => display === 'contents');
  const blockifies = contents
    ? blockified
    : name !== 'details' && displays.length > 0 && displays.every((display) => BLOCKIFYING.test(display));
  const tabled = displays.length > 0 ? displays.some((display) => /table/.test(display)) : table;
  return { block, blockifies, moved: movedBy(values, positions, block === false), sized: block !== false && !tabled };
}

/** What one display value makes of a box: a block, an inline box of lines, or either (not known here). */
function displayed(display: string, named: boolean): boolean | 'either' {
  if (display.includes('var(') || display === 'inherit') return 'either';
  if (display === 'initial' || display === 'unset') return false;
  const words = display.split(' ');
  if (words.includes('inline') || /^(?:ruby|math|run-in|inline-list-item)$/.test(display))
    return words.some((word) => ATOMIC.test(word));
  if (/^(?:inline-|-webkit-|table-)/.test(display)) return true;
  return /\b(?:block|flow|flow-root|list-item|table|flex|grid)\b/.test(display) || named;
}

/**
 * Whether a box may be moved off its parent's backgrounds: positioned away (`absolute`, `fixed`, or `relative`
 * with an offset), floated out of a parent it no longer gives a height, transformed (a translation past a nudge,
 * a rotation, a flip or a scale, a depth under a perspective), or pulled by a negative margin (an inline box's
 * vertical margins move nothing). A value not worked out here (a var(), inherit, a unit or function not read)
 * counts as a move.
 */
function movedBy(values: (property: RegExp) => string[], position: string[], inline: boolean): boolean {
  const unknown = (value: string) => value.includes('var(') || value === 'inherit';
  if (position.some((p) => /^(?:absolute|fixed)$/.test(p) || unknown(p))) return true;
  if (values(/^float$/).some((f) => !/^(?:none|initial|unset|revert|revert-layer)$/.test(f))) return true;
  const away = (value: string, negative: boolean, share = 10) =>
    unknown(value) ||
    valuesOf(value).some((token) => {
      if (/^(?:auto|none|0|initial|unset|revert|revert-layer)$/.test(token)) return false;
      const offset = length(token);
      const px = offset?.px ?? (offset?.percent === undefined ? undefined : offset.percent * share);
      // Not worked out: a function (`round(-40px, 1px)`, `env()`) may be negative; a word, or a unit not read, is
      // read by its sign (diff27-review A2).
      if (px === undefined) return !negative || token.startsWith('-') || token.includes('(');
      return negative ? px <= -NUDGE : Math.abs(px) >= NUDGE;
    });
  // Sticky stays within its parent; relative moves by its offsets.
  const offsets = /^(?:top|left|right|bottom|inset(?:-block|-inline)?(?:-start|-end)?)$/;
  if (position.some((p) => p === 'relative') && values(offsets).some((v) => away(v, false))) return true;
  const margins = inline ? /^margin(?:-left|-right|-inline(?:-start|-end)?)?$/ : /^margin(?:-.+)?$/;
  if (values(margins).some((v) => away(v, true))) return true;
  if (values(/^translate$/).some((v) => away(v, false, 0.24))) return true;
  if (values(/^(?:offset|offset-path)$/).some((v) => v !== 'none')) return true;
  if (values(/^rotate$/).some((v) => !/^(?:none|[+-]?0(?:\.0*)?(?:deg|rad|grad|turn)?)$/.test(v))) return true;
  if (values(/^scale$/).some((v) => !/^(?:none|(?:1(?:\.0*)?|100%)(?: (?:1(?:\.0*)?|100%)){0,2})$/.test(v)))
    return true;
  return values(/^transform$/).some(transformMoves);
}

/**
 * A transform that may move the box: a translation past a nudge (a share of its own size from half), a scale
 * but 1, a rotation, a skew, a matrix, a depth under a perspective (diff27-review A4). Function names are found
 * only where a name starts, so a long word is read once (A10).
 */
function transformMoves(transform: string): boolean {
  if (/^(?:none|initial|unset|revert|revert-layer)$/.test(transform)) return false;
  if (transform.includes('var(') || transform === 'inherit') return true;
  for (const [, name, args] of transform.matchAll(/(?<![\w-])([a-z][\w-]*)\(([^()]*(?:\([^()]*\)[^()]*)*)\)/g)) {
    const values = args!.split(/\s*,\s*|\s+/).filter(Boolean);
    if (name === 'perspective') continue;
    // A depth moves the box only under a perspective (this one's, or its parent's): any but none counts.
    if (name === 'translatez') {
      if (values[0] !== '0') return true;
    } else if (/^translate(?:x|y|3d)?$/.test(name!)) {
      const planar = name === 'translate3d' ? values.slice(0, 2) : values;
      if (planar.some((v) => v !== '0' && !nudge(v)) || (name === 'translate3d' && values[2] !== '0')) return true;
    } else if (/^scale(?:x|y|z|3d)?$/.test(name!)) {
      if (values.some((v) => !/^(?:1(?:\.0*)?|100%)$/.test(v))) return true;
    } else return true;
  }
  return false;
}

/** A translation by this token stays within a nudge (a share of the box's own size, for a line 24px high). */
function nudge(token: string): boolean {
  const offset = length(token);
  const px = offset?.px ?? (offset?.percent === undefined ? undefined : offset.percent * 0.24);
  return px !== undefined && Math.abs(px) < NUDGE;
}
