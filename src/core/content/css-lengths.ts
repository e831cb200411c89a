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
  return m !== null && Number(m[1]) / (m[2] ? 100 : 1) <= FAINT;
};

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
