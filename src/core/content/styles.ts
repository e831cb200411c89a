/**
 * Inline styles that keep an element's text out of view while the source still
 * holds it: not displayed, invisible, transparent or the background's colour,
 * shrunk to nothing, clipped away, or moved far off the page. The value is read
 * as CSS reads it (comments dropped, escapes decoded, any declaration of a
 * property counts: a browser skips a later one it cannot parse). The attribute
 * value reaches here with its character references already decoded (html.ts).
 */

import Color from 'color';

/** Far enough out to be off any page: what "off-screen" techniques use (-9999px, -10000em). */
const FAR = 500;
/** Text smaller than this many CSS pixels cannot be read. */
const TINY = 4;
/** An opacity or alpha at or below this shows nothing. */
const FAINT = 0.05;

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

/** A CSS length in pixels, a percentage as { percent }, or undefined for anything else (`auto`, a `calc()` of more than one length). */
function length(token: string): { px?: number; percent?: number } | undefined {
  // `calc(0px)`, `calc( -9999px )`: one length in a calc() is that length (hidden-review 6).
  const calc = /^calc\(\s*([^\s()]+)\s*\)$/.exec(token);
  if (calc) return length(calc[1]!);
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)([a-z]*|%)$/.exec(token);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2] === '%') return { percent: n };
  const unit = PX[m[2]!];
  // A bare number is a length only when it is zero.
  return unit === undefined || (m[2] === '' && n !== 0) ? undefined : { px: n * unit };
}

const far = (token: string) => {
  const l = length(token);
  return l !== undefined && ((l.px ?? 0) <= -FAR || (l.percent ?? 0) <= -100);
};
const tiny = (token: string) => {
  const l = length(token);
  return l !== undefined && ((l.px !== undefined && l.px < TINY) || (l.percent !== undefined && l.percent < 25));
};
const zero = (token: string) => {
  const l = length(token);
  return l !== undefined && (l.px ?? l.percent) === 0;
};
const faint = (token: string) => {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(%?)$/.exec(token);
  return m !== null && Number(m[1]) / (m[2] ? 100 : 1) <= FAINT;
};

/** A colour that shows nothing: transparent, or an alpha at or near zero (rgba/hsla, `/ 0`, #rgba, #rrggbbaa). */
function clear(value: string): boolean {
  if (value === 'transparent') return true;
  const hex = /^#([0-9a-f]{4}|[0-9a-f]{8})$/.exec(value);
  if (hex) return parseInt(hex[1]!.length === 4 ? hex[1]!.slice(3).repeat(2) : hex[1]!.slice(6), 16) / 255 <= FAINT;
  const fn = /^(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch|color)\((.*)\)$/.exec(value);
  if (!fn) return false;
  const parts = fn[1]!.split(/\s*[,/]\s*|\s+/).filter(Boolean);
  const alpha = fn[1]!.includes('/') ? fn[1]!.split('/').pop()!.trim() : parts.length === 4 ? parts[3]! : undefined;
  return alpha !== undefined && faint(alpha);
}

/**
 * A colour as `r,g,b` (CSS's names, hex, rgb(), hsl(), hwb()), or undefined for anything else. Text of any
 * alpha on a background of its own colour shows nothing; a background must be opaque to be that colour.
 */
function rgbOf(value: string, opaque: boolean): string | undefined {
  if (/^(?:inherit|initial|unset|revert|currentcolor|transparent)$/.test(value)) return undefined;
  try {
    const colour = Color(value);
    return !opaque || colour.alpha() === 1 ? colour.rgb().round().array().slice(0, 3).join(',') : undefined;
  } catch {
    return undefined; // not a colour the library reads: lab(), color(), var()…
  }
}

/** A declaration's values, split at blanks outside parentheses: `#fff url(a b.png) no-repeat`. */
function valuesOf(value: string): string[] {
  return value.match(/(?:[^\s(]+|\([^)]*\))+/g) ?? [];
}

/** `rect(top, right, bottom, left)` that leaves at most a pixel of the element. */
function clippedAway(value: string): boolean {
  const rect = /^rect\((.*)\)$/.exec(value);
  if (rect) {
    const [top, right, bottom, left] = rect[1]!.split(/\s*,\s*|\s+/).map((t) => length(t)?.px);
    if ([top, right, bottom, left].some((v) => v === undefined)) return false;
    return right! - left! <= 1 || bottom! - top! <= 1;
  }
  const inset = /^inset\(\s*([^\s)]+)/.exec(value);
  if (inset) return (length(inset[1]!)?.percent ?? 0) >= 50;
  return /^(?:circle|ellipse)\(\s*0(?:px|%)?(?:\s|\)|$)/.test(value);
}

/** A transform that shrinks the element to nothing or moves it far away. */
function transformedAway(value: string): boolean {
  for (const [, fn, args] of value.matchAll(/([a-z0-9]+)\(([^)]*)\)/g)) {
    const list = args!.split(/\s*,\s*|\s+/).filter(Boolean);
    if (fn!.startsWith('scale') && list.some((a) => faint(a.replace(/^-/, '')))) return true;
    if (fn!.startsWith('translate') && list.some(far)) return true;
  }
  return false;
}

/** What the other declarations of the same style say, where a declaration hides or not by them. */
interface Around {
  /** A background clipped to the letters, or a text shadow: a transparent fill still shows them. */
  drawn: boolean;
  /** Its background colours: text in the same colour does not show. */
  background: string[];
  /** Overflow hidden or clipped: a box a few pixels high shows nothing of its text. */
  cut: boolean;
}

/** Why a style attribute hides its element ("display:none"), or undefined when it does not. */
export function hidingStyle(style: string): string | undefined {
  const css = style
    .replace(/\/\*[^]*?(?:\*\/|$)/g, '')
    .replace(/\\([0-9a-fA-F]{1,6})[\t\n\f\r ]?|\\([^\n0-9a-fA-F])/g, (_, hex?: string, char?: string) =>
      hex === undefined ? char! : String.fromCodePoint(Math.min(parseInt(hex, 16), 0x10ffff) || 0xfffd),
    )
    .toLowerCase();
  const declarations: [string, string][] = [];
  for (const part of css.split(';')) {
    const colon = part.indexOf(':');
    if (colon < 0) continue;
    const value = part
      .slice(colon + 1)
      .replace(/!\s*important\s*$/, '')
      .trim()
      .replace(/\s+/g, ' ');
    declarations.push([part.slice(0, colon).trim(), value]);
  }
  const around: Around = {
    drawn: declarations.some(
      ([p, v]) =>
        (/^(?:-webkit-)?background-clip$/.test(p) && v.includes('text')) || (p === 'text-shadow' && v !== 'none'),
    ),
    background: declarations.filter(([p]) => p === 'background' || p === 'background-color').map(([, v]) => v),
    cut: declarations.some(([p, v]) => /^overflow(?:-[xy])?$/.test(p) && /hidden|clip/.test(v)),
  };
  for (const [property, value] of declarations) if (hides(property, value, around)) return `${property}:${value}`;
  return undefined;
}

function hides(property: string, value: string, around: Around): boolean {
  const tokens = value.split(' ');
  switch (property) {
    case 'display':
      return value === 'none';
    case 'visibility':
      return value === 'hidden' || value === 'collapse';
    case 'content-visibility':
      return value === 'hidden';
    case 'opacity':
      return faint(value);
    case 'filter':
      return [...value.matchAll(/opacity\(\s*([^)\s]*)\s*\)/g)].some((m) => faint(m[1]!));
    case 'font-size':
      return tiny(value);
    case 'font':
      // The shorthand's size is the token before an optional `/line-height`: `0/0 a`, `italic 1px serif`.
      return tokens.some((t) => tiny(t.split('/')[0]!));
    case 'width':
    case 'height':
    case 'max-width':
    case 'max-height':
      return zero(value) || (around.cut && (length(value)?.px ?? TINY) < TINY);
    case 'color':
    case '-webkit-text-fill-color': {
      if (clear(value)) return !around.drawn;
      // The same colour however written: `white`, `#fff`, `rgb(255 255 255)`, `hsl(0 0% 100%)` (hidden-review 6).
      if (/^(?:inherit|initial|unset|revert|currentcolor)$/.test(value)) return false;
      const text = rgbOf(value, false);
      return around.background.some((b) =>
        valuesOf(b).some((token) => token === value || (text !== undefined && rgbOf(token, true) === text)),
      );
    }
    case 'clip':
    case 'clip-path':
      return clippedAway(value);
    case 'transform':
      return transformedAway(value);
    case 'scale':
      return tokens.some((t) => faint(t.replace(/^-/, '')));
    case 'zoom': // Chromium and Safari shrink the element and its text
      return faint(value);
    case 'left':
    case 'right':
    case 'top':
    case 'bottom':
    case 'inset':
    case 'margin':
    case 'margin-left':
    case 'margin-top':
    case 'text-indent':
    case 'translate':
      return tokens.some(far);
    default:
      return false;
  }
}
