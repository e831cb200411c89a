/**
 * The colours HTML's presentational attributes set (§15.3: `<font color>`, `bgcolor` on tables and the body,
 * `<body text>`), as declarations before the element's own style, which overrides them (diff22-review R7:
 * `<font color="#ffffff">` in a white box, a white span in `<td bgcolor="#ffffff">`), read by HTML's legacy
 * colour parsing. A column's (`<col bgcolor>`) is behind the cells of its table (inherited.ts).
 */
import { colourOf, surelyColour } from './colours.ts';
import { appliedValue } from './read-style.ts';
import { own } from '../model/own.ts';

/** The attributes that set a colour, per element: the property each sets. */
const HINTS: Record<string, readonly (readonly [attribute: string, property: string])[]> = {
  font: [['color', 'color']],
  body: [
    ['text', 'color'],
    ['bgcolor', 'background-color'],
  ],
  table: [['bgcolor', 'background-color']],
  thead: [['bgcolor', 'background-color']],
  tbody: [['bgcolor', 'background-color']],
  tfoot: [['bgcolor', 'background-color']],
  tr: [['bgcolor', 'background-color']],
  marquee: [['bgcolor', 'background-color']],
  td: [['bgcolor', 'background-color']],
  th: [['bgcolor', 'background-color']],
  col: [['bgcolor', 'background-color']],
  colgroup: [['bgcolor', 'background-color']],
};

/** SVG's presentation attributes that decide whether what an element holds shows (SVG 2 §6.6: diff39-review E6). */
const SVG_HINTS = ['opacity', 'visibility', 'display', 'font-size', 'transform'];
/** SVG's elements that draw text, in their `fill` (or its outline, in their `stroke`), not in their `color`. */
const SVG_TEXT = new Set(['text', 'tspan', 'textpath']);
/** MathML's presentational attributes (MathML Core §2.1.3: diff39-review E5): the property each sets. */
const MATH_HINTS = [
  ['mathcolor', 'color'],
  ['mathbackground', 'background-color'],
  ['mathsize', 'font-size'],
] as const;
/** A value a presentation attribute may be taken as a declaration with: nothing that would end or hide another. */
const PLAIN = /^[#a-z0-9.%+\-(), ]{1,64}$/i;

/**
 * The element's style with the colours its attributes set before it, but those its style surely replaces (each
 * declaration of a style counts where it is judged: styles.ts); in SVG and MathML (`space`), their presentation
 * attributes too, and SVG's text in the colour it is painted in. Undefined when it has none.
 */
export function styleWithHints(
  name: string,
  attributes: ReadonlyMap<string, string>,
  space?: 'svg' | 'math',
): string | undefined {
  const style = attributes.get('style');
  let hints = '';
  for (const [attribute, property] of own(HINTS, name) ?? []) {
    const colour = legacyColour(attributes.get(attribute));
    if (colour && !(style && replaces(style, property))) hints += `${property}: ${colour};`;
  }
  const plain = (attribute: string) => {
    const value = attributes.get(attribute)?.trim();
    return value && PLAIN.test(value) ? value : undefined;
  };
  const pairs = space === 'svg' ? SVG_HINTS.map((a) => [a, a] as const) : space === 'math' ? MATH_HINTS : [];
  for (const [attribute, property] of pairs) {
    const value = plain(attribute);
    if (value !== undefined) hints += `${property}: ${value};`;
  }
  const painted = space === 'svg' && SVG_TEXT.has(name) ? svgTextColour(style, plain) : undefined;
  const styled = hints ? hints + (style ?? '') : style;
  return painted ? `${styled ?? ''};color: ${painted} !important` : styled;
}

/**
 * The colour SVG text is painted in, as a `color` (what the scan judges letters by): its fill, or none when it has no
 * fill or a transparent one and no stroke; undefined where its fill is not known here (inherited, a gradient).
 */
function svgTextColour(style: string | undefined, attribute: (name: string) => string | undefined) {
  const read = (property: string) => (style && appliedValue(style, property)) ?? attribute(property);
  const fill = read('fill')?.toLowerCase();
  const stroke = read('stroke')?.toLowerCase();
  const opacity = read('fill-opacity');
  const stroked = stroke !== undefined && stroke !== 'none' && stroke !== 'transparent';
  const unfilled =
    fill === 'none' || fill === 'transparent' || (opacity !== undefined && Number.parseFloat(opacity) <= 0);
  if (unfilled && !stroked) return 'transparent';
  return fill && PLAIN.test(fill) && colourOf(fill) !== undefined ? fill : undefined;
}

/**
 * Whether the colour a style applies to `property` (its last, an `!important` one first) is one a browser takes
 * when it parses the style: a colour it surely reads, a var() (which may then leave it unset: the inherited
 * colour, not the attribute's) or a keyword every property takes (diff23-review F1).
 */
function replaces(style: string, property: string): boolean {
  const applied = appliedValue(style, property);
  return (
    applied !== undefined &&
    (surelyColour(applied) ||
      applied.includes('var(') ||
      /^(?:inherit|initial|unset|revert|revert-layer|currentcolor)$/.test(applied))
  );
}

/**
 * An attribute's colour as HTML's rules for parsing a legacy colour value read it (§2.3.6.4, diff23-review R3:
 * `#ffffffff`, `ffffffffffff` and `000` are colours, `fff` is #0f0f0f, blanks are black), as `#rrggbb` or a word;
 * undefined for none (no value, or `transparent`).
 */
export function legacyColour(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let input = value.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '');
  if (input.toLowerCase() === 'transparent') return undefined;
  if (/^[a-z]+$/i.test(input) && colourOf(input.toLowerCase()) !== undefined) return input.toLowerCase();
  if (/^#[0-9a-f]{3}$/i.test(input)) return input.toLowerCase();
  input = [...input].map((c) => (c.codePointAt(0)! > 0xffff ? '00' : c)).join('');
  input = input
    .slice(0, 128)
    .replace(/^#/, '')
    .replace(/[^0-9a-f]/gi, '0');
  while (input.length === 0 || input.length % 3 !== 0) input += '0';
  const size = input.length / 3;
  let parts = [0, 1, 2].map((i) => input.slice(i * size, (i + 1) * size));
  if (size > 8) parts = parts.map((part) => part.slice(size - 8));
  while (parts[0]!.length > 2 && parts.every((part) => part.startsWith('0')))
    parts = parts.map((part) => part.slice(1));
  return `#${parts.map((part) => part.slice(0, 2).padStart(2, '0')).join('')}`.toLowerCase();
}
