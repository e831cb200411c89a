/**
 * Custom properties set in the same style, standing for what they hold where a value names them
 * (`--bg:#fff; color:white; background:var(--bg)`: diff11-review K5).
 */

/** How deep custom properties are followed into one another (one that names itself goes no further). */
const MAX_DEPTH = 4;
/** How long a value may grow by them: past it, what it says is not worked out (nested copies grow fast). */
const MAX_LENGTH = 16_384;

/**
 * `value` with each `var(--name[, fallback])` replaced by what `custom` sets `--name` to, else by its
 * fallback; one neither names is left as written. Undefined when the replacing would grow past MAX_LENGTH.
 */
export function withVariables(
  value: string,
  custom: ReadonlyMap<string, string>,
  depth = 0,
  budget = { left: MAX_LENGTH },
): string | undefined {
  let out = '';
  let at = 0;
  for (let start = value.slice(at).search(/var\(\s*--/i); start >= 0; start = value.slice(at).search(/var\(\s*--/i)) {
    start += at;
    const end = closing(value, start + 4);
    if (end < 0) break;
    const inside = value.slice(start + 4, end);
    const comma = inside.indexOf(',');
    const set =
      custom.get((comma < 0 ? inside : inside.slice(0, comma)).trim()) ??
      (comma < 0 ? undefined : inside.slice(comma + 1).trim());
    const replaced =
      set === undefined || depth >= MAX_DEPTH ? `var(${inside})` : withVariables(set, custom, depth + 1, budget);
    if (replaced === undefined) return undefined;
    out += value.slice(at, start) + replaced;
    budget.left -= replaced.length;
    if (budget.left < 0) return undefined;
    at = end + 1;
  }
  return out + value.slice(at);
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
