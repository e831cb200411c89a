/**
 * Inline styles that keep an element's text out of view while the source still
 * holds it: not displayed, invisible, transparent or the background's colour,
 * shrunk to nothing, clipped away, or moved far off the page. The value is read
 * as CSS reads it (comments dropped, escapes decoded, any declaration of a
 * property counts: a browser skips a later one it cannot parse). The attribute
 * value reaches here with its character references already decoded (html.ts).
 */

import { colourOf, INDISTINCT, surelyColour, unreadableColour, valuesOf } from './colours.ts';
import { schemesOf } from './colour-schemes.ts';
import { effective } from './cascade.ts';
import type { Declaration } from './cascade.ts';
import { coveringShadows, masked, outlineCovers } from './covers.ts';
import { lettersDrawn, paintsBehind, shows, textColour } from './drawn.ts';
import { faint, FAINT, FAR, far, length, noShare, tiny, TINY, zero } from './css-lengths.ts';
import { clippedAway, overflowCut, rotatedAway, transformedAway } from './transforms.ts';
import { PREVIEW_BACKGROUND } from './preview-background.ts';
import { readStyle } from './read-style.ts';
import { backgroundOf } from './backdrop.ts';
import type { Background } from './backdrop.ts';

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

/** A colour see-through enough to show nothing, however it is written (`color-mix(… transparent)`: diff14-review C1). */
function seeThrough(value: string, colour: ReturnType<typeof colourOf>): boolean {
  return clear(value) || (colour?.alpha() ?? 1) <= FAINT;
}

const BACKGROUND = /^background(?:-color|-image)?$/;
const BOX_SHADOW = /^(?:-webkit-)?box-shadow$/;

/** Past any viewport's right or bottom edge. */
const beyond = (token: string) => {
  const l = length(token);
  return (l?.percent ?? 0) >= 100 || (l?.px ?? 0) >= 10 * FAR;
};

/** Distinct text colours, and background values, a style is read with at most (then it counts as hiding). */
const MAX_COMPARED = 32;

/** What the other declarations of the same style say, where a declaration hides or not by them. */
interface Around {
  /** A background clipped to the letters, a text shadow or a stroke: a transparent fill still shows them. */
  drawn: () => boolean;
  /** A fill colour paints the letters (`-webkit-text-fill-color`): then `color` does not. */
  filled: boolean;
  /** Whether it is placed in the viewport, or placed at all (`position` other than static). */
  fixed: boolean;
  positioned: boolean;
  /** The colours of inset box shadows that cover the text: more backgrounds (drawn.ts). */
  covers: readonly string[];
  /** Whether the style's own backgrounds, or those behind it, paint anything over the page's (drawn.ts). */
  paintsBehind: () => boolean;
  /**
   * Its backgrounds and those behind it (each value once, read when a colour is judged): text of their colour
   * does not show.
   */
  backgrounds: () => Background[];
  /** How many background values the style sets. */
  backgroundCount: number;
  /** The colours judged so far, each once: a style of thousands of them judged each against every background. */
  judged: Map<string, boolean>;
  /** An outline drawn inwards over the letters, and a mask that may hide them (covers.ts): each read once. */
  outlineCovers: () => boolean;
  masked: () => boolean;
  /** Overflow hidden, clipped or scrolled: a box a few pixels high shows nothing of its text. */
  cut: { x: boolean; y: boolean };
}

/** What an element's style is read after: what it inherits, and the backgrounds painted behind its text. */
export interface Surroundings {
  /** The declarations the elements around it pass down (inherited.ts). */
  inherited: string;
  /** The backgrounds painted behind its text, unless its own colour covers its box (backdrop.ts). */
  behind: readonly string[];
}

/** A style to judge after what it inherits, over the backgrounds painted behind it (inherited.ts). */
export interface Judged extends Surroundings {
  style: string;
}

const NOTHING: Surroundings = { inherited: '', behind: [] };

/**
 * Why a style attribute hides its element ("display:none"), or undefined when it does not; read after what it
 * inherits, its colours judged against the backgrounds behind it too (`surroundings`).
 */
export function hidingStyle(style: string, surroundings: Surroundings = NOTHING): string | undefined {
  const read = readStyle(style, surroundings.inherited);
  // Grown past what is read by custom properties: not worked out, as more colours than are compared.
  if (typeof read === 'string') return read;
  const { declarations, important, ownFrom } = read;
  // An inherited colour is not the element's when the colour its own style applies (the last, an `!important`
  // one first) is one a browser surely takes (diff19-review F1: a dark panel's white text colour, judged against
  // a white card in it whose text has a colour of its own). Only a hex colour or a word: a form this check reads
  // and a browser drops, or a var() it leaves unset (diff22-review R5), takes the inherited one.
  const own = declarations.slice(ownFrom).map(([p, v], k): Declaration => [p, v, important[ownFrom + k]!]);
  const sure = (property: RegExp) => {
    const value = effective(own, property)?.[1];
    return value !== undefined && surelyColour(value);
  };
  const ownColour = { color: sure(/^color$/), '-webkit-text-fill-color': sure(/^-webkit-text-fill-color$/) };
  const replaced = (i: number) => i < ownFrom && ownColour[declarations[i]![0] as keyof typeof ownColour] === true;
  // light-dark() takes one colour in each scheme: the style is judged in each (colour-schemes.ts).
  const schemes = schemesOf(declarations);
  for (const [scheme, pairs] of schemes.entries()) {
    const applied = pairs.map(([p, v], i): Declaration => [p, v, important[i]!]);
    // A background of currentcolor is the text's colour (diff15-review P3, diff16-review B3), and so is an inset
    // box shadow's (B3h): read as the style's `color`; with none, the inherited colour on itself, unless a fill
    // colour paints the letters. A long colour in many places is not written out (a style of 10,000 of them):
    // it stays as it is, hiding.
    const colour = textColour(applied);
    const read = applied.map(([p, v, i]): Declaration =>
      colour &&
      colour !== 'currentcolor' &&
      (BACKGROUND.test(p) || BOX_SHADOW.test(p)) &&
      v.split('currentcolor').length * colour.length <= 16_384
        ? [p, v.replace(/currentcolor/g, colour), i]
        : [p, v, i],
    );
    const around = aroundOf(read, surroundings.behind);
    const painted =
      read.find(([p, v]) => BACKGROUND.test(p) && v.includes('currentcolor')) ??
      (around.covers.includes('currentcolor') ? effective(read, BOX_SHADOW) : undefined);
    if (painted && !around.drawn() && !around.filled) return `${painted[0]}:${painted[1]}`;
    const hit = read.findIndex(([property, value], i) => !replaced(i) && hides(property, value, around));
    if (hit >= 0)
      return `${declarations[hit]![0]}:${declarations[hit]![1]}${schemes.length > 1 ? ` (in the ${scheme === 0 ? 'light' : 'dark'} colour scheme)` : ''}`;
  }
  return undefined;
}

/** What the other declarations of a style say about each (`Around`), as a browser applies them. */
function aroundOf(declarations: readonly Declaration[], behind: readonly string[]): Around {
  const covers = coveringShadows(declarations);
  const backgroundValues = [
    ...new Set([...declarations.filter(([p]) => BACKGROUND.test(p)).map(([, v]) => v), ...covers, ...behind]),
  ];
  let backgrounds: Background[] | undefined;
  let painting: boolean | undefined;
  let drawn: boolean | undefined;
  let outline: boolean | undefined;
  let mask: boolean | undefined;
  const around: Around = {
    // Only what paints something draws see-through letters (diff15-review P1, P2; diff16-review B1, B2), in a
    // colour the backgrounds do not hide (B2c).
    drawn: () => (drawn ??= lettersDrawn(declarations, (c) => !onItsBackground(c, colourOf(c), around))),
    filled: !!effective(declarations, /^-webkit-text-fill-color$/, (v) => colourOf(v) !== undefined),
    covers,
    paintsBehind: () => (painting ??= behind.length > 0 || paintsBehind(declarations) || covers.some(shows)),
    backgrounds: () => (backgrounds ??= backgroundValues.map(backgroundOf)),
    backgroundCount: backgroundValues.length,
    judged: new Map(),
    outlineCovers: () => (outline ??= outlineCovers(declarations)),
    masked: () => (mask ??= masked(declarations)),
    cut: overflowCut(declarations),
    fixed: declarations.some(([p, v]) => p === 'position' && v === 'fixed'),
    positioned: declarations.some(([p, v]) => p === 'position' && v !== 'static'),
  };
  return around;
}

/**
 * Whether text of colour `value` (read as `text`) cannot be told from every colour some background of the style
 * paints, a gradient's stops included (diff5-review F5), or is that background written the same way (a var(),
 * a colour the library does not read). Each value is judged once (a style of thousands of them judged against
 * every background); past MAX_COMPARED, which one the browser takes is not worked out here: hidden.
 */
function onItsBackground(value: string, text: ReturnType<typeof colourOf>, around: Around): boolean {
  const known = around.judged.get(value);
  if (known !== undefined) return known;
  if (around.judged.size >= MAX_COMPARED || around.backgroundCount > MAX_COMPARED) return true;
  const hidden = around
    .backgrounds()
    .some(
      ({ tokens, colours }) =>
        tokens.has(value) ||
        colours === undefined ||
        (text !== undefined &&
          colours.some((way) => way.length > 0 && way.every((c) => c.contrast(text) < INDISTINCT))),
    );
  around.judged.set(value, hidden);
  return hidden;
}

/** A box no line high (`line-height`), its overflow cut: its text is cut away (diff19-review M1). */
function lineless(value: string, around: Around): boolean {
  return around.cut.y && (faint(value) || (length(value)?.px ?? TINY) < 1);
}

function hides(property: string, value: string, around: Around): boolean {
  // Split at blanks outside parentheses: `top: max(-9999px, -9999px)`, `font: clamp(0px, 0px, 0px) serif` (R5).
  const tokens = valuesOf(value);
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
    case 'font-size-adjust':
      return noShare(value);
    case 'line-height':
      return lineless(value, around);
    case 'font': {
      // The shorthand's size is the token before an optional `/line-height`: `0/0 a`, `italic 1px serif`; and
      // that line height cuts as `line-height` does (diff20-review M1: `14px/0`).
      const height = /\/\s*([^\s/]+)/.exec(value)?.[1];
      return tokens.some((t) => tiny(t.split('/')[0]!)) || (height !== undefined && lineless(height, around));
    }
    case 'width':
    case 'height':
    case 'max-width':
    case 'max-height':
    case 'inline-size':
    case 'block-size':
    case 'max-inline-size':
    case 'max-block-size':
      // What does not fit overflows, drawn, unless cut (diff39-review F1: `height: 0` alone hides nothing).
      return (
        around.cut[/width|inline/.test(property) ? 'x' : 'y'] && (zero(value) || (length(value)?.px ?? TINY) < TINY)
      );
    case 'color':
    case '-webkit-text-fill-color': {
      if (property === 'color' && around.filled) return false; // the letters are in the fill colour
      const text = colourOf(value); // read once: each test below needs it
      if (seeThrough(value, text)) return !around.drawn();
      if (unreadableColour(value, text)) return true;
      // The preview's own background: hidden unless the style paints another behind it.
      if (value === PREVIEW_BACKGROUND) return !around.paintsBehind();
      // The same colour however written: `white`, `#fff`, `rgb(255 255 255)`, `hsl(0 0% 100%)` (hidden-review 6).
      if (/^(?:inherit|initial|unset|revert|currentcolor)$/.test(value)) return false;
      return onItsBackground(value, text, around);
    }
    case 'mask':
    case 'mask-image':
    case '-webkit-mask':
    case '-webkit-mask-image':
      return around.masked();
    case 'outline-offset':
      return around.outlineCovers();
    case 'clip':
    case 'clip-path':
      return clippedAway(value);
    case 'transform':
    case 'rotate': // the property, as the transform it is (diff41-review E2)
      return property === 'rotate' ? rotatedAway(value) : transformedAway(value);
    case 'scale':
      return tokens.some((t) => faint(t.replace(/^-/, '')));
    case 'zoom': // Chromium and Safari shrink the element and its text; `zoom: 0` is read as 1 (normal)
      return faint(value) && !/^[+-]?0*\.?0+%?$/.test(value);
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
    case 'inset-inline':
    case 'inset-inline-start':
    case 'inset-block':
    case 'inset-block-start':
    case 'margin-inline':
    case 'margin-inline-start':
    case 'margin-block':
    case 'margin-block-start':
      // A fixed box past the viewport's end is off it (E10); of a logical pair, the start alone moves it (diff40 F10).
      if (property.startsWith('inset-') && !around.positioned) return false; // a static box is not moved
      return (
        (/^(?:margin|inset)-(?:block|inline)$/.test(property) ? tokens.slice(0, 1) : tokens).some(far) ||
        (around.fixed && /^(?:left|top|inset)/.test(property) && tokens.some(beyond))
      );
    default:
      return false;
  }
}
