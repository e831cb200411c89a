/**
 * Names that could be taken for others (spec §9.4: squatting and
 * typosquatting). Pure functions: the registry decides which existing names
 * are worth protecting (the popular ones) and what to do about a likeness.
 */

/**
 * Unscoped names and scopes no one may take: the registry's own words, and
 * words that would pass for it, its operators or the tool. An operator's
 * token (scope operator) still may.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'aam',
  'aam-trust',
  'aam-cli',
  'about',
  'abuse',
  'admin',
  'administrator',
  'api',
  'anthropic',
  'help',
  'login',
  'logout',
  'moderator',
  'node-modules',
  'npm',
  'null',
  'official',
  'owner',
  'owners',
  'registry',
  'root',
  'search',
  'security',
  'staff',
  'support',
  'system',
  'undefined',
  'www',
]);

/** Why one name could be taken for another; `confirmable` false means never legitimate (look-alike characters). */
export interface Likeness {
  /** The existing name it resembles. */
  resembles: string;
  how: 'confusable' | 'separators' | 'other-scope' | 'edit';
  /** Edit distance (Damerau-Levenshtein) for `edit`. */
  distance?: number;
  confirmable: boolean;
}

/**
 * Characters and pairs that read as others in many fonts: 0/o, 1/l, rn/m,
 * vv/w. (Names are lowercase, so I, which passes for l, cannot occur.)
 */
const CONFUSABLES: [RegExp, string][] = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
  [/0/g, 'o'],
  [/1/g, 'l'],
];

const SEPARATORS = /[-_.]/g;

/** A name without separators: `my-tool`, `my_tool` and `mytool` are one. */
export function withoutSeparators(name: string): string {
  return name.toLowerCase().replace(SEPARATORS, '');
}

/** What a name looks like: without separators, each confusable replaced by what it passes for. */
export function skeleton(name: string): string {
  let out = withoutSeparators(name);
  for (const [pattern, replacement] of CONFUSABLES) out = out.replace(pattern, replacement);
  return out;
}

/** Scope and bare name of `@scope/name` or `name`, without validating them. */
function split(full: string): { scope: string; name: string } {
  const match = /^@([^/]*)\/(.*)$/.exec(full);
  return match ? { scope: match[1]!, name: match[2]! } : { scope: '', name: full };
}

/** How many edits a name of this length may be from a popular one and still be taken for it. */
export function allowedEdits(length: number): number {
  return length < 5 ? 0 : length < 9 ? 1 : 2;
}

/**
 * Whether `candidate` could be taken for `existing`, and how: the same look
 * once confusable characters are read as what they pass for (refused), the
 * same letters with other separators, the same name in another scope, or a
 * few edits apart (each of these needs the publisher to say it is meant).
 */
export function likeness(candidate: string, existing: string): Likeness | undefined {
  if (candidate === existing) return undefined;
  const a = split(candidate);
  const b = split(existing);
  const found = (how: Likeness['how'], distance?: number): Likeness => ({
    resembles: existing,
    how,
    ...(distance === undefined ? {} : { distance }),
    confirmable: how !== 'confusable',
  });
  if (a.name === b.name) return found('other-scope');
  const plainA = withoutSeparators(a.scope ? `${a.scope}/${a.name}` : a.name);
  const plainB = withoutSeparators(b.scope ? `${b.scope}/${b.name}` : b.name);
  if (plainA === plainB || withoutSeparators(a.name) === withoutSeparators(b.name)) return found('separators');
  if (skeleton(candidate) === skeleton(existing) || skeleton(a.name) === skeleton(b.name)) return found('confusable');
  // Within one scope the bare names are compared; across scopes the whole name, so a look-alike scope counts too.
  const [left, right] = a.scope === b.scope ? [a.name, b.name] : [plainA, plainB];
  const max = allowedEdits(withoutSeparators(a.name).length);
  if (max === 0) return undefined;
  const distance = Math.min(
    editDistance(withoutSeparators(left), withoutSeparators(right), max),
    editDistance(skeleton(left), skeleton(right), max),
  );
  return distance <= max ? found('edit', distance) : undefined;
}

/**
 * Damerau-Levenshtein distance (optimal string alignment: insertions,
 * deletions, substitutions and swaps of neighbours), or `max + 1` as soon as
 * it is certain to exceed `max`.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, before[j - 2]! + 1);
      current.push(value);
      best = Math.min(best, value);
    }
    if (best > max) return max + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}
