import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { sha256Hex } from '../archive/hash.ts';
import { hiddenFiles } from '../content/scan.ts';
import type { HiddenFile } from '../content/scan.ts';
import type { DeployedCopy } from '../deploy/check.ts';
import { readRegularFileSync } from '../fs/safe-read.ts';
import type { LockedPackage } from '../lockfile/lockfile.ts';
import type { IntegrityCheck } from '../policy/decision.ts';
import { continuityChanges } from '../record/continuity.ts';
import type { RecordedPackage } from '../record/trust-record.ts';
import { describeDifferences, isClean } from '../scan/installed-files.ts';
import { scanInstalled } from '../scan/scan-installed.ts';
import { checkDeployment } from './checks/check-deployed.ts';
import type { DeploySource } from './checks/check-deployed.ts';
import type { JobResult } from './checks/job.ts';
import { OTHER_TRUST } from './store/verified-ledger.ts';
import type { LedgerContext, LedgerEntry, VerifiedLedger } from './store/verified-ledger.ts';

export { VerifiedLedger, ledgerContext, OTHER_TRUST } from './store/verified-ledger.ts';
export type { LedgerContext } from './store/verified-ledger.ts';

/**
 * A result whose evidence could not be reached (the registry unreachable
 * and nothing in the evidence cache), answered from this machine's earlier
 * verification of the same archive: its signature check as it was then, and
 * what agents load compared now with what it recorded of the archive — the
 * installed files with their SHA-256, and the deployed copies computed from
 * those files once they hash as the archive's did. Undefined when the
 * evidence was there, or nothing was verified here before. An earlier
 * verification from another registry than the lock file names now, or one
 * that did not record the archive's files (an install, an older ledger),
 * does not stand in: the package stays unavailable, saying why.
 * `deploy`: where the copies are (default: the project that holds
 * `installedDir`, and this user's home). `recorded`: the trust record's entry
 * of the package, which the earlier signer is held to as a fresh one is
 * (signer continuity); leave it out where signatures are not judged.
 */
export function fromLedger(
  result: JobResult,
  entry: LockedPackage,
  installedDir: string,
  ledger: VerifiedLedger,
  {
    deploy = deployedBeside(installedDir),
    recorded,
    context,
  }: { deploy?: DeploySource | undefined; recorded?: RecordedPackage | undefined; context: LedgerContext },
): JobResult | undefined {
  const { integrity } = result.checks;
  if (integrity.ok || integrity.code !== 'ARCHIVE_UNAVAILABLE') return undefined;
  const earlier = ledger.lookup(entry.checksum);
  if (!earlier || earlier.name !== result.name || earlier.version !== entry.version) return undefined;
  const why = refusal(earlier, entry.source, context);
  if (why) {
    const detail = `${integrity.detail} With --use-cached-verification, this machine's verification of ${earlier.at} does not stand in: ${why}.`;
    return { ...result, checks: { ...result.checks, integrity: { ...integrity, detail } } };
  }
  const copies = compareCopies(result.name, entry, installedDir, earlier.files!, deploy);
  const checks = {
    ...result.checks,
    integrity: copies.integrity,
    signature: earlier.signature,
    // Only the attestation of the registry the lock file names: another's of the same bytes is not this one's word.
    attestation: earlier.attestation?.registry === entry.source ? earlier.attestation : undefined,
    cached: { at: earlier.at, reason: integrity.detail },
  };
  // As for a fresh result (job.ts): the signature counts once the installed files are the archive's.
  const looked = checks.integrity.ok || checks.integrity.code === 'DEPLOYED_MODIFIED';
  return {
    ...result,
    checks,
    continuity: looked ? continuityChanges(recorded, entry.version, checks) : [],
    signatureDigest: earlier.signatureDigest,
    deployed: copies.deployed,
    hidden: copies.hidden,
  };
}

/**
 * Why an earlier verification cannot stand in for the evidence. The lock
 * entry's `source` is the pull request's to write, and naming a registry that
 * is not configured is what makes the evidence unreachable: the ledger says
 * where the archive was verified from, and the files it held.
 */
function refusal(earlier: LedgerEntry, source: string, context: LedgerContext): string | undefined {
  if (!Array.isArray(earlier.sources) || !filesKnown(earlier.files))
    return 'it did not record the registry the archive came from and the SHA-256 of its files (an install, or an older AAM Trust), without which its installed and deployed copies cannot be compared; verify it once while its registry is reachable';
  if (earlier.trust !== context.trust) return `it was verified ${OTHER_TRUST}, which is not what judges it here`;
  if (!earlier.sources.includes(context.sourceKey(source)))
    return `the archive was verified here from ${earlier.sources.map(shownSource).join(' or ')}, and the lock file now says it comes from ${shownSource(context.sourceKey(source))}`;
  return undefined;
}

/** A ledger's source as words: `registry "team" (https://…)`. */
function shownSource(key: string): string {
  const space = key.indexOf(' ');
  return space < 0 ? `registry "${key}"` : `registry "${key.slice(0, space)}" (${key.slice(space + 1)})`;
}

/** Whether a ledger entry's files are what remember() writes: relative paths (aam.yaml among them) to SHA-256 hex. */
function filesKnown(files: unknown): files is Record<string, string> {
  if (!files || typeof files !== 'object' || typeof (files as Record<string, unknown>)['aam.yaml'] !== 'string')
    return false;
  return Object.entries(files).every(
    ([path, hash]) =>
      typeof hash === 'string' &&
      /^[0-9a-f]{64}$/.test(hash) &&
      path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..'),
  );
}

/**
 * The installed files against the SHA-256 this machine recorded of the
 * archive's files; where they all match, they are the archive's bytes, and
 * the copies agents load are computed from them and compared, and their
 * hidden content found, as with the archive itself.
 */
function compareCopies(
  name: string,
  entry: LockedPackage,
  installedDir: string,
  files: Record<string, string>,
  deploy: DeploySource,
): { integrity: IntegrityCheck; deployed: DeployedCopy[]; hidden: HiddenFile[] } {
  const edited = lockDiffers(name, entry, files);
  if (edited) return { integrity: edited, deployed: [], hidden: [] };
  // Only bytes that hash as recorded are kept: the scan then compares the disk with them, and finds what was added.
  const contents = new Map<string, Uint8Array>();
  for (const [path, sha256] of Object.entries(files)) {
    const bytes = installedBytes(join(installedDir, path));
    if (bytes && sha256Hex(bytes) === sha256) contents.set(path, bytes);
  }
  const { diff } = scanInstalled(installedDir, files, undefined, contents);
  if (!isClean(diff) || contents.size !== Object.keys(files).length) {
    const differences = isClean(diff) ? 'changed while read' : describeDifferences(diff);
    const integrity: IntegrityCheck = {
      ok: false,
      code: 'FILES_MODIFIED',
      expected: diff.example ? `${diff.example.path}: ${diff.example.expected}` : 'the files this machine verified',
      actual: diff.example ? `${diff.example.path}: ${diff.example.actual}` : differences,
      detail: `Installed files of ${name} differ from the archive this machine verified (${differences}).`,
    };
    return { integrity, deployed: [], hidden: [] };
  }
  const hidden = hiddenFiles([...contents].map(([path, data]) => ({ path, data })));
  const manifestText = Buffer.from(contents.get('aam.yaml')!).toString('utf8');
  const { copies, failure } = checkDeployment(name, manifestText, contents, deploy, {});
  return { integrity: failure ?? { ok: true }, deployed: copies, hidden };
}

/** The lock file's file checksums against the archive's files, as when the archive is read (hidden files may be left out). */
function lockDiffers(name: string, entry: LockedPackage, files: Record<string, string>): IntegrityCheck | undefined {
  const recorded = entry.file_checksums?.files;
  if (!recorded) return undefined;
  const hidden = (path: string) => path.split('/').some((segment) => segment.startsWith('.'));
  const differ = Object.keys({ ...recorded, ...files }).filter(
    (path) => recorded[path] !== files[path] && !(recorded[path] === undefined && hidden(path)),
  );
  if (differ.length === 0) return undefined;
  return {
    ok: false,
    code: 'CHECKSUM_MISMATCH',
    expected: 'file checksums of the archive this machine verified',
    actual: `the lock file differs for ${differ.slice(0, 3).join(', ')}`,
    detail: `The lock file's file checksums for ${name} do not match the archive this machine verified; the lock file was edited.`,
  };
}

/** A regular file's bytes; undefined when it is missing or anything else (a link, a folder, too large). */
function installedBytes(path: string): Buffer | undefined {
  try {
    return readRegularFileSync(path, 'archive')?.bytes;
  } catch {
    return undefined;
  }
}

/** The deployed copies' roots of a package installed in `<root>/.aam/packages/<fs-name>`: that root, and this user's home. */
function deployedBeside(installedDir: string): DeploySource {
  return { roots: { project: dirname(dirname(dirname(installedDir))), home: homedir() }, expected: [] };
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
