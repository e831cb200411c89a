/**
 * Custom properties set in the same style, standing for what they hold where a value names them
 * (`--bg:#fff; color:white; background:var(--bg)`: diff11-review K5), as CSS resolves them: the last
 * declaration wins unless an earlier one is `!important`; one that names itself (a cycle), an unset one, or
 * one set to a CSS-wide keyword is invalid, and a `var()` of it takes its fallback (diff14-review V1).
 */

/** How deep custom properties are followed into one another. */
const MAX_DEPTH = 8;
/** How long one style's values may grow by them, all together: past it, what they say is not worked out. */
const MAX_LENGTH = 16_384;

/** A style's custom properties, and what resolving them may still add to its values. */
export interface Variables {
  values: ReadonlyMap<string, string>;
  budget: { left: number };
}

/** The custom properties of a style's declarations, by CSS's cascade within one declaration block. */
export function variablesOf(
  declarations: readonly { property: string; value: string; important: boolean }[],
): Variables {
  const values = new Map<string, string>();
  const important = new Set<string>();
  for (const { property, value, important: isImportant } of declarations) {
    if (!property.startsWith('--') || (important.has(property) && !isImportant)) continue;
    values.set(property, value);
    if (isImportant) important.add(property);
  }
  return { values, budget: { left: MAX_LENGTH } };
}

/**
 * `value` with each `var(--name[, fallback])` replaced by what the style sets `--name` to, else by its
 * fallback; one neither gives is left as written. Undefined once the style's values grew past MAX_LENGTH.
 */
export function withVariables(
  value: string,
  variables: Variables,
  visiting: readonly string[] = [],
): string | undefined {
  let out = '';
  let at = 0;
  for (let found = value.slice(at).search(/var\(/i); found >= 0; found = value.slice(at).search(/var\(/i)) {
    const start = at + found;
    const end = closing(value, start + 4);
    if (end < 0) break;
    const inside = value.slice(start + 4, end);
    const comma = inside.indexOf(',');
    const name = (comma < 0 ? inside : inside.slice(0, comma)).trim();
    let replaced: string | undefined = resolved(name, variables, visiting);
    if (replaced === INVALID)
      replaced = comma < 0 ? `var(${inside})` : withVariables(inside.slice(comma + 1).trim(), variables, visiting);
    if (replaced === undefined) return undefined;
    out += value.slice(at, start) + replaced;
    variables.budget.left -= replaced.length;
    if (variables.budget.left < 0) return undefined;
    at = end + 1;
  }
  return out + value.slice(at);
}

const INVALID = '\0invalid';

/** What a custom property stands for, INVALID when it has no valid value, undefined past the budget. */
function resolved(name: string, variables: Variables, visiting: readonly string[]): string | undefined {
  const set = variables.values.get(name);
  if (set === undefined || visiting.includes(name) || visiting.length >= MAX_DEPTH) return INVALID;
  if (/^(?:initial|inherit|unset|revert|revert-layer)$/i.test(set.trim())) return INVALID;
  const value = withVariables(set, variables, [...visiting, name]);
  if (value === undefined) return undefined;
  // A var() left in it names what has no valid value: the property is invalid too.
  return /var\(\s*--/i.test(value) ? INVALID : value;
}

/** The index of the `)` that closes a parenthesis opened just before `from`, or -1. */
function closing(value: string, from: number): number {
  let level = 0;
  for (let i = from; i < value.length; i++) {
    if (value[i] === '(') level++;
    else if (value[i] === ')' && level-- === 0) return i;
  }
  return -1;
}

/**
 * A value a custom property may hold (diff17-review M5, diff18-review B7): no bracket closed that is not open
 * (`--x: )`), no `!` outside a string, no `url(` unquoted holding a blank or a quote, no string broken by a line
 * end; a browser drops any other. A bracket left open, or a string, ends with the declaration.
 */
export function tokensBalanced(value: string): boolean {
  const urls = value.replace(/url\(\s*[^\s'"()\\]*\s*\)/gi, ''); // each a whole url() token: taken
  if (/url\(\s*[^\s'"]/i.test(urls)) return false; // a blank, a quote or a bracket in one unquoted: a bad url
  const open: string[] = [];
  let quote = '';
  // The whole url() tokens are taken out first: a `!` in one is a letter of its address (diff19-review H4).
  for (let i = 0; i < urls.length; i++) {
    const c = urls[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      else if (c === '\n' || c === '\r' || c === '\f') return false;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '!') return false;
    else if (c === '(' || c === '[' || c === '{') open.push(c === '(' ? ')' : c === '[' ? ']' : '}');
    else if ((c === ')' || c === ']' || c === '}') && open.pop() !== c) return false;
  }
  return true;
}
