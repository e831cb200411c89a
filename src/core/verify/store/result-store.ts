import { createHash, hash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-write.ts';
import type { JobResult } from '../checks/job.ts';
import { FORMAT, sanitized } from './workspace-record.ts';
import type { LockState, StoredResult, WorkspaceRecord } from './workspace-record.ts';
import { lostSince, stillLost } from './policy-memory.ts';
import type { LostSetting } from './policy-memory.ts';
import type { PolicySnapshot } from './policy-snapshot.ts';

/**
 * Bumped whenever what a stored result means changes (checks, evidence,
 * stamps): results stored by another revision are dropped, never trusted.
 */
const REVISION = 6;

/**
 * Earlier verification results, per workspace, so that re-verifying what has
 * not changed costs a few stat calls. A result is only reused when its key
 * matches and every file it was established from still has its stamp (see
 * `stillHolds`); anything in doubt is verified again. In memory only when
 * `dir` is undefined; otherwise one JSON file per workspace, written
 * atomically. An unreadable or foreign file is treated as empty.
 */
export class VerificationStore {
  readonly dir: string | undefined;
  /** Distinguishes builds of the verifier (the extension's version): another build's results are not reused. */
  readonly salt: string;
  private readonly loaded = new Map<string, WorkspaceRecord>();
  private readonly dirty = new Set<string>();
  /** Reports already decided for a result under a policy: an unchanged package under an unchanged policy costs nothing. */
  readonly decided = new WeakMap<JobResult, { policyKey: string; report: unknown }>();
  /** What the verdict floor last computed of a workspace's shared places (see sharedPlacesOf), by lock file. */
  readonly places = new Map<string, { value: unknown }>();
  /** Results written out as they came (see `spills`), by lock file: the file and the names in it. */
  private readonly spilled = new Map<string, { fd: number; file: string; names: Set<string>; size: number }>();

  /**
   * A store for one run (the CLI's) writes each result out to a file beside
   * its own as it is remembered and holds none of them (10,000 results are
   * ≈ 90 MB in memory); `stored` no longer gives those back. `dispose` when done.
   */
  readonly spills: boolean;

  constructor(dir: string | undefined, salt = '', spills = false) {
    this.dir = dir;
    this.salt = salt;
    this.spills = spills;
  }

  static digest(value: unknown): string {
    // One call (no Hash object): a run digests every lock entry, 1,000s of them.
    return hash('sha256', JSON.stringify(value), 'hex');
  }

  stored(lockFile: string, name: string): StoredResult | undefined {
    return this.record(lockFile).results[name];
  }

  /** Every stored result of a workspace, by package name. */
  all(lockFile: string): Readonly<Record<string, StoredResult>> {
    return this.record(lockFile).results;
  }

  remember(lockFile: string, name: string, stored: StoredResult): void {
    const spill = this.spillOf(lockFile);
    this.dirty.add(lockFile);
    if (spill && !spill.names.has(name)) {
      const bytes = Buffer.from(
        `${spill.names.size === 0 ? '' : ','}${JSON.stringify(name)}:${JSON.stringify(stored)}`,
      );
      try {
        // At the end of what was written whole: a write that failed halfway is written over.
        for (let at = 0; at < bytes.length;) at += writeSync(spill.fd, bytes, at, bytes.length - at, spill.size + at);
        spill.size += bytes.length;
        spill.names.add(name);
        delete this.record(lockFile).results[name];
        return;
      } catch {
        // Kept in memory instead.
      }
    }
    this.record(lockFile).results[name] = stored;
  }

  /** Closes and removes what a spilling store wrote out (its results are in the saved file by then). */
  dispose(): void {
    for (const { fd, file } of this.spilled.values()) {
      closeSync(fd);
      rmSync(file, { force: true });
    }
    this.spilled.clear();
  }

  /** Where a spilling store writes a workspace's results; none (results kept in memory) when it cannot. */
  private spillOf(lockFile: string) {
    if (!this.spills || !this.dir) return undefined;
    let spill = this.spilled.get(lockFile);
    if (!spill) {
      try {
        mkdirSync(this.dir, { recursive: true });
        const file = `${this.fileOf(lockFile)}.${process.pid}.spill`;
        spill = { fd: openSync(file, 'w+', 0o600), file, names: new Set(), size: 0 };
        this.spilled.set(lockFile, spill);
      } catch {
        return undefined;
      }
    }
    return spill;
  }

  /** Forgets packages that are no longer in the lock file. */
  retain(lockFile: string, names: ReadonlySet<string>): void {
    const record = this.record(lockFile);
    for (const name of Object.keys(record.results)) {
      if (!names.has(name)) {
        delete record.results[name];
        this.dirty.add(lockFile);
      }
    }
  }

  lockState(lockFile: string): LockState | undefined {
    return this.record(lockFile).lock;
  }

  setLockState(lockFile: string, lock: LockState): void {
    this.record(lockFile).lock = lock;
    this.dirty.add(lockFile);
  }

  policy(lockFile: string): { snapshot: PolicySnapshot; checkedAt: string | undefined } | undefined {
    const record = this.record(lockFile);
    return record.policy && { snapshot: record.policy, checkedAt: record.checkedAt };
  }

  setPolicy(lockFile: string, snapshot: PolicySnapshot, checkedAt: string): void {
    const record = this.record(lockFile);
    if (JSON.stringify(record.policy) !== JSON.stringify(snapshot)) {
      this.dirty.add(lockFile);
      // Only a policy decided the same way (Restricted Mode or not) is comparable.
      const fresh =
        record.policy && record.policy.restricted === snapshot.restricted ? lostSince(record.policy, snapshot) : [];
      const lost = stillLost(record.lost ?? [], fresh, snapshot);
      record.lost = lost.length > 0 ? lost : undefined;
    }
    record.policy = snapshot;
    record.checkedAt = checkedAt;
  }

  /** Trust entries and settings the policy had at an earlier verification and lost since (the `aam` CLI rewrites configs). */
  lost(lockFile: string): readonly LostSetting[] {
    return this.record(lockFile).lost ?? [];
  }

  /** The user has seen what was lost and lets it go. */
  acknowledgeLost(lockFile: string): void {
    const record = this.record(lockFile);
    if (!record.lost) return;
    record.lost = undefined;
    this.dirty.add(lockFile);
  }

  /** Writes what changed. Never throws: a cache that cannot be written only costs time. */
  async save(): Promise<string[]> {
    const problems: string[] = [];
    if (!this.dir) {
      this.dirty.clear();
      return problems;
    }
    for (const lockFile of [...this.dirty]) {
      this.dirty.delete(lockFile);
      try {
        await writeFileAtomic(
          this.fileOf(lockFile),
          jsonPieces(this.loaded.get(lockFile)!, this.spilled.get(lockFile)),
          0o600,
          { cache: true },
        );
      } catch (error) {
        problems.push(`${this.fileOf(lockFile)}: ${(error as Error).message}`);
      }
    }
    return problems;
  }

  private fileOf(lockFile: string): string {
    return join(this.dir!, `${createHash('sha256').update(lockFile).digest('hex').slice(0, 32)}.json`);
  }

  private record(lockFile: string): WorkspaceRecord {
    let record = this.loaded.get(lockFile);
    if (!record) {
      record = this.read(lockFile) ?? {
        format: FORMAT,
        revision: REVISION,
        salt: this.salt,
        lockFile,
        lock: undefined,
        policy: undefined,
        checkedAt: undefined,
        results: {},
      };
      this.loaded.set(lockFile, record);
    }
    return record;
  }

  private read(lockFile: string): WorkspaceRecord | undefined {
    if (!this.dir) return undefined;
    try {
      const record = JSON.parse(readFileSync(this.fileOf(lockFile), 'utf8')) as WorkspaceRecord;
      const usable =
        record?.format === FORMAT &&
        record.revision === REVISION &&
        record.salt === this.salt &&
        record.lockFile === lockFile &&
        typeof record.results === 'object' &&
        record.results !== null &&
        !Array.isArray(record.results);
      return usable ? sanitized(record) : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * `JSON.stringify(record)`, in pieces of about 64 KB: a record of 10,000
 * results is tens of megabytes of text, which need not be one string.
 */
function* jsonPieces(
  record: WorkspaceRecord,
  spill?: { fd: number; names: Set<string>; size: number },
): Generator<string | Uint8Array> {
  const marker = '\u0000results\u0000';
  const [before, after] = JSON.stringify({ ...record, results: marker }).split(JSON.stringify(marker));
  let piece = `${before}{`;
  let first = true;
  // The results written out first, as written (`"name":{…}` separated by commas, UTF-8 bytes: a
  // piece may end inside a character); one also held in memory (remembered again) comes after, and wins.
  if (spill && spill.names.size > 0) {
    yield piece;
    piece = '';
    first = false;
    for (let at = 0; at < spill.size;) {
      const buffer = Buffer.allocUnsafe(Math.min(65536, spill.size - at));
      const read = readSync(spill.fd, buffer, 0, buffer.length, at);
      if (read === 0) throw new Error('the results written out are shorter than they were');
      yield buffer.subarray(0, read);
      at += read;
    }
  }
  for (const [name, stored] of Object.entries(record.results)) {
    const text = JSON.stringify(stored);
    if (text === undefined) continue;
    piece += `${first ? '' : ','}${JSON.stringify(name)}:${text}`;
    first = false;
    if (piece.length >= 65536) {
      yield piece;
      piece = '';
    }
  }
  yield `${piece}}${after}`;
}
