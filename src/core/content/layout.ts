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
import { movedBy } from './moves.ts';
import { readStyle } from './read-style.ts';

export interface Layout {
  /** Its background is behind a block inside it: yes, no, or either. */
  block: boolean | 'either';
  /** It makes the boxes in it blocks (a flex or grid container: diff26-review M4). */
  blockifies: boolean;
  /** Its box may be moved off its parent's backgrounds (diff23-review R2d). */
  moved: boolean;
  /** It holds its floats (a block formatting context: its overflow is not visible, or it is a flow root). */
  contains: boolean;
  /** It, or a box around it, is moved a little: one more little move is a move (diff29-review B2–B4). */
  nudged: boolean;
  /** Its font's smallest and largest size in pixels, as far as worked out (its own, else its parent's). */
  font: readonly [number, number];
  /**
   * Its width and height size it (not an inline box, which has no size of its own, nor a table or its part,
   * which grow to hold their text: diff26-review M7), so that a box a few pixels high does not hold its text.
   */
  sized: boolean;
}

/** A font size not set anywhere around: a preview's 16px. */
const FONT = [16, 16] as const;
/** What may lay a box out otherwise than by its name, or move it (escapes not yet decoded). */
const LAYOUT =
  /display|position|float|top|left|right|bottom|inset|margin|translate|transform|rotate|scale|offset|overflow|font|width|inline-size|\\/i;
/** Elements a browser displays as blocks that HTML's parser does not single out, and one it does that is inline. */
const BLOCKS = new Set(['legend', 'optgroup']);
/** Displays that make a box whose background is behind what it holds: not an inline box of lines (A3). */
const ATOMIC = /^(?:flow-root|flex|grid|table|-webkit-box|-webkit-flex|-webkit-inline-box|-webkit-inline-flex)$/;
const BLOCKIFYING = /^(?:(?:inline-)?(?:flex|grid)|-webkit-(?:inline-)?(?:box|flex)|(?:block|inline) (?:flex|grid))$/;

/**
 * The layout a style gives an element: `name`, what it is; `parent`, its parent's layout (none: the document's);
 * `table`, whether it is a table or one of its parts.
 */
export function layoutOf(style: string | undefined, name: string, parent: Layout | undefined, table: boolean): Layout {
  const blockified = !!parent?.blockifies;
  const [contained, nudged, font] = [!!parent?.contains, !!parent?.nudged, parent?.font ?? FONT];
  const named = (SPECIAL.has(name) && name !== 'applet') || BLOCKS.has(name) || blockified;
  const plain = {
    block: named,
    blockifies: false,
    moved: false,
    contains: false,
    nudged,
    font,
    sized: named && !table,
  };
  if (!style || !LAYOUT.test(style)) return plain;
  const values = valuesIn(style);
  if (!values) return { ...plain, block: 'either', moved: true, sized: true };
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
  const overflows = values(/^overflow(?:-[xy])?$/);
  const contains =
    (overflows.length > 0 &&
      overflows.every((v) => valuesOf(v).every((t) => /^(?:hidden|auto|scroll|overlay)$/.test(t)))) ||
    (displays.length > 0 &&
      displays.every((d) =>
        /^(?:(?:block |inline )?flow-root|inline-block|(?:inline-)?(?:flex|grid|table)|table-cell)$/.test(d),
      ));
  const little = new Set<string>();
  const size = sizes(values, font);
  const moved = movedBy(values, positions, { inline: block === false, contained, ...size }, little);
  // Little moves add up: two on one box, or one in a box moved a little, are a move (diff29-review B2–B4).
  const summed = moved || little.size > 1 || (little.size > 0 && nudged);
  const sized = block !== false && !tabled;
  return { block, blockifies, moved: summed, contains, nudged: nudged || little.size > 0, font: size.font, sized };
}

/** Styles read so far, as their values by property: a document repeats its styles. Short ones only, a few. */
const READ = new Map<string, ((property: RegExp) => string[]) | undefined>();
const MOST_REMEMBERED = 256;
const LONGEST_REMEMBERED = 1024;

/**
 * A style's values of the properties that match, in the order written: a style's layout asks for some thirty
 * (undefined: the style grows past what is read).
 */
function valuesIn(style: string): ((property: RegExp) => string[]) | undefined {
  if (READ.has(style)) return READ.get(style);
  const read = readStyle(style);
  let values: ((property: RegExp) => string[]) | undefined;
  if (typeof read !== 'string') {
    const byProperty = new Map<string, string[]>();
    for (const [p, v] of read.declarations) byProperty.set(p, [...(byProperty.get(p) ?? []), v]);
    values = (property) => [...byProperty].flatMap(([p, written]) => (property.test(p) ? written : []));
  }
  if (style.length > LONGEST_REMEMBERED) return values;
  if (READ.size >= MOST_REMEMBERED) READ.clear();
  READ.set(style, values);
  return values;
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
 * What a style says of its box's size: its font's smallest and largest size in pixels (its parent's, `parent`,
 * where it sets none), and whether it is wide (a width past 600px, or one not worked out).
 */
function sizes(
  values: (property: RegExp) => string[],
  parent: readonly [number, number],
): { font: readonly [number, number]; wide: boolean } {
  // A share of the parent's (%, em) is of its smallest and largest; a size not worked out is small and large.
  const fonts = values(/^font-size$/).flatMap((v) => {
    const l = length(v);
    const share =
      l?.percent !== undefined ? l.percent / 100 : /\dem$/.test(v) && l?.px !== undefined ? l.px / 16 : undefined;
    if (share !== undefined) return [parent[0] * share, parent[1] * share];
    return l?.px !== undefined ? [l.px] : [Math.min(parent[0], 10), Math.max(parent[1], 32)];
  });
  const font = fonts.length === 0 ? parent : ([Math.min(...fonts), Math.max(...fonts)] as const);
  const wide = values(/^(?:min-)?(?:width|inline-size)$/).some((v) => {
    const l = length(v);
    return l === undefined ? v !== 'auto' && !v.startsWith('fit') && !/content$/.test(v) : (l.px ?? 0) > 600;
  });
  return { font, wide };
}
