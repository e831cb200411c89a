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

export function parseVersion(raw: string): Version {
  const match = VERSION.exec(raw.trim());
  if (!match) {
    throw new AamError('MANIFEST_INVALID', `"${raw}" is not a valid version (expected MAJOR.MINOR.PATCH).`);
  }
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), pre: match[4], raw };
}

export function isValidVersion(raw: string): boolean {
  return VERSION.test(raw.trim());
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
    const nx = /^\d+$/.test(x) ? Number(x) : undefined;
    const ny = /^\d+$/.test(y) ? Number(y) : undefined;
    if (nx !== undefined && ny !== undefined && nx !== ny) return nx - ny;
    if (nx !== undefined && ny === undefined) return -1;
    if (nx === undefined && ny !== undefined) return 1;
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
  const upper = v.major !== 0 ? `${v.major + 1}.0.0` : v.minor !== 0 ? `0.${v.minor + 1}.0` : `0.0.${v.patch + 1}`;
  return { lower: { version: v, inclusive: true }, upper: { version: parseVersion(upper), inclusive: false } };
}

function tilde(v: Version): Range {
  return {
    lower: { version: v, inclusive: true },
    upper: { version: parseVersion(`${v.major}.${v.minor + 1}.0`), inclusive: false },
  };
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
