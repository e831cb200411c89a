import { AamError } from '../errors.ts';

/** A parsed MAJOR.MINOR.PATCH[-pre] version, ordered as semver orders it. */
export interface Version {
  major: number;
  minor: number;
  patch: number;
  pre: string | undefined;
  raw: string;
}

const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * MAJOR.MINOR.PATCH, each at most Number.MAX_SAFE_INTEGER (as npm's semver has it): a larger number
 * is not exact as a JavaScript number, and two versions would compare equal that are not.
 */
export function parseVersion(raw: string): Version {
  const match = VERSION.exec(raw.trim());
  if (!match) {
    throw new AamError('MANIFEST_INVALID', `"${raw}" is not a valid version (expected MAJOR.MINOR.PATCH).`);
  }
  const [major, minor, patch] = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  if (![major, minor, patch].every(Number.isSafeInteger))
    throw new AamError(
      'MANIFEST_INVALID',
      `"${raw}" is not a valid version: MAJOR, MINOR and PATCH are at most ${Number.MAX_SAFE_INTEGER}.`,
    );
  return { major, minor, patch, pre: match[4], raw };
}

export function isValidVersion(raw: string): boolean {
  const match = VERSION.exec(raw.trim());
  return !!match && [match[1], match[2], match[3]].every((n) => Number.isSafeInteger(Number(n)));
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || comparePre(a.pre, b.pre);
}

function comparePre(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const left = a.split('.');
  const right = b.split('.');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i];
    const y = right[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    // Numeric identifiers by value, compared as digit strings: exact at any length.
    if (nx && ny) {
      const [a, b] = [x.replace(/^0+(?=\d)/, ''), y.replace(/^0+(?=\d)/, '')];
      if (a !== b) return a.length - b.length || (a < b ? -1 : 1);
    }
    if (nx && !ny) return -1;
    if (!nx && ny) return 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

interface Bound {
  version: Version;
  inclusive: boolean;
}
interface Range {
  lower: Bound | undefined;
  upper: Bound | undefined;
}

/**
 * Parses a dependency constraint the way the AAM CLI does: `*`, exact,
 * `^X.Y.Z`, `~X.Y.Z`, comparison operators and comma-separated ranges.
 */
export function parseConstraint(raw: string): Range[] {
  const text = raw.trim();
  if (text === '*' || text === '') return [{ lower: undefined, upper: undefined }];
  if (text.startsWith('^')) return [caret(parseVersion(text.slice(1)))];
  if (text.startsWith('~')) return [tilde(parseVersion(text.slice(1)))];
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map(single);
}

function caret(v: Version): Range {
  const upper =
    v.major !== 0 ? bound(v.major + 1, 0, 0) : v.minor !== 0 ? bound(0, v.minor + 1, 0) : bound(0, 0, v.patch + 1);
  return { lower: { version: v, inclusive: true }, upper: { version: upper, inclusive: false } };
}

function tilde(v: Version): Range {
  return {
    lower: { version: v, inclusive: true },
    upper: { version: bound(v.major, v.minor + 1, 0), inclusive: false },
  };
}

/** A range's exclusive upper bound: one past a valid version's number, which may be one past the largest valid. */
function bound(major: number, minor: number, patch: number): Version {
  return { major, minor, patch, pre: undefined, raw: `${major}.${minor}.${patch}` };
}

function single(part: string): Range {
  const match = /^(>=|<=|==|>|<|=)?\s*(.+)$/.exec(part)!;
  const version = parseVersion(match[2]!);
  switch (match[1]) {
    case '>=':
      return { lower: { version, inclusive: true }, upper: undefined };
    case '>':
      return { lower: { version, inclusive: false }, upper: undefined };
    case '<=':
      return { lower: undefined, upper: { version, inclusive: true } };
    case '<':
      return { lower: undefined, upper: { version, inclusive: false } };
    default:
      return { lower: { version, inclusive: true }, upper: { version, inclusive: true } };
  }
}

export function satisfies(version: Version, ranges: Range[]): boolean {
  return ranges.every(({ lower, upper }) => {
    if (lower) {
      const c = compareVersions(version, lower.version);
      if (c < 0 || (c === 0 && !lower.inclusive)) return false;
    }
    if (upper) {
      const c = compareVersions(version, upper.version);
      if (c > 0 || (c === 0 && !upper.inclusive)) return false;
    }
    return true;
  });
}

/** The highest of `available` that satisfies `constraint`, if any. */
export function bestMatch(constraint: string, available: string[]): string | undefined {
  const ranges = parseConstraint(constraint);
  let best: Version | undefined;
  for (const raw of available) {
    if (!isValidVersion(raw)) continue;
    const version = parseVersion(raw);
    if (satisfies(version, ranges) && (!best || compareVersions(version, best) > 0)) best = version;
  }
  return best?.raw;
}
