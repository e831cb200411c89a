/**
 * Geometry that takes an element's text off the page (styles.ts): a transform that squashes it to nothing, turns it
 * edge-on or behind the viewer, or moves it far off the top or the left, functions composed in order; and a clip
 * path that leaves nothing of its box.
 */
import { faint, FAINT, FAR, far, length } from './css-lengths.ts';
import type { Declaration } from './cascade.ts';

/** An angle in radians (`deg`, `rad`, `grad`, `turn`; a bare 0), or undefined. */
function angle(token: string): number | undefined {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(deg|rad|grad|turn)?$/i.exec(token);
  if (!m || (!m[2] && Number(m[1]) !== 0)) return undefined;
  const per = { deg: Math.PI / 180, rad: 1, grad: Math.PI / 200, turn: 2 * Math.PI, '': 0 };
  return Number(m[1]) * per[(m[2] ?? '').toLowerCase() as keyof typeof per];
}

/** A number, or undefined. */
const number = (token: string) => (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/.test(token) ? Number(token) : undefined);

/**
 * The 2D part of a transform as a matrix [a, b, c, d, e, f] (CSS's `matrix()`), each function applied in order, with
 * how deep `translateZ` goes and the `perspective()` it is seen through; undefined where a function or an argument
 * is not worked out here (a percentage, a `var()`, `matrix3d()`).
 */
function composed(value: string) {
  let [a, b, c, d, e, f] = [1, 0, 0, 1, 0, 0];
  // Depth counts only past a perspective (what comes before it is not seen through it); turns about the page's
  // axes add up (two of 45° are edge-on: diff40-review E1, F11), seen as a squash of the other axis at the end.
  let [z, perspective, aboutX, aboutY] = [0, Infinity, 0, 0];
  const then = (m: readonly number[]) => {
    [a, b, c, d, e, f] = [
      a * m[0]! + c * m[1]!,
      b * m[0]! + d * m[1]!,
      a * m[2]! + c * m[3]!,
      b * m[2]! + d * m[3]!,
      a * m[4]! + c * m[5]! + e,
      b * m[4]! + d * m[5]! + f,
    ];
  };
  const functions = [...value.matchAll(/(?<![a-z0-9-])([a-z0-9]+)\(([^)]*)\)/gi)];
  if (functions.map(([whole]) => whole).join(' ') !== value.replace(/\s+/g, ' ').trim()) return undefined;
  for (const [, name, args] of functions) {
    const list = args!.split(/\s*,\s*|\s+/).filter(Boolean);
    const px = list.map((t) => length(t)?.px);
    const n = list.map(number);
    const turn = angle(list[0] ?? '');
    switch (name!.toLowerCase()) {
      case 'translate':
      case 'translate3d':
        if (px[0] === undefined || (list.length > 1 && px[1] === undefined)) return undefined;
        then([1, 0, 0, 1, px[0], px[1] ?? 0]);
        if (perspective < Infinity) z += name!.length > 9 ? (px[2] ?? 0) : 0;
        break;
      case 'translatex':
      case 'translatey':
        if (px[0] === undefined) return undefined;
        then(name!.toLowerCase().endsWith('x') ? [1, 0, 0, 1, px[0], 0] : [1, 0, 0, 1, 0, px[0]]);
        break;
      case 'translatez':
        if (px[0] === undefined) return undefined;
        if (perspective < Infinity) z += px[0];
        break;
      case 'scale':
      case 'scale3d':
      case 'scalex':
      case 'scaley': {
        if (n.some((v) => v === undefined)) return undefined;
        const axis = name!.toLowerCase().at(-1);
        const [x, y] = axis === 'x' ? [n[0]!, 1] : axis === 'y' ? [1, n[0]!] : [n[0]!, n[1] ?? n[0]!];
        then([x, 0, 0, y, 0, 0]);
        break;
      }
      case 'rotate':
      case 'rotatez':
        if (turn === undefined) return undefined;
        then([Math.cos(turn), Math.sin(turn), -Math.sin(turn), Math.cos(turn), 0, 0]);
        break;
      // Turned about an axis in the page: seen squashed along the other one (edge-on at a quarter turn).
      case 'rotatex':
      case 'rotatey':
        if (turn === undefined) return undefined;
        if (name!.toLowerCase() === 'rotatex') aboutX += turn;
        else aboutY += turn;
        break;
      case 'rotate3d': {
        // About one of the axes only (diff41-review E2); another axis is not worked out here.
        const [x, y, z3, by] = [n[0], n[1], n[2], angle(list[3] ?? '')];
        const axes = [x, y, z3];
        if (by === undefined || axes.includes(undefined) || axes.filter((v) => v !== 0).length !== 1) return undefined;
        if (x) aboutX += Math.sign(x) * by;
        else if (y) aboutY += Math.sign(y) * by;
        else then([Math.cos(by), Math.sin(by), -Math.sin(by), Math.cos(by), 0, 0]);
        break;
      }
      case 'matrix':
        if (n.length !== 6 || n.some((v) => v === undefined)) return undefined;
        then(n as number[]);
        break;
      case 'perspective':
        if (px[0] === undefined) return undefined;
        perspective = Math.min(perspective, px[0] > 0 ? px[0] : Infinity);
        break;
      default:
        return undefined;
    }
  }
  then([Math.cos(aboutY), 0, 0, Math.cos(aboutX), 0, 0]);
  return { matrix: [a, b, c, d, e, f], z, perspective };
}

/** A transform that shrinks the element to nothing, turns it edge-on or behind the viewer, or moves it far away. */
export function transformedAway(value: string): boolean {
  const whole = composed(value);
  if (whole) {
    const [a, b, c, d, e, f] = whole.matrix as [number, number, number, number, number, number];
    // Squashed along either axis (each axis's image is the matrix's column), or moved off the top or the left.
    if (Math.hypot(a, b) <= FAINT || Math.hypot(c, d) <= FAINT) return true;
    if (e <= -FAR || f <= -FAR) return true;
    return whole.z >= whole.perspective;
  }
  // Each function alone where the whole is not worked out (a percentage: `translateX(-100%)`), not where it is
  // (`scale(0.01) scale(100)` is drawn: diff40-review F11).
  // A name is matched only where one starts: a long word is read once, not from each of its letters (diff27-review A10).
  for (const [, fn, args] of value.matchAll(/(?<![a-z0-9])([a-z0-9]+)\(([^)]*)\)/g)) {
    const list = args!.split(/\s*,\s*|\s+/).filter(Boolean);
    if (fn!.startsWith('scale') && list.some((a) => faint(a.replace(/^-/, '')))) return true;
    if (fn!.startsWith('translate') && list.some(far)) return true;
  }
  return false;
}

/** The `rotate` property (`x 90deg`, `0 1 0 90deg`, `90deg`) as the transform it is. */
export function rotatedAway(value: string): boolean {
  const parts = value.trim().toLowerCase().split(/\s+/);
  const axis = { x: '1,0,0', y: '0,1,0', z: '0,0,1' }[parts.length === 2 ? parts[0]! : ''];
  const as = parts.length === 1 ? `rotate(${parts[0]})` : parts.length === 4 ? `rotate3d(${parts.join(',')})` : '';
  return transformedAway(axis ? `rotate3d(${axis},${parts[1]})` : as);
}

/**
 * A clip path that leaves at most a pixel of the element: `rect()` that narrow, an `inset()` whose sides meet (in
 * percentages), a circle or ellipse of no radius, a polygon of no area.
 */
export function clippedAway(value: string): boolean {
  const rect = /^rect\((.*)\)$/.exec(value);
  if (rect) {
    const [top, right, bottom, left] = rect[1]!.split(/\s*,\s*|\s+/).map((t) => length(t)?.px);
    if ([top, right, bottom, left].some((v) => v === undefined)) return false;
    return right! - left! <= 1 || bottom! - top! <= 1;
  }
  const inset = /^inset\(([^)]*)\)/.exec(value);
  if (inset) {
    // Up to four sides, as `margin` gives them (diff39-review E10: `inset(0 100% 0 0)`).
    const sides = inset[1]!
      .split(/\s+round\s/)[0]!
      .trim()
      .split(/\s+/)
      .slice(0, 4);
    const [top, right = top, bottom = top, left = right] = sides.map((t) => length(t)?.percent ?? 0);
    return top! + bottom! >= 100 || right! + left! >= 100;
  }
  const polygon = /^polygon\(([^)]*)\)$/.exec(value);
  if (polygon) return noArea(polygon[1]!);
  return /^(?:circle|ellipse)\(\s*0(?:px|%)?(?:\s|\)|$)/.test(value);
}

/** Whether a polygon's points (`x y, x y, …`, lengths or percentages, not mixed) enclose nothing. */
function noArea(points: string): boolean {
  const list = points.replace(/^\s*(?:nonzero|evenodd)\s*,/, '').split(',');
  const read = list.map((point) =>
    point
      .trim()
      .split(/\s+/)
      .map((t) => length(t)),
  );
  if (read.some((p) => p.length !== 2 || p.some((v) => v === undefined))) return false;
  const units = new Set(read.flat().map((v) => (v!.percent !== undefined ? '%' : 'px')));
  if (units.size > 1) return false;
  const xy = read.map((p) => p.map((v) => v!.percent ?? v!.px!) as [number, number]);
  let area = 0;
  for (let i = 0; i < xy.length; i++) {
    const [x1, y1] = xy[i]!;
    const [x2, y2] = xy[(i + 1) % xy.length]!;
    area += x1 * y2 - x2 * y1;
  }
  return Math.abs(area) / 2 <= 1;
}

/**
 * On which axis what leaves the box is not painted (diff20-review M1): overflow hidden, clipped or scrolled there,
 * or paint contained. One axis hidden or scrolled makes the other's `visible` scroll too; `clip` leaves it visible
 * (diff40-review F12: `height: 0; overflow-x: clip` draws its text).
 */
export function overflowCut(declarations: readonly Declaration[]): { x: boolean; y: boolean } {
  let [x, y] = ['visible', 'visible'];
  let contained = false;
  for (const [property, value] of declarations) {
    const [first = '', second = first] = value.toLowerCase().split(/\s+/);
    if (property === 'overflow') [x, y] = [first, second];
    else if (property === 'overflow-x' || property === 'overflow-inline') x = first;
    else if (property === 'overflow-y' || property === 'overflow-block') y = first;
    else if (property === 'contain' && /\b(?:paint|strict|content)\b/.test(value)) contained = true;
  }
  const scrolls = (v: string) => /^(?:hidden|auto|scroll|overlay)$/.test(v);
  const cut = (v: string, other: string) => scrolls(v) || v === 'clip' || (v === 'visible' && scrolls(other));
  return { x: contained || cut(x, y), y: contained || cut(y, x) };
}
