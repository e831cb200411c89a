import { createHash, hash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-write.ts';
import type { JobResult } from '../checks/job.ts';
import { FORMAT, sanitizedHeader } from './workspace-record.ts';
import { lineOf, Loaded, NEWLINE } from './result-lines.ts';
import type { Spill } from './result-lines.ts';
import type { LockState, RecordHeader, StoredResult } from './workspace-record.ts';
import { lostSince, stillLost } from './policy-memory.ts';
import type { LostSetting } from './policy-memory.ts';
import type { PolicySnapshot } from './policy-snapshot.ts';

/**
 * Bumped whenever what a stored result means changes (checks, evidence,
 * stamps), or how the file lays it out: results stored by another revision
 * are dropped, never trusted. 7: one line a result. 8: the hidden-content scan
 * reads the values deploying writes, and deployed copies are checked per artifact.
 * 9: the names beside each deployed copy are evidence (nameGroupKey). 10: a Sigstore signer carries
 * its certificate's source repository, which `github:` and `gitlab:` patterns match; the Markdown and
 * colour scans judge differently. 11: every result's checks name their package (blocked_packages and
 * per-package thresholds are judged by it; a result that failed early had none). 12: and the registry
 * the lock entry names, which allowed_registries judges. 13: a `source: local` archive is exempt from it only
 * when the evidence cache notes it was installed from a .aam file (that note is stamped). 14: the hidden-content
 * scan reads shadows, outlines, masks, theme colours and what elements pass down, so judges styles differently.
 * 15: and the backgrounds painted behind an element's text by those around it. 16: and by an element's `display`
 * (a block displayed inline paints on its lines only), a table's columns, boxes too small for their text, and
 * boxes moved off their parent's. 17: and HTML's tree as the preview parses it: what a table moves out of itself,
 * what a start tag in a table ends, a table kept in its paragraph (quirks mode), a second form ignored. 18: a <p>
 * or list item ended however deep, `</form>` closing the form alone, a heading ending the heading it is in. 19: a
 * Markdown paragraph's own <p>, SVG's own tags ending nothing of HTML, SVG boxes of no size. 20: the
 * preview's own elements for headings, lists, quotes and code; <body>, <head> ignored; MathML's points in MathML only.
 * 21: a formatting element's end tag moving a later block out of it; breakout tags ending SVG; a link's colour.
 * 22: the adoption agency's rounds, SVG sizes read as lengths, a tight list item's HTML left open. 23: text hidden
 * where the browser puts it (past an ignored end tag, in a hidden formatting element opened again), SVG, MathML,
 * popovers, meters, closed selects, CSS math, composed transforms, clip paths, logical offsets.
 */
const REVISION = 23;

/**
 * Earlier verification results, per workspace, so that re-verifying what has
 * not changed costs a few stat calls. A result is only reused when its key
 * matches and every file it was established from still has its stamp (see
 * `stillHolds`); anything in doubt is verified again. In memory only when
 * `dir` is undefined; otherwise one file per workspace, written atomically,
 * a line a result (result-lines.ts): verifying one package of thousands
 * costs its own line, not the file's. An unreadable or foreign file is
 * treated as empty, an unreadable line as no result.
 */
export class VerificationStore {
  readonly dir: string | undefined;
  /** Distinguishes builds of the verifier (the extension's version): another build's results are not reused. */
  readonly salt: string;
  private readonly loaded = new Map<string, Loaded>();
  private readonly dirty = new Set<string>();
  /** Reports already decided for a result under a policy: an unchanged package under an unchanged policy costs nothing. */
  readonly decided = new WeakMap<JobResult, { policyKey: string; report: unknown }>();
  /** What the verdict floor last computed of a workspace's shared places (see sharedPlacesOf), by lock file. */
  readonly places = new Map<string, { value: unknown }>();
  /** Results written out as they came (see `spills`), by lock file: the file and the names in it. */
  private readonly spilled = new Map<string, Spill>();

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
    return this.record(lockFile).get(name);
  }

  /** Every stored result of a workspace, by package name. */
  all(lockFile: string): Readonly<Record<string, StoredResult>> {
    const record = this.record(lockFile);
    const results: Record<string, StoredResult> = {};
    for (const name of record.names()) {
      const stored = record.get(name);
      if (stored) results[name] = stored;
    }
    record.release();
    return results;
  }

  remember(lockFile: string, name: string, stored: StoredResult): void {
    const record = this.record(lockFile);
    const spill = this.spillOf(lockFile);
    this.dirty.add(lockFile);
    if (spill && !spill.names.has(name)) {
      const bytes = Buffer.from(lineOf(name, stored));
      try {
        // At the end of what was written whole: a write that failed halfway is written over.
        for (let at = 0; at < bytes.length;) at += writeSync(spill.fd, bytes, at, bytes.length - at, spill.size + at);
        spill.size += bytes.length;
        spill.names.add(name);
        record.forget(name);
        return;
      } catch {
        // Kept in memory instead.
      }
    }
    record.set(name, stored);
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
    for (const name of record.names()) {
      if (!names.has(name)) {
        record.forget(name);
        this.dirty.add(lockFile);
      }
    }
  }

  lockState(lockFile: string): LockState | undefined {
    return this.record(lockFile).header.lock;
  }

  setLockState(lockFile: string, lock: LockState): void {
    this.record(lockFile).header.lock = lock;
    this.dirty.add(lockFile);
  }

  policy(lockFile: string): { snapshot: PolicySnapshot; checkedAt: string | undefined } | undefined {
    const { header } = this.record(lockFile);
    return header.policy && { snapshot: header.policy, checkedAt: header.checkedAt };
  }

  setPolicy(lockFile: string, snapshot: PolicySnapshot, checkedAt: string): void {
    const { header } = this.record(lockFile);
    if (JSON.stringify(header.policy) !== JSON.stringify(snapshot)) {
      this.dirty.add(lockFile);
      // Only a policy decided the same way (Restricted Mode or not) is comparable.
      const fresh =
        header.policy && header.policy.restricted === snapshot.restricted ? lostSince(header.policy, snapshot) : [];
      const lost = stillLost(header.lost ?? [], fresh, snapshot);
      header.lost = lost.length > 0 ? lost : undefined;
    }
    header.policy = snapshot;
    header.checkedAt = checkedAt;
  }

  /** Trust entries and settings the policy had at an earlier verification and lost since (the `aam` CLI rewrites configs). */
  lost(lockFile: string): readonly LostSetting[] {
    return this.record(lockFile).header.lost ?? [];
  }

  /** The user has seen what was lost and lets it go. */
  acknowledgeLost(lockFile: string): void {
    const { header } = this.record(lockFile);
    if (!header.lost) return;
    header.lost = undefined;
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
          this.loaded.get(lockFile)!.pieces(this.spilled.get(lockFile)),
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

  private record(lockFile: string): Loaded {
    let record = this.loaded.get(lockFile);
    if (!record) {
      record = (this.dir && this.read(lockFile)) || new Loaded(this.headerFor(lockFile));
      this.loaded.set(lockFile, record);
    }
    return record;
  }

  private headerFor(lockFile: string): RecordHeader {
    return {
      format: FORMAT,
      revision: REVISION,
      salt: this.salt,
      lockFile,
      lock: undefined,
      policy: undefined,
      checkedAt: undefined,
    };
  }

  private read(lockFile: string): Loaded | undefined {
    let raw: Buffer;
    try {
      raw = readFileSync(this.fileOf(lockFile));
    } catch {
      return undefined;
    }
    // No line ends: not this layout (an earlier revision's one JSON document), left unparsed.
    const end = raw.indexOf(NEWLINE);
    if (end === -1) return undefined;
    try {
      const header = JSON.parse(raw.toString('utf8', 0, end)) as RecordHeader;
      const usable =
        header?.format === FORMAT &&
        header.revision === REVISION &&
        header.salt === this.salt &&
        header.lockFile === lockFile;
      return usable ? new Loaded(sanitizedHeader(header), raw, end + 1) : undefined;
    } catch {
      return undefined;
    }
  }
}
