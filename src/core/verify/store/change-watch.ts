import { lstatSync, readFileSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { Dependents, parentOf, watchedPathOf } from './dependents.ts';

/**
 * Lets a long-running host (the extension) skip the stat sweep of a stored result that nothing
 * has touched: a result is vouched for once a stat sweep found it holding while its files and
 * every folder they hang from were watched, until an event names one of its paths, a folder
 * above one, anything inside one of its folders, or a name that is one of its name groups'
 * (nameGroupKey) on macOS and Windows. It vouches for nothing it cannot see, and
 * the caller then sweeps as before:
 *
 * - outside Linux (`settle` relies on inotify handing events to this process as they happen);
 * - a path whose watch could not be set up (too many watches, no access), or below a symbolic
 *   link to a folder (inotify watches where it led then; a sweep follows it now);
 * - a file with other hard links (the file's own watch hears a link made later, and writes);
 * - after a watcher's error, a turn of the event loop with so many events that the kernel's
 *   queue may have overflowed (inotify then drops events, and Node does not say so), a watched
 *   folder renamed, replaced or changed, or a change of the mount table (a file system mounted
 *   over a watched folder raises no event): every vouch and every watch is dropped;
 * - a vouch older than `maxAgeMs`: swept again, as a periodic full check.
 *
 * Known blind spots, left to that periodic check and to Verify All (which trusts no stored
 * result): writes through a shared mapping (mmap), changes made by another machine on a network
 * file system, and an overflow caused by another watcher of this process (one inotify queue).
 */
export interface ChangeWatchOptions {
  /** A vouch older than this is swept again (default five minutes). */
  maxAgeMs?: number;
  /** Events in one turn of the event loop taken as a possible overflow (default: a quarter of the kernel's queue). */
  burst?: number;
  /** Watch even where the platform's watcher cannot be flushed (tests of the bookkeeping only). */
  anyPlatform?: boolean;
}

interface Vouch {
  result: object;
  at: number;
  deps: string[];
}

const DEFAULT_MAX_AGE_MS = 5 * 60_000;
/** Watches left open after they stopped being trusted, at most (then everything starts over). */
const MAX_RETIRED = 256;
/** How long a folder whose watch failed is not tried again. */
const RETRY_MS = 30_000;

export class ChangeWatch {
  readonly enabled: boolean;
  private readonly maxAgeMs: number;
  private readonly burst: number;
  private readonly watches = new Map<string, FSWatcher>();
  /** The folder each watch was set up on (`dev:ino`): a watch is trusted only while its path still names it. */
  private readonly watched = new Map<string, string>();
  /** The watched paths that are folders (the rest are files). */
  private readonly folders = new Set<string>();
  /** Watches no longer trusted, left open until the next reset (see unwatch). */
  private readonly retired: FSWatcher[] = [];
  private readonly failed = new Map<string, number>();
  private readonly vouches = new Map<string, Vouch>();
  private readonly dependents = new Dependents();
  private eventsThisTurn = 0;
  /** The mount table when the watches were last known to watch what the paths name. */
  private mounts: string | undefined = mountTable();
  private closed = false;
  /** Counts for the bench and tests: sweeps skipped, sweeps done, vouches dropped, full drops. */
  readonly stats = { vouched: 0, swept: 0, dropped: 0, resets: 0 };

  constructor(options: ChangeWatchOptions = {}) {
    this.enabled = process.platform === 'linux' || options.anyPlatform === true;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.burst = options.burst ?? Math.max(64, Math.floor(kernelQueue() / 4));
  }

  /**
   * Resolves once every event for a change made before the call has been
   * handled: two turns of the event loop, each polling the inotify queue.
   */
  async settle(): Promise<void> {
    if (!this.enabled || this.watches.size === 0) return;
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    // A file system mounted over a watched folder (a bind mount, FUSE) raises no event: the watches stay on
    // the folder it covers. The mount table is one short read.
    const mounts = mountTable();
    if (mounts !== this.mounts) this.reset();
    this.mounts = mounts;
  }

  /**
   * Whether `result` (stored under `key`) still holds: yes without a system
   * call when vouched for; otherwise `sweep` decides, with the folders of
   * `deps()` watched before it runs, and a result it finds holding is
   * vouched for from then on.
   */
  check(key: string, result: object, deps: () => string[], sweep: () => boolean): boolean {
    const vouch = this.vouches.get(key);
    if (vouch && vouch.result === result && Date.now() - vouch.at < this.maxAgeMs) {
      this.stats.vouched++;
      return true;
    }
    if (vouch) this.drop(key);
    this.stats.swept++;
    if (!this.enabled || this.closed) return sweep();
    const paths = deps();
    // Watches first, then the sweep: a change before a watch is in place is the sweep's to see.
    const covered = this.cover(paths);
    const holds = sweep();
    if (holds && covered) this.register(key, { result, at: Date.now(), deps: paths });
    return holds;
  }

  /** Forgets what it vouched for and every watch (the next check of each result sweeps, under new watches). */
  reset(): void {
    this.stats.resets++;
    this.vouches.clear();
    this.dependents.clear();
    for (const watcher of [...this.watches.values(), ...this.retired]) watcher.close();
    this.retired.length = 0;
    this.watches.clear();
    this.watched.clear();
    this.folders.clear();
  }

  close(): void {
    this.closed = true;
    this.reset();
  }

  /**
   * Watches every folder the paths hang from, those that are folders, and the files themselves (a
   * file's own watch hears a write or a new link through any of its names; its folder's, only
   * through the name in it); false if one cannot be watched.
   */
  private cover(paths: readonly string[]): boolean {
    const dirs = new Set<string>();
    const files: string[] = [];
    for (const dep of paths) {
      const path = watchedPathOf(dep);
      if (!path.startsWith('/')) return false;
      let stats;
      try {
        stats = lstatSync(path, { throwIfNoEntry: false });
      } catch {
        return false;
      }
      if (stats?.isDirectory()) dirs.add(path);
      else if (stats && stats.nlink > 1) return false;
      else if (stats) files.push(path);
      for (let dir = parentOf(path); dir !== undefined; dir = parentOf(dir)) {
        if (dirs.has(dir)) break;
        dirs.add(dir);
      }
    }
    // Top down: a folder that does not exist yet is seen appearing by the watch of its parent.
    for (const dir of [...dirs].sort((a, b) => a.length - b.length)) if (!this.watchDir(dir)) return false;
    for (const file of files) if (!this.watchDir(file)) return false;
    return true;
  }

  /** Watches `dir` or a file (or trusts its watch, while the path names the same one); false if it cannot vouch below it. */
  private watchDir(dir: string): boolean {
    let stats;
    try {
      stats = lstatSync(dir, { throwIfNoEntry: false });
    } catch {
      return false;
    }
    // A link to a folder: the watch would follow its target of today, a sweep follows it at the time.
    if (stats?.isSymbolicLink()) return false;
    const identity = stats && `${stats.dev}:${stats.ino}`;
    if (this.watches.has(dir)) {
      if (this.watched.get(dir) === identity) return true;
      // Another folder under this name since the watch was set up (an event lost): what hangs below it is
      // vouched for no longer, and it is watched anew.
      this.changed(dir);
    }
    if (!stats) return true; // Not there (yet): its parent's watch sees it appear.
    const failedAt = this.failed.get(dir);
    if (failedAt !== undefined && Date.now() - failedAt < RETRY_MS) return false;
    try {
      const watcher = watch(dir, { persistent: false }, (_type, name) => this.onEvent(dir, name));
      watcher.on('error', () => {
        this.unwatch(dir);
        this.reset();
      });
      this.watches.set(dir, watcher);
      if (identity) this.watched.set(dir, identity);
      if (stats.isDirectory()) this.folders.add(dir);
      this.failed.delete(dir);
      return true;
    } catch (error) {
      // Not there (yet): its parent's watch sees it appear, which drops whatever hangs below it.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
      this.failed.set(dir, Date.now());
      return false;
    }
  }

  private onEvent(dir: string, name: string | Buffer | null): void {
    if (this.eventsThisTurn++ === 0) setImmediate(() => (this.eventsThisTurn = 0));
    if (this.eventsThisTurn >= this.burst) {
      // The kernel's queue may have overflowed: events were possibly lost.
      this.reset();
      return;
    }
    const child = name === null ? undefined : String(name);
    const named = child === undefined ? undefined : dir === '/' ? `/${child}` : `${dir}/${child}`;
    if (named !== undefined && this.folders.has(named)) {
      // A watched folder renamed, replaced or its attributes changed: closing its watches now would make
      // Node skip, uncounted, whatever the kernel queued for them, and a queue filled that way overflows
      // unseen. Every vouch goes instead.
      this.reset();
      return;
    }
    // No name, or the folder's own name (which is also what an event about the folder itself carries).
    if (child === undefined || child === dir.slice(dir.lastIndexOf('/') + 1)) this.changed(dir);
    if (named !== undefined) this.changed(named);
    if (child !== undefined) for (const key of this.dependents.ofName(dir, child)) this.drop(key);
  }

  /** A path changed: every vouch that depends on it, on a path inside it, or on a folder it is inside, is dropped. */
  private changed(path: string): void {
    for (const key of this.dependents.of(path)) this.drop(key);
    // A watched folder renamed or replaced: its watch (and those below) may now watch another place.
    if (this.watches.has(path)) {
      for (const dir of [...this.watches.keys()]) if (dir === path || dir.startsWith(`${path}/`)) this.unwatch(dir);
    }
  }

  /**
   * Stops trusting a watch. It stays open (its events still counted) until the next reset: closed now,
   * Node would skip uncounted what the kernel had queued for it, and a queue filled that way overflows unseen.
   */
  private unwatch(dir: string): void {
    const watcher = this.watches.get(dir);
    if (watcher) this.retired.push(watcher);
    this.watches.delete(dir);
    this.watched.delete(dir);
    this.folders.delete(dir);
    if (this.retired.length > MAX_RETIRED) this.reset();
  }

  private register(key: string, vouch: Vouch): void {
    this.vouches.set(key, vouch);
    this.dependents.add(key, vouch.deps);
  }

  private drop(key: string): void {
    const vouch = this.vouches.get(key);
    if (!vouch) return;
    this.stats.dropped++;
    this.vouches.delete(key);
    this.dependents.remove(key, vouch.deps);
  }
}

/** The kernel's inotify queue length (events beyond it are dropped). */
function kernelQueue(): number {
  try {
    return Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8').trim()) || 16_384;
  } catch {
    return 16_384;
  }
}

/** This process's view of what is mounted where (Linux); undefined where it cannot be read. */
function mountTable(): string | undefined {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return undefined;
  }
}
