import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-write.ts';
import { isTrustedIdentity } from '../../policy/identity.ts';
import type { JobResult } from '../checks/job.ts';
import { lostSince, stillLost } from './policy-memory.ts';
import type { LostSetting } from './policy-memory.ts';
import type { PolicySnapshot } from './policy-snapshot.ts';
import type { FileStamp } from '../../scan/stamps.ts';

/**
 * Bumped whenever what a stored result means changes (checks, evidence,
 * stamps): results stored by another revision are dropped, never trusted.
 */
const REVISION = 6;
const FORMAT = 'aam-trust/verification-results';

/** What a report needs from the lock entry, so a stored result can be shown without parsing the lock file. */
export interface EntrySummary {
  version: string;
  source: string;
  checksum: string;
  fileCount: number;
}

export interface StoredResult {
  /** Everything the result depends on besides the files it stamps: lock entry, trust material, settings. */
  key: string;
  summary: EntrySummary;
  result: JobResult;
}

/** The lock file as last read: its stamp, and a digest per entry (unchanged stamp: no need to parse it again). */
export interface LockState {
  stamp: FileStamp;
  at: string;
  digests: Record<string, string>;
}

interface WorkspaceRecord {
  format: typeof FORMAT;
  revision: number;
  salt: string;
  lockFile: string;
  lock: LockState | undefined;
  policy: PolicySnapshot | undefined;
  checkedAt: string | undefined;
  /** What the policy lost since earlier verifications, until it has it again or the user lets it go. */
  lost?: LostSetting[];
  results: Record<string, StoredResult>;
}

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

  constructor(dir: string | undefined, salt = '') {
    this.dir = dir;
    this.salt = salt;
  }

  static digest(value: unknown): string {
    return createHash('sha256').update(JSON.stringify(value)).digest('hex');
  }

  stored(lockFile: string, name: string): StoredResult | undefined {
    return this.record(lockFile).results[name];
  }

  /** Every stored result of a workspace, by package name. */
  all(lockFile: string): Readonly<Record<string, StoredResult>> {
    return this.record(lockFile).results;
  }

  remember(lockFile: string, name: string, stored: StoredResult): void {
    this.record(lockFile).results[name] = stored;
    this.dirty.add(lockFile);
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
        await writeFileAtomic(this.fileOf(lockFile), JSON.stringify(this.loaded.get(lockFile)), 0o600);
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
        isObject(record.results);
      return usable ? sanitized(record) : undefined;
    } catch {
      return undefined;
    }
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const stringsOnly = (value: unknown) => isObject(value) && Object.values(value).every(isString);
const stampsOnly = (value: unknown) => isObject(value) && Object.values(value).every((v) => v === null || isString(v));

/**
 * A record read from disk keeps only what has the shape this build writes:
 * a damaged or hand-edited file costs re-verification, never an exception
 * or a verdict from garbage.
 */
function sanitized(record: WorkspaceRecord): WorkspaceRecord {
  const results: Record<string, StoredResult> = {};
  for (const [name, stored] of Object.entries(record.results)) if (isStoredResult(stored)) results[name] = stored;
  const lock =
    isObject(record.lock) && isString(record.lock.stamp) && isString(record.lock.at) && stringsOnly(record.lock.digests)
      ? record.lock
      : undefined;
  const policy = isPolicySnapshot(record.policy) ? record.policy : undefined;
  const lost = Array.isArray(record.lost)
    ? record.lost.filter((l) => isObject(l) && isString(l.key) && isString(l.was))
    : undefined;
  return {
    ...record,
    lock,
    policy,
    checkedAt: isString(record.checkedAt) ? record.checkedAt : undefined,
    lost,
    results,
  };
}

function isStoredResult(value: unknown): value is StoredResult {
  if (!isObject(value) || !isString(value.key) || !isObject(value.summary) || !isObject(value.result)) return false;
  const { summary, result } = value;
  if (
    !isString(summary.version) ||
    !isString(summary.source) ||
    !isString(summary.checksum) ||
    typeof summary.fileCount !== 'number'
  )
    return false;
  if (!isString(result.name) || !isString(result.at) || !isString(result.archiveOrigin) || !stampsOnly(result.evidence))
    return false;
  if (!Array.isArray(result.claims) || !result.claims.every(isString)) return false;
  if (!Array.isArray(result.hidden) || !result.hidden.every(isHiddenFile)) return false;
  if (
    !Array.isArray(result.deployed) ||
    !result.deployed.every(
      (c) =>
        isObject(c) &&
        isString(c.path) &&
        isString(c.platform) &&
        isString(c.name) &&
        ['ok', 'modified', 'missing'].includes(c.state as string),
    )
  )
    return false;
  if (
    !Array.isArray(result.continuity) ||
    !result.continuity.every((c) => isObject(c) && isString(c.code) && isString(c.message))
  )
    return false;
  if (
    !Array.isArray(result.registryChanges) ||
    !result.registryChanges.every(
      (c) =>
        isObject(c) &&
        isString(c.path) &&
        isString(c.expected) &&
        isString(c.actual) &&
        (c.what === 'archive' || c.what === 'signature') &&
        (c.change === 'replaced' || c.change === 'removed'),
    )
  )
    return false;
  if (
    result.signatureFile !== undefined &&
    !(isObject(result.signatureFile) && isString(result.signatureFile.file) && isString(result.signatureFile.path))
  )
    return false;
  if (
    result.scan !== undefined &&
    !(
      isObject(result.scan) &&
      isString(result.scan.at) &&
      stampsOnly(result.scan.dirs) &&
      isObject(result.scan.files) &&
      Object.values(result.scan.files).every((f) => isObject(f) && isString(f.stamp) && isString(f.sha256))
    )
  )
    return false;
  const checks = result.checks;
  if (
    !isObject(checks) ||
    !isObject(checks.integrity) ||
    typeof checks.integrity.ok !== 'boolean' ||
    !isObject(checks.signature)
  )
    return false;
  const signature = checks.signature;
  if (signature.state === 'none') return true;
  if (signature.state === 'invalid')
    return (
      isString(signature.code) &&
      isString(signature.reason) &&
      (signature.signer === undefined || isSigner(signature.signer))
    );
  return signature.state === 'valid' && isSigner(signature.signer);
}

function isHiddenFile(value: unknown): boolean {
  const position = (p: unknown) => isObject(p) && typeof p.line === 'number' && typeof p.character === 'number';
  return (
    isObject(value) &&
    isString(value.path) &&
    typeof value.count === 'number' &&
    Array.isArray(value.items) &&
    value.items.every(
      (i) =>
        isObject(i) &&
        isString(i.kind) &&
        isString(i.decoded) &&
        isString(i.context) &&
        position(i.start) &&
        position(i.end) &&
        Array.isArray(i.characters) &&
        i.characters.every(isString),
    )
  );
}

function isSigner(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (value.type === 'gpg')
    return isString(value.fingerprint) && Array.isArray(value.userIds) && value.userIds.every(isString);
  return value.type === 'sigstore' && isObject(value.identity) && isString(value.identity.san);
}

function isPolicySnapshot(value: unknown): value is PolicySnapshot {
  if (
    !isObject(value) ||
    !isObject(value.policy) ||
    !stringsOnly(value.sources) ||
    typeof value.restricted !== 'boolean'
  )
    return false;
  const p = value.policy;
  const list = (v: unknown) => Array.isArray(v) && v.every(isString);
  if (p.on_signer_change === undefined) p.on_signer_change = 'error';
  // Snapshots stored before these settings existed decided without them.
  if (p.trust_registry_attestations === undefined) p.trust_registry_attestations = false;
  if (p.trusted_registries === undefined) p.trusted_registries = [];
  if (p.require_registry_attestation === undefined) p.require_registry_attestation = false;
  if (p.hidden_content === undefined) p.hidden_content = 'warn';
  return (
    typeof p.require_signature === 'boolean' &&
    typeof p.verify_transparency_log === 'boolean' &&
    ['warn', 'error', 'ignore'].includes(p.on_signature_failure as string) &&
    Array.isArray(p.trusted_identities) &&
    p.trusted_identities.every(isTrustedIdentity) &&
    list(p.trusted_keys) &&
    list(p.allowed_issuers)
  );
}
