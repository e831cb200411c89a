import type { SignatureThreshold } from './policy.ts';

/**
 * Package name patterns, as delegations and `signature_threshold` use them:
 * an exact name (`@acme/hello`, `hello`), every package of a scope
 * (`@acme/*`), or every package (`*`). Nothing else: no prefixes, no regular
 * expressions, so what a pattern covers is plain to read.
 */
const SCOPE = '[a-z0-9][a-z0-9_-]{0,63}';
const NAME = '[a-z0-9][a-z0-9-]{0,63}';
const EXACT = new RegExp(`^(@${SCOPE}/)?${NAME}$`);
const SCOPE_ALL = new RegExp(`^@${SCOPE}/\\*$`);

/** Why a pattern is not one, or undefined when it is. */
export function namePatternProblem(pattern: string): string | undefined {
  if (pattern === '*' || EXACT.test(pattern) || SCOPE_ALL.test(pattern)) return undefined;
  return `"${pattern}" is not a package name pattern (a name, "@scope/*" or "*")`;
}

export function matchesNamePattern(pattern: string, name: string): boolean {
  if (pattern === '*') return true;
  if (SCOPE_ALL.test(pattern)) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

/**
 * The `blocked_packages` entry that blocks `name`: its exact name, or its scope's `@scope/*` (as install has
 * always read the list; `*` blocks nothing).
 */
export function blockedBy(name: string, blocked: readonly string[]): string | undefined {
  return blocked.find((entry) => entry === name || (SCOPE_ALL.test(entry) && matchesNamePattern(entry, name)));
}

/** How narrow a pattern is: an exact name wins over a scope, a scope over `*`. */
function specificity(pattern: string): number {
  return pattern === '*' ? 0 : pattern.endsWith('/*') ? 1 : 2;
}

/** The threshold that applies to `name`: the most specific pattern that covers it, else 1. */
export function thresholdFor(
  setting: SignatureThreshold,
  name: string | undefined,
): { value: number; pattern?: string } {
  if (typeof setting === 'number') return { value: setting };
  let best: { value: number; pattern: string } | undefined;
  for (const [pattern, value] of Object.entries(setting)) {
    if (namePatternProblem(pattern) || !(name === undefined ? pattern === '*' : matchesNamePattern(pattern, name)))
      continue;
    if (!best || specificity(pattern) > specificity(best.pattern)) best = { value, pattern };
  }
  return best ?? { value: 1 };
}

/**
 * A name of each region that patterns cut out of all names, within which
 * every pattern covers all names or none: each exact name, one other name of
 * each scope named, one other unscoped name, and one of a scope not named.
 */
export function oneNameOfEachRegion(patterns: readonly string[]): string[] {
  const exact = new Set(patterns.filter((p) => p !== '*' && !p.endsWith('/*')));
  const scopes = new Set(patterns.flatMap((p) => (p.startsWith('@') ? [p.slice(1, p.indexOf('/'))] : [])));
  const fresh = (taken: (candidate: string) => boolean, base: string) => {
    let candidate = base;
    for (let i = 1; taken(candidate); i++) candidate = `${base}-${i}`;
    return candidate;
  };
  const other = (prefix: string) => prefix + fresh((n) => exact.has(prefix + n), 'any-package');
  const otherScope = fresh((s) => scopes.has(s), 'any-scope');
  return [...exact, other(''), ...[...scopes, otherScope].map((scope) => other(`@${scope}/`))];
}
