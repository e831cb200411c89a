import type { RecordedRegistry } from '../record/trust-record.ts';
import type { AuditEntry } from './audit-log.ts';
import type { HttpRegistry } from './http-registry.ts';
import { checkRegistryLog } from './registry-check.ts';

/**
 * What a package's proven audit-log entries say about the archive a client
 * holds: its publish must be among them, with its checksum, and no version
 * may have been published twice with different archives. The honest
 * registry refuses a second publish of a version (by SemVer precedence), so
 * two archives for one version in its own signed log prove that it served
 * different bytes to different clients.
 */

/** One version published more than once with different archives: the log proves the registry forked it. */
export interface Equivocation {
  package: string;
  version: string;
  /** The archives' checksums (`sha256:…`), in log order. */
  checksums: string[];
  /** The publish entries' sequence numbers. */
  seqs: number[];
}

/** An archive the log does not vouch for, and why. */
export interface PublishProblem {
  kind: 'unlogged' | 'equivocation';
  /** A sentence, without the registry's name or a final stop. */
  reason: string;
  /** The checksums the log records for the version, when they are not the archive's alone. */
  recorded: string[];
}

/** The archive a client installs or holds: the version it was published as, and its checksum (`sha256:…`). */
export interface HeldArchive {
  name: string;
  version: string;
  checksum: string;
}

/** Build metadata makes no other version (SemVer precedence), as the registry's uniqueness rule says. */
const precedenceOf = (version: string): string => version.split('+')[0]!;

/** Every version of which `entries` record publishes of more than one archive. */
export function equivocations(entries: readonly AuditEntry[]): Equivocation[] {
  const byVersion = new Map<string, Equivocation>();
  for (const entry of entries) {
    if (entry.event !== 'package.publish' || typeof entry.version !== 'string') continue;
    const key = `${entry.package}@${precedenceOf(entry.version)}`;
    const seen = byVersion.get(key) ?? { package: entry.package, version: entry.version, checksums: [], seqs: [] };
    byVersion.set(key, seen);
    seen.seqs.push(entry.seq);
    const checksum = String(entry.metadata?.checksum);
    if (!seen.checksums.includes(checksum)) seen.checksums.push(checksum);
  }
  return [...byVersion.values()].filter((e) => e.checksums.length > 1);
}

/** Says which versions were published with several archives, and which archives. */
export function describeEquivocation(e: Equivocation): string {
  const archives = e.checksums.map((c) => `${c.slice(0, 19)}…`).join(', ');
  return `records ${e.package}@${e.version} published ${e.seqs.length} times with different archives (${archives}; entries ${e.seqs.join(', ')})`;
}

/**
 * Why the proven `entries` do not vouch for `held`: no publish of its
 * version with its checksum, or publishes of the package's versions with
 * other archives too. Undefined when they do.
 */
export function publishProblem(held: HeldArchive, entries: readonly AuditEntry[]): PublishProblem | undefined {
  const own = entries.filter((e) => e.package === held.name);
  const forked = equivocations(own);
  const mine = forked.find((e) => precedenceOf(e.version) === precedenceOf(held.version));
  if (mine) return { kind: 'equivocation', reason: describeEquivocation(mine), recorded: mine.checksums };
  const publishes = own.filter((e) => e.event === 'package.publish' && e.version === held.version);
  if (!publishes.some((e) => e.metadata?.checksum === held.checksum))
    return {
      kind: 'unlogged',
      reason: `proves no publish of ${held.name}@${held.version} with the archive's checksum (${held.checksum.slice(0, 19)}…)`,
      recorded: publishes.map((e) => String(e.metadata?.checksum)),
    };
  if (forked.length > 0)
    return {
      kind: 'equivocation',
      reason: forked.map(describeEquivocation).join('; '),
      recorded: forked[0]!.checksums,
    };
  return undefined;
}

/**
 * Proves, against the head just checked (`seen`), that the log records the
 * publish of each archive about to be installed from `registry`, and nothing
 * that contradicts it — what `verify` checks later, asked before anything is
 * written: one inclusion-proof request per package.
 */
export async function unloggedPublishes(
  registry: HttpRegistry,
  seen: Omit<RecordedRegistry, 'recorded_at'>,
  archives: readonly HeldArchive[],
): Promise<{ ok: true } | { ok: false; reasons: string[] }> {
  if (archives.length === 0) return { ok: true };
  const packages = [...new Set(archives.map((a) => a.name))];
  const check = await checkRegistryLog(registry, { ...seen, recorded_at: '' }, undefined, { packages });
  if (!check.ok) return { ok: false, reasons: [check.reason ?? 'its audit log cannot be checked'] };
  const reasons = archives.flatMap((held) => {
    const problem = publishProblem(held, check.entries);
    return problem ? [`its audit log ${problem.reason}`] : [];
  });
  return reasons.length > 0 ? { ok: false, reasons } : { ok: true };
}
