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

/**
 * The element's style with the colours its attributes set before it, but those its style surely replaces (each
 * declaration of a style counts where it is judged: styles.ts); undefined when it has neither.
 */
export function styleWithHints(name: string, attributes: ReadonlyMap<string, string>): string | undefined {
  const style = attributes.get('style');
  let hints = '';
  for (const [attribute, property] of own(HINTS, name) ?? []) {
    const colour = legacyColour(attributes.get(attribute));
    if (colour && !(style && replaces(style, property))) hints += `${property}: ${colour};`;
  }
  return hints ? hints + (style ?? '') : style;
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
