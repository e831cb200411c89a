import { readLockFile, readLockLazily } from '../../lockfile/lockfile.ts';
import type { LazyLock, LockedPackage, WorkspacePaths } from '../../lockfile/lockfile.ts';
import { installedDirOf } from '../../lockfile/paths.ts';
import type { DeployRoots } from '../../deploy/platforms.ts';
import { nowNs, settled, stampOf } from '../../scan/stamps.ts';
import type { FileStamp } from '../../scan/stamps.ts';
import { stillHolds } from '../checks/job.ts';
import type { JobResult } from '../checks/job.ts';
import { claimsOfInstalled, filteredClaims } from '../evidence/claims.ts';
import type { ClaimFilter } from '../evidence/claims.ts';
import { VerificationStore } from './result-store.ts';
import type { ChangeWatch } from './change-watch.ts';

/**
 * What a verification run takes from the store instead of reading again:
 * the lock file's names and digests while its stamp is unchanged, an earlier
 * result whose files still have their stamps, and the places such a result
 * says its package claims. Anything in doubt is read again.
 */

/**
 * The lock file's package names and entry digests. While its stamp is
 * unchanged (and settled) they come from the store and the file is only
 * parsed if a package has to be verified again — a large lock costs more to
 * parse than to check warm.
 */
export async function openLock(
  lockFile: string,
  store: VerificationStore | undefined,
  force: boolean,
  read?: LockRead,
) {
  const stamp = read ? read.stamp : stampOf(lockFile);
  const state = store?.lockState(lockFile);
  let parsed: Promise<Record<string, LockedPackage>> | undefined;
  const entries = () =>
    (parsed ??= read ? Promise.resolve(entriesOf(read.lock)) : readLockFile(lockFile).then((lock) => lock.packages));
  if (!force && stamp && state && state.stamp === stamp && settled(stamp, state.at)) {
    return { names: Object.keys(state.digests), digests: state.digests, entries };
  }
  if (read) {
    // A caller that verifies a few packages (it read the lock for their names): only the entries
    // looked at are built and digested. The lock's state is not stored, as that takes every digest;
    // the next run that verifies everything reads the lock and stores it.
    const { lock } = read;
    const digests = lazyRecord(lock.names, (name) => {
      const entry = lock.entry(name);
      return entry && store ? VerificationStore.digest(entry) : undefined;
    });
    return { names: lock.names, digests: digests as Record<string, string>, entries };
  }
  const at = String(nowNs());
  const packages = await entries();
  // Digests only matter for matching stored results.
  if (!store) return { names: Object.keys(packages), digests: {} as Record<string, string>, entries };
  const digests: Record<string, string> = {};
  for (const name of Object.keys(packages)) digests[name] = VerificationStore.digest(packages[name]);
  if (stamp) store.setLockState(lockFile, { stamp, at, digests });
  return { names: Object.keys(digests), digests, entries };
}

/** A lock file already read (by a caller that had to look at it first: `verify NAME`), with its stamp taken before the read. */
export interface LockRead {
  stamp: FileStamp | null;
  lock: LazyLock;
}

/** Reads a lock file for `openLock`: one read serves the caller and the verification, and builds only the entries used. */
export async function readLock(lockFile: string): Promise<LockRead> {
  const stamp = stampOf(lockFile);
  return { stamp, lock: await readLockLazily(lockFile) };
}

/** The entries of a lock read lazily, as a record whose entries are built when first looked at. */
function entriesOf(lock: LazyLock): Record<string, LockedPackage> {
  return lazyRecord(lock.names, (name) => lock.entry(name)) as Record<string, LockedPackage>;
}

/**
 * An object with these keys (in this order), each value computed when first
 * read: a thousand names cost a set of them, not a thousand properties.
 */
function lazyRecord<T>(keys: readonly string[], value: (key: string) => T): Record<string, T> {
  const known = new Set(keys);
  const computed = new Map<string, T>();
  const valueOf = (key: string): T => {
    if (!computed.has(key)) computed.set(key, value(key));
    return computed.get(key)!;
  };
  const own = (key: string | symbol): key is string => typeof key === 'string' && known.has(key);
  return new Proxy({} as Record<string, T>, {
    get: (target, key, receiver) => (own(key) ? valueOf(key) : Reflect.get(target, key, receiver)),
    has: (target, key) => own(key) || Reflect.has(target, key),
    ownKeys: () => [...keys],
    getOwnPropertyDescriptor: (_target, key) =>
      own(key) ? { value: valueOf(key), enumerable: true, configurable: true, writable: false } : undefined,
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
}

/** An earlier result that still holds; anything unreadable or in doubt does not. */
export function holds(result: JobResult, installedDir: string): boolean {
  try {
    return stillHolds(result, installedDir);
  } catch {
    return false;
  }
}

/**
 * Whether a stored result still holds: a watcher's word when it vouches for
 * it (nothing it depends on changed since a sweep found it holding), else
 * the stat sweep of `holds`.
 */
export function stillValid(
  result: JobResult,
  installedDir: string | (() => string),
  watch: ChangeWatch | undefined,
  key: string,
): boolean {
  const dir = typeof installedDir === 'string' ? () => installedDir : installedDir;
  if (!watch) return holds(result, dir());
  return watch.check(
    key,
    result,
    () => pathsOf(result, dir()),
    () => holds(result, dir()),
  );
}

/** Every path a result was established from: its evidence, and the installed folder as scanned. */
export function pathsOf(result: JobResult, installedDir: string): string[] {
  const paths = Object.keys(result.evidence);
  paths.push(installedDir);
  if (result.scan) {
    for (const rel in result.scan.dirs) if (rel) paths.push(`${installedDir}/${rel}`);
    for (const rel in result.scan.files) paths.push(`${installedDir}/${rel}`);
  }
  return paths;
}

/** What a stored result's key ends with: the folders its claimed places were worked out under. */
export function placesKeyOf(roots: DeployRoots): string {
  return VerificationStore.digest({ project: roots.project, home: roots.home });
}

/**
 * The places every installed package claims, for a run that verifies only
 * some: a stored result that still holds, and was made under these roots,
 * says it, else the installed aam.yaml does (as a job would read it). With a
 * filter, a manifest that cannot claim a place of the packages verified is
 * not parsed ([]); and without a watcher, the others' manifests are read
 * through the filter rather than their stored results swept.
 */
export function claimsOfOthers(
  names: readonly string[],
  only: readonly string[],
  workspace: WorkspacePaths,
  roots: DeployRoots,
  store: VerificationStore | undefined,
  force: boolean,
  filter: ClaimFilter | undefined,
  watch?: ChangeWatch,
): Map<string, readonly string[]> {
  const claims = new Map<string, readonly string[]>();
  const placesKey = `:${placesKeyOf(roots)}`;
  for (const name of names) {
    const dir = installedDirOf(workspace, name);
    // Without a watcher to vouch for it, a stored result costs a stat of each of its paths (a dozen or
    // more): more than reading the one manifest the filter looks at.
    const reuse = store && !force && (watch !== undefined || !filter || only.includes(name));
    const kept = reuse ? store.stored(workspace.lockFile, name) : undefined;
    // Codex places are under the home folder: claims worked out under another are not these.
    const stored = kept?.key.endsWith(placesKey) ? kept.result : undefined;
    claims.set(
      name,
      stored && stillValid(stored, dir, watch, `${workspace.lockFile}\0${name}`)
        ? stored.claims
        : filter && !only.includes(name)
          ? filteredClaims(dir, roots, filter)
          : claimsOfInstalled(dir, roots),
    );
  }
  return claims;
}
