/**
 * CSS lengths as the hidden-content check reads them (styles.ts): in pixels for a 16px font and a
 * 1000px-wide viewport, math functions of lengths included, and the sizes below which nothing shows.
 */
import { splitAtDepth } from './colour-spaces.ts';
import { own } from '../model/own.ts';

/** Far enough out to be off any page: what "off-screen" techniques use (-9999px, -10000em). */
export const FAR = 500;
/** Text smaller than this many CSS pixels cannot be read. */
export const TINY = 4;
/** An opacity or alpha at or below this shows nothing. */
export const FAINT = 0.05;

/** Pixels per unit, for a 16px font and a 1000px-wide viewport (a preview's order of magnitude). */
const PX: Record<string, number> = {
  '': 1,
  px: 1,
  pt: 4 / 3,
  pc: 16,
  in: 96,
  cm: 96 / 2.54,
  mm: 96 / 25.4,
  q: 96 / 101.6,
  em: 16,
  rem: 16,
  ex: 8,
  ch: 8,
  cap: 11,
  ic: 16,
  lh: 24,
  vw: 10,
  vh: 10,
  vmin: 10,
  vmax: 10,
};

/**
 * A CSS length in pixels, a percentage as { percent }, or undefined for anything else (`auto`, a sum in a
 * `calc()`). Math functions are read where their arguments are lengths: `calc(0px)`, a product with a zero
 * factor (`calc(0 * 1px)`), `min()`, `max()` and `clamp()` of lengths (hidden-review 6, diff5-review F5),
 * nested at most a few deep.
 */
export function length(token: string, depth = 0): { px?: number; percent?: number } | undefined {
  const math = /^(calc|min|max|clamp)\((.*)\)$/.exec(token);
  // Worked out where every term is known (`calc(1px - 1px)`, `calc(1em / 100)`: diff39-review E8); else read as before.
  // A number is no length, not even 0 (`calc(5 - 5)`: the declaration is dropped, diff40-review F8).
  const worked = math && depth === 0 ? mathValue(token) : undefined;
  if (worked) return worked.unit === '%' ? { percent: worked.n } : worked.unit === 'px' ? { px: worked.n } : undefined;
  if (math) {
    if (depth > 4) return undefined;
    if (math[1] === 'calc') {
      const factors = splitAtDepth(math[2]!.replace(/\*/g, ' * '), ' ').filter((f) => f !== '' && f !== '*');
      const product = /\*/.test(math[2]!) && !factors.some((f) => f === '+' || f === '-');
      if (
        factors.length > 1 &&
        product &&
        factors.some((f) => length(f, depth + 1)?.px === 0 || /^[+-]?0*\.?0+$/.test(f))
      )
        return { px: 0 };
      return factors.length === 1 ? length(factors[0]!, depth + 1) : undefined;
    }
    const px = splitAtDepth(math[2]!, ',').map((arg) => length(arg.trim(), depth + 1)?.px);
    if (px.some((v) => v === undefined)) return undefined;
    const [a, b, c] = px as number[];
    if (math[1] === 'clamp') return px.length === 3 ? { px: Math.max(a!, Math.min(b!, c!)) } : undefined;
    return { px: math[1] === 'min' ? Math.min(...(px as number[])) : Math.max(...(px as number[])) };
  }
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)([a-z]*|%)$/.exec(token);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2] === '%') return { percent: n };
  const unit = own(PX, m[2]!);
  // A bare number is a length only when it is zero.
  return unit === undefined || (m[2] === '' && n !== 0) ? undefined : { px: n * unit };
}

export const far = (token: string) => {
  const l = length(token);
  return l !== undefined && ((l.px ?? 0) <= -FAR || (l.percent ?? 0) <= -100);
};
export const tiny = (token: string) => {
  const l = length(token);
  return l !== undefined && ((l.px !== undefined && l.px < TINY) || (l.percent !== undefined && l.percent < 25));
};
export const zero = (token: string) => {
  const l = length(token);
  return l !== undefined && (l.px ?? l.percent) === 0;
};
export const faint = (token: string) => {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(%?)$/i.exec(token);
  if (m !== null) return Number(m[1]) / (m[2] ? 100 : 1) <= FAINT;
  // A math function of numbers (`calc(0)`, `min(1, 0)`: diff39-review E8).
  const worked = /^(?:calc|min|max|clamp)\(/i.test(token) ? mathValue(token) : undefined;
  return worked !== undefined && worked.unit !== 'px' && worked.n / (worked.unit === '%' ? 100 : 1) <= FAINT;
};

/** A value of CSS math: a number, a length in pixels, or a percentage. */
type Quantity = { n: number; unit: '' | 'px' | '%' };

/**
 * A CSS math function worked out (`calc()` with `+ - * /` and parentheses, `min()`, `max()`, `clamp()`, nested),
 * when every term is a number, a length or a percentage and the units agree; undefined otherwise (a `var()`, a
 * length added to a percentage). Read in one pass over at most 256 characters.
 */
export function mathValue(text: string): Quantity | undefined {
  const source = text.trim().toLowerCase();
  if (source.length > 256) return undefined;
  let at = 0;
  const space = () => {
    while (source[at] === ' ' || source[at] === '\t' || source[at] === '\n') at++;
  };
  const sum = (): Quantity | undefined => {
    let left = product();
    for (space(); left && (source[at] === '+' || source[at] === '-'); space()) {
      // CSS wants white space on both sides of + and - (`1px -1px` is two values: the declaration is dropped).
      if (!/\s/.test(source[at - 1] ?? '') || !/\s/.test(source[at + 1] ?? '')) return undefined;
      const minus = source[at++] === '-';
      const right = product();
      if (!right || right.unit !== left.unit) return undefined;
      left = { n: left.n + (minus ? -right.n : right.n), unit: left.unit };
    }
    return left;
  };
  const product = (): Quantity | undefined => {
    let left = term();
    for (space(); left && (source[at] === '*' || source[at] === '/'); space()) {
      const divide = source[at++] === '/';
      const right = term();
      if (!right || (divide ? right.unit !== '' || right.n === 0 : left.unit !== '' && right.unit !== ''))
        return undefined;
      left = { n: divide ? left.n / right.n : left.n * right.n, unit: left.unit || right.unit };
    }
    return left;
  };
  const term = (): Quantity | undefined => {
    space();
    const fn = /^(calc|min|max|clamp)?\(/.exec(source.slice(at, at + 6));
    if (fn) {
      at += fn[0].length;
      const args: Quantity[] = [];
      do {
        const arg = sum();
        if (!arg || (args[0] && args[0].unit !== arg.unit)) return undefined;
        args.push(arg);
        space();
      } while (fn[1] && fn[1] !== 'calc' && source[at] === ',' && ++at);
      if (source[at++] !== ')' || ((!fn[1] || fn[1] === 'calc') && args.length !== 1)) return undefined;
      const ns = args.map(({ n }) => n);
      const unit = args[0]!.unit;
      if (fn[1] === 'min') return { n: Math.min(...ns), unit };
      if (fn[1] === 'max') return { n: Math.max(...ns), unit };
      if (fn[1] === 'clamp')
        return args.length === 3 ? { n: Math.max(ns[0]!, Math.min(ns[1]!, ns[2]!)), unit } : undefined;
      return args[0];
    }
    const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)([a-z]*|%)/.exec(source.slice(at, at + 40));
    if (!m) return undefined;
    at += m[0].length;
    const n = Number(m[1]);
    if (m[2] === '%') return { n, unit: '%' };
    if (m[2] === '') return { n, unit: '' };
    const unit = own(PX, m[2]!);
    return unit === undefined ? undefined : { n: n * unit, unit: 'px' };
  };
  const value = sum();
  space();
  return value && at === source.length && Number.isFinite(value.n) ? value : undefined;
}

/**
 * A `font-size-adjust` that draws the text at a share of nothing (diff19-review H5): its last value a number, or
 * one worked out of numbers (`calc(0)`, `min(0, 1)`: diff20-review H3), at most 0.1.
 */
export function noShare(value: string): boolean {
  const share = splitAtDepth(value.trim(), ' ').at(-1) ?? '';
  const math = /^(calc|min|max|clamp)\(([-+.\d\s,]*)\)$/.exec(share);
  if (!math && !/^[+-]?(?:\d+\.?\d*|\.\d+)$/.test(share)) return false;
  const numbers = (math?.[2] ?? share)
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
  const number = math?.[1] === 'max' ? Math.max(...numbers) : Math.min(...numbers);
  return numbers.length > 0 && !Number.isNaN(number) && number <= 0.1;
}
