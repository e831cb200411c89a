import { readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { collisionKey } from '../archive/entry-path.ts';
import { nowNs, settled, stampOf } from './stamps.ts';
import type { FileStamp } from './stamps.ts';

/**
 * The names of a folder that are one name on a case-insensitive or
 * normalising file system (macOS, Windows): `CLAUDE.md` and `Claude.md`,
 * `lint/` and `Lint/`. A result that checked a copy had no such twin records
 * the group under `nameGroupKey(path)`, its value `nameGroupOf(path)`: a twin
 * of any spelling that appears later voids it, where the folder's stamp would
 * void it for every file saved beside the copy (diff4-review F8), and the
 * lower-case twin's stamp alone missed every other spelling (verify2-review F3).
 */
const NAME_GROUP = '\0names\0';

/** The evidence key standing for the names beside `path` that are its name (see nameGroupOf). */
export function nameGroupKey(path: string): string {
  return `${NAME_GROUP}${path}`;
}

/** The path an evidence key names the group of, or undefined for a key that is a file's own. */
export function nameGroupPath(key: string): string | undefined {
  return key.startsWith(NAME_GROUP) ? key.slice(NAME_GROUP.length) : undefined;
}

/** The names of `path`'s folder that are its name on macOS and Windows, sorted: its own alone when it has no twin. */
export function sameNames(path: string): string[] {
  return (listing(dirname(path)).get(collisionKey(basename(path))) ?? []).toSorted();
}

/** What `nameGroupKey(path)` records: the same names, one string. */
export function nameGroupOf(path: string): string {
  return sameNames(path).join('/');
}

/**
 * A folder's names by their collision key, kept while its stamp holds and
 * only once that stamp has settled: a twin made in the same clock tick as the
 * listing leaves the folder's stamp as it was.
 */
const listed = new Map<string, { stamp: FileStamp | null; byKey: Map<string, string[]> }>();

/**
 * The listings a verification run has taken, by run (the last few): within one run, and one thread, a folder
 * is stamped and listed once for all its packages (1,000 packages deployed to one folder asked its stamp
 * 3,000 times). What a check finds is recorded as the names themselves (nameGroupKey), so a twin made during
 * the run is seen by the next one, as with the run's other reads (perRun in registry-files.ts).
 */
const runListings = new Map<string, Map<string, Map<string, string[]>>>();
const RUNS_KEPT = 4;
let held: Map<string, Map<string, string[]>> | undefined;

/** `check()` with each folder's names listed at most once for the run `run` (none: listed on every ask, as before). */
export function withRunListings<T>(run: string | undefined, check: () => T): T {
  if (run === undefined) return check();
  let listings = runListings.get(run);
  if (!listings) {
    if (runListings.size >= RUNS_KEPT) runListings.delete(runListings.keys().next().value!);
    runListings.set(run, (listings = new Map()));
  }
  const before = held;
  held = listings;
  try {
    return check();
  } finally {
    held = before;
  }
}

function listing(dir: string): Map<string, string[]> {
  const kept = held?.get(dir);
  if (kept) return kept;
  const byKey = listingNow(dir);
  held?.set(dir, byKey);
  return byKey;
}

function listingNow(dir: string): Map<string, string[]> {
  const stamp = stampOf(dir);
  const known = listed.get(dir);
  if (known && known.stamp === stamp) return known.byKey;
  const byKey = new Map<string, string[]>();
  try {
    for (const name of readdirSync(dir)) {
      const key = collisionKey(name);
      const names = byKey.get(key);
      if (names) names.push(name);
      else byKey.set(key, [name]);
    }
  } catch {
    // An unreadable folder holds no twin to name.
  }
  if (settled(stamp, String(nowNs()))) listed.set(dir, { stamp, byKey });
  else listed.delete(dir);
  return byKey;
}
