import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import type { LockedPackage } from '../lockfile/lockfile.ts';
import type { AttestationFact, Checks, IntegrityCheck, SignatureCheck } from '../policy/decision.ts';
import { describeDifferences, isClean } from '../scan/installed-files.ts';
import { scanInstalled } from '../scan/scan-installed.ts';
import type { JobResult } from './checks/job.ts';

/** What a passing verification established about an archive and its signature, and when. */
interface LedgerEntry {
  name: string;
  version: string;
  /** When it was checked (ISO time). */
  at: string;
  signature: SignatureCheck;
  signatureDigest: string | undefined;
  attestation?: AttestationFact | undefined;
}

const FORMAT = 'aam-trust/verified-ledger';
const MAX_ENTRIES = 20_000;

/**
 * The archives (by SHA-256) whose signature this machine verified, with
 * when: what `--use-cached-verification` falls back on when the evidence
 * cannot be reached now (seeds: "use cached verification" when the
 * transparency log is unreachable). A package's bytes are the same bytes
 * wherever they are verified, so the entry is per archive, not per project.
 */
export class VerifiedLedger {
  readonly file: string | undefined;
  private entries: Record<string, LedgerEntry> | undefined;
  private changed = false;

  /** `dir` undefined: in memory only. */
  constructor(dir: string | undefined) {
    this.file = dir ? join(dir, 'ledger.json') : undefined;
  }

  private all(): Record<string, LedgerEntry> {
    if (!this.entries) {
      try {
        const raw = JSON.parse(readFileSync(this.file ?? '', 'utf8')) as { format?: string; entries?: unknown };
        this.entries =
          raw.format === FORMAT && raw.entries && typeof raw.entries === 'object'
            ? (raw.entries as Record<string, LedgerEntry>)
            : {};
      } catch {
        this.entries = {};
      }
    }
    return this.entries;
  }

  lookup(checksum: string): LedgerEntry | undefined {
    return this.all()[checksum];
  }

  /** Remembers every result whose archive was authentic and whose signature, if any, verified. */
  remember(results: Iterable<{ result: JobResult; checksum: string; version: string }>): void {
    const entries = this.all();
    for (const { result, checksum, version } of results) {
      const { integrity, signature, attestation } = result.checks;
      if (result.checks.cached || signature.state === 'invalid') continue;
      // Only where the signature was looked at: an archive that held (deployed copies may differ).
      if (!integrity.ok && integrity.code !== 'DEPLOYED_MODIFIED') continue;
      const at = new Date(Number(result.at) / 1e6).toISOString();
      if (entries[checksum]?.at === at) continue;
      entries[checksum] = {
        name: result.name,
        version,
        at,
        signature,
        signatureDigest: result.signatureDigest,
        ...(attestation ? { attestation } : {}),
      };
      this.changed = true;
    }
  }

  /** Remembers what an install verified at `at`: archives that held, whose signature, if any, verified. */
  rememberInstalled(items: Iterable<{ version: string; checksum: string; checks: Checks }>, at: string): void {
    const entries = this.all();
    for (const { version, checksum, checks } of items) {
      const { name, integrity, signature, attestation } = checks;
      if (checks.cached || checks.installedWithoutVerification || signature.state === 'invalid' || !integrity.ok)
        continue;
      entries[checksum] = {
        name: name ?? '',
        version,
        at,
        signature,
        signatureDigest: checks.signatures?.[0]?.digest,
        ...(attestation ? { attestation } : {}),
      };
      this.changed = true;
    }
  }

  async save(): Promise<void> {
    if (!this.file || !this.changed) return;
    let entries = this.all();
    // The newest kept when there are too many (ISO times of one format sort as text; a collation is not needed).
    if (Object.keys(entries).length > MAX_ENTRIES)
      entries = Object.fromEntries(
        Object.entries(entries)
          .sort(([, a], [, b]) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
          .slice(0, MAX_ENTRIES),
      );
    await writeFileAtomic(this.file, JSON.stringify({ format: FORMAT, entries }), 0o644, { cache: true });
    this.changed = false;
  }
}

/**
 * A result whose evidence could not be reached (the registry unreachable
 * and nothing in the evidence cache), answered from this machine's earlier
 * verification of the same archive: its signature check as it was then, and
 * the installed files compared with the lock file's checksums now. Undefined
 * when the evidence was there, or nothing was verified here before.
 */
export function fromLedger(
  result: JobResult,
  entry: LockedPackage,
  installedDir: string,
  ledger: VerifiedLedger,
): JobResult | undefined {
  const { integrity } = result.checks;
  if (integrity.ok || integrity.code !== 'ARCHIVE_UNAVAILABLE') return undefined;
  const earlier = ledger.lookup(entry.checksum);
  if (!earlier || earlier.name !== result.name || earlier.version !== entry.version) return undefined;
  return {
    ...result,
    checks: {
      ...result.checks,
      integrity: installedFiles(result.name, entry, installedDir),
      signature: earlier.signature,
      // Only the attestation of the registry the lock file names: another's of the same bytes is not this one's word.
      attestation: earlier.attestation?.registry === entry.source ? earlier.attestation : undefined,
      cached: { at: earlier.at, reason: integrity.detail },
    },
    signatureDigest: earlier.signatureDigest,
  };
}

/** The installed files against the lock file's checksums (the archive is what is missing). */
function installedFiles(name: string, entry: LockedPackage, installedDir: string): IntegrityCheck {
  const expected = entry.file_checksums?.files;
  if (!expected) return { ok: true };
  const { diff } = scanInstalled(installedDir, expected);
  // The Python CLI leaves hidden files out of file_checksums; that omission alone is not an edit.
  diff.added = diff.added.filter((path) => !path.split('/').some((segment) => segment.startsWith('.')));
  if (isClean(diff)) return { ok: true };
  return {
    ok: false,
    code: 'FILES_MODIFIED',
    expected: diff.example ? `${diff.example.path}: ${diff.example.expected}` : 'the installed files of the lock file',
    actual: diff.example ? `${diff.example.path}: ${diff.example.actual}` : describeDifferences(diff),
    detail: `Installed files of ${name} differ from the lock file's checksums (${describeDifferences(diff)}).`,
  };
}

/** How old a verification of `at` is, in words: "4 days", "3 hours", "12 minutes". */
export function ageOf(at: string, now = new Date()): string {
  const minutes = Math.max(0, Math.round((now.getTime() - Date.parse(at)) / 60_000));
  const [n, unit] =
    minutes >= 2 * 24 * 60
      ? [Math.round(minutes / (24 * 60)), 'day']
      : minutes >= 120
        ? [Math.round(minutes / 60), 'hour']
        : [minutes, 'minute'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
