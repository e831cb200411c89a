/**
 * A style attribute's declarations as a browser reads them: split and decoded (declarationsOf), custom properties
 * dropped where a browser drops them and worked into the values that use them, VS Code's editor background
 * named as the preview's (preview-background.ts); properties and values in lower case, blanks made one.
 */
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

/**
 * The value a style applies to a property, as written (lower case, `!important` taken off): its last important
 * declaration of it, else its last; undefined when it has none. Custom properties are not worked in.
 */
export function appliedValue(style: string, property: string): string | undefined {
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
  return important ?? normal;
}

/**
 * A style's declarations, as CSS reads them: comments taken out, split at each `;` outside parentheses and
 * strings (`url(data:image/gif;base64,…)`: diff10-review C2); a string left open ends at a line break, and
 * an escaped character (`\\27`, `\\;`) is part of the text it is in, decoded afterwards (`\\63 olor` is
 * `color`).
 */
export function declarationsOf(style: string): string[] {
  const out: string[] = [];
  let current = '';
  let [depth, quote] = [0, ''];
  for (let i = 0; i < style.length; i++) {
    const c = style[i]!;
    if (c === '\\') {
      current += style.slice(i, i + 2);
      i++;
    } else if (quote) {
      // A string ends at its quote, or (a bad string) at a line break.
      if (c === quote || c === '\n' || c === '\r' || c === '\f') quote = '';
      current += c;
    } else if (c === '/' && style[i + 1] === '*') {
      const end = style.indexOf('*/', i + 2);
      i = end < 0 ? style.length : end + 1;
      current += ' '; // a comment separates what is either side (`100%/**/0`: two values, diff14-review C3)
    } else if (c === ';' && depth === 0) {
      out.push(unescaped(current));
      current = '';
    } else {
      if (c === '"' || c === "'") quote = c;
      else if (c === '(') depth++;
      else if (c === ')' && depth > 0) depth--;
      current += c;
    }
  }
  out.push(unescaped(current));
  return out;
}

/** CSS escapes in a declaration, decoded. */
function unescaped(declaration: string): string {
  return declaration.replace(
    /\\([0-9a-fA-F]{1,6})[\t\n\f\r ]?|\\([^\n0-9a-fA-F])/g,
    (_, hex?: string, char?: string) =>
      hex === undefined ? char! : String.fromCodePoint(Math.min(parseInt(hex, 16), 0x10ffff) || 0xfffd),
  );
}
