/**
 * A style attribute's declarations as a browser reads them: split and decoded (colours.ts), custom properties
 * dropped where a browser drops them and worked into the values that use them, VS Code's editor background
 * named as the preview's (preview-background.ts); properties and values in lower case, blanks made one.
 */
import { declarationsOf } from './colours.ts';
import { tokensBalanced, variablesOf, withVariables } from './css-variables.ts';
import { onPreviewBackground } from './preview-background.ts';

/**
 * A style's declarations (property, value) in order, which of them are `!important`, and where its own begin
 * after those it inherits.
 */
export interface StyleRead {
  declarations: [string, string][];
  important: boolean[];
  ownFrom: number;
}

/**
 * The style's declarations, after what it inherits (`inherited`: inherited.ts), each split alone (a parenthesis
 * an ancestor leaves open does not take in the style's own declarations); or, grown past what is read by its
 * custom properties, that declaration as written.
 */
export function readStyle(style: string, inherited = ''): StyleRead | string {
  const written: { property: string; value: string; important: boolean }[] = [];
  const parts = declarationsOf(inherited);
  const ownPart = parts.length;
  let ownFrom = 0;
  // Split as written, then read: an escaped quote or parenthesis is a letter, not a string or a block
  // (diff11-review K1), and `/*` in a string is no comment.
  for (const [i, part] of [...parts, ...declarationsOf(style)].entries()) {
    const colon = part.indexOf(':');
    if (colon < 0) continue;
    const raw = part.slice(colon + 1);
    const important = /!\s*important\s*$/i.test(raw);
    const value = raw
      .replace(/!\s*important\s*$/i, '')
      .trim()
      .replace(/\s+/g, ' ');
    const property = part.slice(0, colon).trim();
    // A custom property a browser drops (a stray `)`, a string left open) sets nothing (diff17-review M5).
    if (property.startsWith('--') && !tokensBalanced(raw.replace(/!\s*important\s*$/i, ''))) continue;
    written.push({ property, value, important });
    if (i < ownPart && !property.startsWith('--')) ownFrom++;
  }
  // Custom properties set in the same style stand for what they hold (`--bg:#fff; background:var(--bg)`:
  // diff11-review K5), and a var() of none its fallback; their names are case-sensitive, the rest is not.
  // VS Code's editor background and the theme colours that are it, unless the style sets them, are what its
  // preview paints behind the page, however the value names them (a fallback, a custom property, light-dark(),
  // color-mix(): diff16-review B4).
  const own = new Set(written.map(({ property }) => property).filter((property) => property.startsWith('--')));
  for (const declaration of written) declaration.value = onPreviewBackground(declaration.value, own);
  const variables = variablesOf(written);
  const declarations: [string, string][] = [];
  const important: boolean[] = [];
  for (const { property, value, important: isImportant } of written) {
    if (property.startsWith('--')) continue;
    const read = withVariables(value, variables);
    if (read === undefined) return `${property}:${value}`;
    declarations.push([property.toLowerCase(), read.toLowerCase()]);
    important.push(isImportant);
  }
  return { declarations, important, ownFrom };
}
