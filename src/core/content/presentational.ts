/**
 * The colours HTML's presentational attributes set (§15.3: `<font color>`, `bgcolor` on tables and the body,
 * `<body text>`), as declarations before the element's own style, which overrides them (diff22-review R7:
 * `<font color="#ffffff">` in a white box, a white span in `<td bgcolor="#ffffff">`). Only the forms HTML's
 * legacy colour parsing reads as CSS does: `#rgb`, `#rrggbb` with or without its `#`, and words CSS reads as a
 * colour but `transparent` (which that parsing refuses, so it sets nothing).
 */
import { colourOf, surelyColour } from './colours.ts';
import { declarationsOf } from './read-style.ts';

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
  td: [['bgcolor', 'background-color']],
  th: [['bgcolor', 'background-color']],
};

/**
 * The element's style with the colours its attributes set before it, but those its style surely replaces (each
 * declaration of a style counts where it is judged: styles.ts); undefined when it has neither.
 */
export function styleWithHints(name: string, attributes: ReadonlyMap<string, string>): string | undefined {
  const style = attributes.get('style');
  let hints = '';
  for (const [attribute, property] of HINTS[name] ?? []) {
    const colour = legacyColour(attributes.get(attribute));
    if (colour && !(style && replaces(style, property))) hints += `${property}: ${colour};`;
  }
  return hints ? hints + (style ?? '') : style;
}

/** Whether the colour a style applies to `property` (its last, an `!important` one first) is one a browser takes. */
function replaces(style: string, property: string): boolean {
  let normal: string | undefined;
  let important: string | undefined;
  for (const declaration of declarationsOf(style)) {
    const colon = declaration.indexOf(':');
    if (colon < 0 || declaration.slice(0, colon).trim().toLowerCase() !== property) continue;
    const value = declaration
      .slice(colon + 1)
      .trim()
      .toLowerCase();
    if (/!\s*important$/.test(value)) important = value.replace(/!\s*important$/, '').trim();
    else normal = value;
  }
  const applied = important ?? normal;
  return applied !== undefined && surelyColour(applied);
}

/** An attribute's colour in a form read the same by HTML's legacy parsing and by CSS, or undefined. */
function legacyColour(value: string | undefined): string | undefined {
  const written = value?.trim().toLowerCase();
  if (!written || written === 'transparent') return undefined;
  if (/^#?[0-9a-f]{6}$/.test(written)) return written.startsWith('#') ? written : `#${written}`;
  if (/^#[0-9a-f]{3}$/.test(written) || (/^[a-z]+$/.test(written) && colourOf(written) !== undefined)) return written;
  return undefined;
}
