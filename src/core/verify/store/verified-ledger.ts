import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-write.ts';
import type { AttestationFact, Checks, SignatureCheck } from '../../policy/decision.ts';
import type { InstalledScan } from '../../scan/scan-installed.ts';
import type { JobResult } from '../checks/job.ts';

/** What a passing verification established about an archive and its signature, and when. */
export interface LedgerEntry {
  name: string;
  version: string;
  /** When it was checked (ISO time). */
  at: string;
  signature: SignatureCheck;
  signatureDigest: string | undefined;
  attestation?: AttestationFact | undefined;
  /** The registries (lock files' `source`) it was verified from here; absent in a ledger written before they were kept. */
  sources?: string[] | undefined;
  /**
   * SHA-256 (hex) of each file of the archive, by path: what the installed files, and the deployed copies
   * computed from them, are compared with when the archive is gone. Absent: not known (an install, an older ledger).
   */
  files?: Record<string, string> | undefined;
  /**
   * The verifier's trust digest it was judged under (the Sigstore root, the transparency-log requirement,
   * the keyrings and their contents): it stands in only under the same. Absent: an older ledger.
   */
  trust?: string | undefined;
}

/**
 * What a verification is judged under, for the ledger: the verifier's trust digest, and each registry
 * (a lock file's `source`) as its name and its place, since another project's "team" is another registry.
 */
export interface LedgerContext {
  trust: string;
  sourceKey(source: string): string;
}

/** Why an earlier verification judged under other trust material does not stand in, in words. */
export const OTHER_TRUST =
  'under other trust material (another Sigstore root or transparency-log setting, or OpenPGP keyrings that have changed since: a key imported or revoked)';

export function ledgerContext(trust: string, registries: readonly { name: string; url: string }[]): LedgerContext {
  return {
    trust,
    sourceKey: (source) => {
      const registry = registries.find((r) => r.name === source);
      return registry ? `${source} ${registry.url}` : source;
    },
  };
}

const FORMAT = 'aam-trust/verified-ledger';
const MAX_ENTRIES = 20_000;
/** Registries remembered per archive (the same bytes may come from a mirror too). */
const MAX_SOURCES = 8;

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

  /**
   * Remembers every result whose archive was authentic and whose signature, if any, verified, with the
   * registry its lock entry named (`source`) and its files as the scan found them (or `files`, when the
   * result no longer carries its scan).
   */
  remember(
    results: Iterable<{
      result: JobResult;
      checksum: string;
      version: string;
      source?: string | undefined;
      files?: Record<string, string> | undefined;
    }>,
    context: LedgerContext,
  ): void {
    const entries = this.all();
    for (const { result, checksum, version, source: name, files = filesOf(result.scan) } of results) {
      const { integrity, signature, attestation } = result.checks;
      if (result.checks.cached) continue;
      // A signature that does not verify now (a key revoked since, say) leaves no earlier verdict to stand in.
      if (signature.state === 'invalid') {
        if (entries[checksum]) {
          delete entries[checksum];
          this.changed = true;
        }
        continue;
      }
      const source = name === undefined ? undefined : context.sourceKey(name);
      // Only where the signature was looked at: an archive that held (deployed copies may differ).
      if (!integrity.ok && integrity.code !== 'DEPLOYED_MODIFIED') continue;
      const at = new Date(Number(result.at) / 1e6).toISOString();
      const earlier = entries[checksum];
      if (
        earlier?.at === at &&
        earlier.trust === context.trust &&
        (!files || earlier.files) &&
        (!source || earlier.sources?.includes(source))
      )
        continue;
      entries[checksum] = {
        name: result.name,
        version,
        at,
        signature,
        signatureDigest: result.signatureDigest,
        ...(attestation ? { attestation } : {}),
        ...keptOf(earlier?.trust === context.trust ? earlier : undefined, source, files),
        trust: context.trust,
      };
      this.changed = true;
    }
  }

  /** Remembers what an install verified at `at`: archives that held, whose signature, if any, verified. */
  rememberInstalled(
    items: Iterable<{ version: string; checksum: string; checks: Checks }>,
    at: string,
    trust: string,
  ): void {
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
        ...keptOf(entries[checksum]?.trust === trust ? entries[checksum] : undefined, undefined, undefined),
        trust,
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

/** SHA-256 of each file a clean scan found: the archive's files, as the scan matched them all. */
function filesOf(scan: InstalledScan | undefined): Record<string, string> | undefined {
  if (!scan) return undefined;
  return Object.fromEntries(Object.entries(scan.files).map(([path, file]) => [path, file.sha256]));
}

/** What an entry keeps of the one it replaces for the same archive (the same bytes, so the same files), with a new source. */
function keptOf(
  earlier: LedgerEntry | undefined,
  source: string | undefined,
  files: Record<string, string> | undefined,
): Pick<LedgerEntry, 'sources' | 'files'> {
  const before = Array.isArray(earlier?.sources) ? earlier.sources : [];
  const sources = source === undefined || before.includes(source) ? before : [...before, source].slice(-MAX_SOURCES);
  const kept = files ?? earlier?.files;
  return { ...(sources.length > 0 ? { sources } : {}), ...(kept ? { files: kept } : {}) };
}
