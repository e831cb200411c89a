/**
 * Whether a style moves its box off the backgrounds its parent paints (layout.ts): positioned away, floated out,
 * transformed, or pulled by a negative margin, past a little. Little moves add up (diff29-review B2–B4).
 */
import { valuesOf } from './colours.ts';
import { length } from './css-lengths.ts';

/** A move up or down this small (a superscript's `top: -0.75em`) leaves the text on what its parent paints. */
const NUDGE = 12;
/**
 * A move across this small leaves most of its lines on the parent (a line is wide, not tall: an indent, a list
 * pulled left: diff28-review), as do a small turn or scale about the box's centre (a sticker, a heading).
 */
const ACROSS = 32;
const TURN = 5;
const SCALED = [0.9, 1.1] as const;
/**
 * Whether a box may be moved off its parent's backgrounds: positioned away (`absolute`, `fixed`, or `relative`
 * with an offset), floated out of a parent that does not hold its floats, transformed (a translation past a
 * nudge, a turn, a flip or a scale past a little, a depth), or pulled by a negative margin (an inline box's
 * vertical margins move nothing). Up or down past NUDGE, across past ACROSS. A value not worked out here (a
 * var(), inherit, a unit or function not read) counts as a move.
 */
export function movedBy(
  values: (property: RegExp) => string[],
  position: string[],
  box: { inline: boolean; contained: boolean; font: readonly [number, number]; wide: boolean },
  little: Set<string>,
): boolean {
  // Up or down, a nudge is less than most of a line of its own font; an em is its font's (diff29-review V1–V4).
  const tall = Math.min(NUDGE, 0.75 * box.font[0]);
  const em = box.font[1] / 16;
  const unknown = (value: string) => value.includes('var(') || value === 'inherit';
  if (position.some((p) => /^(?:absolute|fixed)$/.test(p) || unknown(p))) return true;
  const floats = values(/^float$/).some((f) => !/^(?:none|initial|unset|revert|revert-layer)$/.test(f));
  if (floats && !box.contained) return true;
  const beyond = (token: string, limit: number, negative: boolean, share: number, key: string) => {
    if (/^(?:auto|none|0|initial|unset|revert|revert-layer)$/.test(token)) return false;
    if (unknown(token)) return true;
    const offset = length(token);
    const ems = /\d(?:em|ex|ch|cap|ic|lh)$/.test(token) ? em : 1;
    const px =
      offset?.px === undefined ? (offset?.percent === undefined ? undefined : offset.percent * share) : offset.px * ems;
    // Not worked out: a function (`round(-40px, 1px)`, `env()`) may be negative; a word, or a unit not read, is
    // read by its sign (diff27-review A2).
    if (px === undefined) return !negative || token.startsWith('-') || token.includes('(');
    const far = negative ? px < -limit : Math.abs(px) > limit;
    if (!far && px !== 0) little.add(key);
    return far;
  };
  // Each side of a property: its values as CSS gives them to top, right, bottom and left (one to four).
  const sides = (value: string) => {
    const [top = '', right = top, bottom = top, left = right] = unknown(value) ? [value] : valuesOf(value);
    return { vertical: [top, bottom], across: [right, left] };
  };
  const moves = (property: RegExp, negative: boolean, across: boolean, share = 10) =>
    values(property).some((value) =>
      valuesOf(value).some((token) => beyond(token, across ? ACROSS : tall, negative, share, property.source)),
    );
  const shorthand = (property: RegExp, negative: boolean, vertical = true) =>
    values(property).some((value) => {
      const { vertical: v, across: a } = sides(value);
      const key = property.source;
      return (
        (vertical && v.some((t) => beyond(t, tall, negative, 10, key))) ||
        a.some((t) => beyond(t, ACROSS, negative, 10, key))
      );
    });
  // Sticky stays within its parent; relative moves by its offsets.
  if (position.some((p) => p === 'relative')) {
    if (moves(/^(?:top|bottom|inset-block(?:-start|-end)?)$/, false, false)) return true;
    if (moves(/^(?:left|right|inset-inline(?:-start|-end)?)$/, false, true) || shorthand(/^inset$/, false)) return true;
  }
  if (!box.inline && moves(/^margin-(?:top|bottom|block(?:-start|-end)?)$/, true, false)) return true;
  if (moves(/^margin-(?:left|right|inline(?:-start|-end)?)$/, true, true) || shorthand(/^margin$/, true, !box.inline))
    return true;
  // A turn or scale of a wide box, or about an origin set, moves its ends far: any counts.
  const origin = values(/^transform-origin$/).length > 0 || box.wide;
  for (const value of values(/^translate$/)) {
    const [x = '0', y = '0', z = '0'] = unknown(value) ? [value, value] : valuesOf(value);
    const far = (t: string, limit: number, share: number) => beyond(t, limit, false, share, 'translate');
    if (far(x, ACROSS, 4) || far(y, tall, 0.24) || far(z, 0, 0)) return true;
  }
  if (values(/^(?:offset|offset-path)$/).some((v) => v !== 'none')) return true;
  const turned = (v: string) => valuesOf(v).length === 1 && turn(v, origin, little, 'rotate');
  if (values(/^rotate$/).some((v) => v !== 'none' && !turned(v))) return true;
  if (values(/^scale$/).some((v) => v !== 'none' && !valuesOf(v).every((f) => slight(f, origin, little, 'scale'))))
    return true;
  return values(/^transform$/).some((value) => transformMoves(value, origin, little, { tall, em }));
}

/** A turn of at most TURN degrees about the box's centre (no origin set): an angle in any unit. */
function turn(angle: string, origin: boolean, little: Set<string>, key: string): boolean {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(deg|rad|grad|turn)?$/.exec(angle);
  if (!m || (m[2] === undefined && Number(m[1]) !== 0)) return false;
  const degrees = Number(m[1]) * { deg: 1, rad: 180 / Math.PI, grad: 0.9, turn: 360 }[m[2] ?? 'deg']!;
  if (degrees === 0) return true;
  little.add(key);
  return !origin && Math.abs(degrees) <= TURN;
}

/** A scale factor of 1, or of a little either way about the box's centre (no origin set). */
function slight(factor: string, origin: boolean, little: Set<string>, key: string): boolean {
  const m = /^((?:\d+\.?\d*|\.\d+))(%?)$/.exec(factor);
  if (!m) return false;
  const f = Number(m[1]) / (m[2] ? 100 : 1);
  if (f === 1) return true;
  little.add(key);
  return !origin && f >= SCALED[0] && f <= SCALED[1];
}

/**
 * A transform that may move the box: a translation past a nudge (a share of its own size), a scale or turn past
 * a little, a skew, a matrix, a depth (diff27-review A4). Function names are found only where a name starts, so
 * a long word is read once (A10).
 */
function transformMoves(
  transform: string,
  origin: boolean,
  little: Set<string>,
  limits: { tall: number; em: number },
): boolean {
  if (/^(?:none|initial|unset|revert|revert-layer)$/.test(transform)) return false;
  if (transform.includes('var(') || transform === 'inherit') return true;
  let index = 0;
  for (const [, name, args] of transform.matchAll(/(?<![\w-])([a-z][\w-]*)\(([^()]*(?:\([^()]*\)[^()]*)*)\)/g)) {
    const values = args!.split(/\s*,\s*|\s+/).filter(Boolean);
    const [x = '0', y = '0', z = '0'] = values;
    if (name === 'perspective') continue;
    const key = `transform ${index++}`;
    const near = (t: string, across: boolean) => nudge(t, across, little, key, limits);
    const moved =
      name === 'translatez'
        ? x !== '0'
        : name === 'translate' || name === 'translate3d'
          ? !near(x, true) || !near(y, false) || (name === 'translate3d' && z !== '0')
          : name === 'translatex'
            ? !near(x, true)
            : name === 'translatey'
              ? !near(x, false)
              : /^scale(?:x|y|z|3d)?$/.test(name!)
                ? !values.every((v) => slight(v, origin, little, key))
                : name === 'rotate' || name === 'rotatez'
                  ? !turn(x, origin, little, key)
                  : true;
    if (moved) return true;
  }
  return false;
}

/** A translation by this token stays within a nudge: across or up and down, a share of the box's own size. */
function nudge(
  token: string,
  across: boolean,
  little: Set<string>,
  key: string,
  limits: { tall: number; em: number },
): boolean {
  if (token === '0') return true;
  const offset = length(token);
  const ems = /\d(?:em|ex|ch|cap|ic|lh)$/.test(token) ? limits.em : 1;
  const share = offset?.percent === undefined ? undefined : offset.percent * (across ? 4 : 0.24);
  const px = offset?.px === undefined ? share : offset.px * ems;
  if (px !== 0) little.add(key);
  return px !== undefined && Math.abs(px) <= (across ? ACROSS : limits.tall);
}
