import { readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { collisionKey } from '../archive/entry-path.ts';
import { stampOf } from '../scan/stamps.ts';
import type { FileStamp } from '../scan/stamps.ts';
import type { DeployTarget } from './platforms.ts';

/** A folder's names by their collision key, kept while its stamp holds (asked once per package and folder). */
const listed = new Map<string, { stamp: FileStamp | null; byKey: Map<string, string[]> }>();

/**
 * Another name beside `path` that is the same name on a case-insensitive or
 * normalising file system: a pull request's `claude.md` beside CLAUDE.md
 * passed on Linux, while a macOS or Windows checkout keeps only one of the two
 * (deployed-review F3). The folder's stamp is not recorded with the
 * package's evidence: every file saved in the project's root would re-check
 * every package with a section there (diff4-review F8). The lower-case twin's
 * is, so a `claude.md` that appears later is seen by a run that reuses
 * results; any other spelling, by a verification from scratch (CI's).
 */
function twinOf(path: string, stamps: Record<string, FileStamp | null>): string | undefined {
  const dir = dirname(path);
  const lower = join(dir, basename(path).toLowerCase());
  if (lower !== path) stamps[lower] = stampOf(lower);
  const stamp = stampOf(dir);
  let known = listed.get(dir);
  if (!known || known.stamp !== stamp) {
    const byKey = new Map<string, string[]>();
    try {
      for (const name of readdirSync(dir)) {
        const key = collisionKey(name);
        const names = byKey.get(key);
        if (names) names.push(name);
        else byKey.set(key, [name]);
      }
    } catch {
      // An unreadable folder holds no twin to name; the file itself was read.
    }
    listed.set(dir, (known = { stamp, byKey }));
  }
  const name = basename(path);
  const twin = known.byKey.get(collisionKey(name))?.find((other) => other !== name);
  return twin === undefined ? undefined : join(dir, twin);
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
