/**
 * How an element's box is laid out, as far as what is painted behind its text goes (inherited.ts): whether its
 * background is behind a block inside it, whether it makes the boxes in it blocks, and whether it moves its box
 * off the backgrounds its parent paints. Read as a browser applies a style: the last valid declaration of each
 * property, an `!important` one first (diff26-review H1: `position:absolute; position:nowhere` is absolute); a
 * value this does not work out (a var() of what the style does not define, `inherit`) counts the way that leaves
 * more backgrounds behind the text.
 */
import { effective } from './cascade.ts';
import type { Declaration } from './cascade.ts';
import { valuesOf } from './colours.ts';
import { length } from './css-lengths.ts';
import { readStyle } from './read-style.ts';

export interface Layout {
  /** Its background is behind a block inside it: yes, no, or not known here. */
  block: boolean | 'either';
  /** It makes the boxes in it blocks (a flex or grid container: diff26-review M4). */
  blockifies: boolean;
  /** Its box is moved off its parent's backgrounds (diff23-review R2d). */
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
/** Values every property takes, and those not known here. */
const WIDE = /^(?:inherit|initial|unset|revert|revert-layer)$/;
const UNKNOWN = (value: string) => value.includes('var(') || value === 'inherit';

/** Display values a browser reads (one to three keywords), and the inline ones among them. */
const DISPLAY =
  /^(?:none|contents|-webkit-box|-webkit-inline-box|inline-block|inline-flex|inline-grid|inline-table|inline-list-item|table-(?:row-group|header-group|footer-group|row|cell|column-group|column|caption)|ruby-(?:base|text)(?:-container)?|(?:(?:block|inline|run-in|flow|flow-root|table|flex|grid|ruby|math|list-item)(?: |$)){1,3})$/;
const INLINE =
  /^(?:inline|inline flow|flow inline|ruby|inline ruby|ruby inline|math|inline math|math inline|run-in|run-in flow)$/;
const BLOCKIFYING = /^(?:flex|inline-flex|grid|inline-grid|-webkit-box|-webkit-inline-box)$|\b(?:flex|grid)\b/;

/** Whether a value is one a browser reads for the property (the rest it drops, and an earlier one applies). */
export function valid(value: string, property: string): boolean {
  if (value.includes('var(') || WIDE.test(value)) return true;
  switch (property) {
    case 'display':
      return DISPLAY.test(value);
    case 'position':
      return /^(?:static|relative|absolute|fixed|sticky|-webkit-sticky)$/.test(value);
    case 'float':
      return /^(?:left|right|none|inline-start|inline-end)$/.test(value);
    case 'transform':
    case 'rotate':
    case 'scale':
    case 'offset-path':
      return value !== '';
    default:
      return valuesOf(value).every(
        (token) =>
          length(token) !== undefined ||
          /^(?:auto|none)$/.test(token) ||
          /^(?:calc|min|max|clamp|anchor|anchor-size)\(/.test(token),
      );
  }
}

/**
 * The layout a style gives an element: `special`, whether it is a block by name; `blockified`, by its parent;
 * `table`, whether it is a table or one of its parts by name.
 */
export function layoutOf(style: string | undefined, special: boolean, blockified: boolean, table: boolean): Layout {
  const named = { block: special || blockified, blockifies: false, moved: false, sized: !table };
  if (!style || !LAYOUT.test(style)) return { ...named, sized: named.block && !table };
  const read = readStyle(style);
  if (typeof read === 'string') return { block: 'either', blockifies: false, moved: true, sized: true };
  const applied = read.declarations.map(([p, v], i): Declaration => [p, v, read.important[i]!]);
  const value = (property: string) => effective(applied, new RegExp(`^${property}$`), valid)?.[1];
  const position = value('position');
  const float = value('float');
  const display = value('display');
  // Taken out of the flow, a box is a block whatever its display says (CSS 2 §9.7).
  const out =
    /^(?:absolute|fixed)$/.test(position ?? '') || /^(?:left|right|inline-start|inline-end)$/.test(float ?? '');
  const block: Layout['block'] =
    out || blockified
      ? true
      : display === undefined || /^(?:revert|revert-layer|contents|none)$/.test(display)
        ? special
        : UNKNOWN(display) || display === 'initial' || display === 'unset'
          ? display.includes('var(') || display === 'inherit'
            ? 'either'
            : false
          : !INLINE.test(display);
  const tabled = display === undefined || !DISPLAY.test(display) ? table : /table/.test(display);
  return {
    block,
    blockifies: display !== undefined && BLOCKIFYING.test(display),
    moved: movedBy(value, position),
    sized: block !== false && !tabled,
  };
}

/**
 * Whether the applied values move a box off its parent's backgrounds: positioned away (`absolute`, `fixed`, or
 * `relative` with an offset), floated out of a parent it no longer gives a height, transformed (a translation past
 * a nudge, a rotation, a flip), or pulled by a negative margin. A share of a box, or a calc(), counts as a move.
 */
function movedBy(value: (property: string) => string | undefined, position: string | undefined): boolean {
  if (position !== undefined && (/^(?:absolute|fixed)$/.test(position) || UNKNOWN(position))) return true;
  const float = value('float');
  if (float !== undefined && float !== 'none' && !WIDE.test(float)) return true;
  const away = (written: string | undefined, negative = false) =>
    written !== undefined &&
    valuesOf(written).some((token) => {
      if (/^(?:auto|none|0|initial|unset|revert|revert-layer)$/.test(token)) return false;
      const offset = length(token);
      if (offset === undefined || offset.px === undefined) return !negative || /^-|var\(|inherit/.test(token);
      return negative ? offset.px <= -NUDGE : Math.abs(offset.px) >= NUDGE;
    });
  const offsets = ['top', 'left', 'right', 'bottom', 'inset', 'inset-block', 'inset-inline'].flatMap((offset) =>
    offset.startsWith('inset-') ? [offset, `${offset}-start`, `${offset}-end`] : [offset],
  );
  if (position !== undefined && position !== 'static' && offsets.some((offset) => away(value(offset)))) return true;
  const margins = ['margin', 'margin-block', 'margin-inline'].flatMap((margin) => [
    margin,
    `${margin}-start`,
    `${margin}-end`,
  ]);
  if ([...margins, 'margin-top', 'margin-right', 'margin-bottom', 'margin-left'].some((m) => away(value(m), true)))
    return true;
  if (away(value('translate')) || (value('offset-path') ?? 'none') !== 'none') return true;
  if (!/^(?:none|0deg|0|0turn)?$/.test(value('rotate') ?? '')) return true;
  if (/(?:^|\s)-/.test(value('scale') ?? '')) return true;
  return transformMoves(value('transform'));
}

/** A transform that moves the box: a translation past a nudge, a rotation, a skew, a matrix, a flip (M1). */
function transformMoves(transform: string | undefined): boolean {
  if (transform === undefined || transform === 'none' || WIDE.test(transform)) return false;
  if (transform.includes('var(')) return true;
  for (const [, name, args] of transform.matchAll(/([a-z0-9-]+)\(([^()]*(?:\([^()]*\)[^()]*)*)\)/g)) {
    const values = args!.split(/\s*,\s*|\s+/).filter(Boolean);
    if (name === 'translatez') continue;
    if (/^translate(?:x|y|3d)?$/.test(name!)) {
      if (
        values.slice(0, 2).some((v) => v !== '0' && (length(v)?.px === undefined || Math.abs(length(v)!.px!) >= NUDGE))
      )
        return true;
    } else if (/^scale(?:x|y|z|3d)?$/.test(name!)) {
      if (values.some((v) => v.startsWith('-'))) return true;
    } else if (name !== 'perspective') return true;
  }
  return false;
}
