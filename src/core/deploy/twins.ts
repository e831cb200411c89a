import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { nameGroupKey, sameNames } from '../scan/name-groups.ts';
import type { FileStamp } from '../scan/stamps.ts';
import type { DeployTarget } from './platforms.ts';

/**
 * Another name beside `path` that is the same name on a case-insensitive or
 * normalising file system: a pull request's `claude.md` beside CLAUDE.md
 * passed on Linux, while a macOS or Windows checkout keeps only one of the two
 * (deployed-review F3). The names found are recorded with the package's
 * evidence (nameGroupKey), so that a twin of any spelling that appears later
 * voids a stored result.
 */
function twinOf(path: string, stamps: Record<string, FileStamp | null>): string | undefined {
  const names = sameNames(path);
  stamps[nameGroupKey(path)] = names.join('/');
  const twin = names.find((other) => other !== basename(path));
  return twin === undefined ? undefined : join(dirname(path), twin);
}

/**
 * A twin (twinOf) of the target or of a folder on its way down from where it
 * is checked from: `.claude/prompts/Greet.md` beside `greet.md`, a skill
 * folder `Lint/` beside `lint/`, a `.Claude/` beside `.claude/` — one name
 * on macOS and Windows, where a checkout may keep the pull request's
 * (verify2-review F2).
 */
export function twinOnPath(
  target: DeployTarget,
  stamps: Record<string, FileStamp | null>,
): { twin: string; of: string } | undefined {
  const below = relative(target.checkedFrom, target.path);
  const outside = below === '' || below.startsWith('..') || isAbsolute(below);
  const parts = outside
    ? [target.path]
    : below.split(sep).map((_, i, all) => join(target.checkedFrom, ...all.slice(0, i + 1)));
  for (const of of parts) {
    const twin = twinOf(of, stamps);
    if (twin) return { twin, of };
  }
  return undefined;
}
