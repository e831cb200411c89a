import type { LoadedConfig } from '../config/load.ts';
import { AamError } from '../errors.ts';
import { withFileLock } from '../fs/file-lock.ts';
import type { WorkspacePaths } from '../lockfile/lockfile.ts';
import type { EvidenceCache } from '../verify/evidence/evidence-cache.ts';
import type { SignatureVerifier } from '../signature/verifier.ts';
import { verifyWorkspace } from '../verify/workspace.ts';
import type { PackageReport } from '../verify/workspace.ts';
import { recordedState } from '../record/continuity.ts';
import { decide } from '../policy/decision.ts';
import { readTrustRecord, recordPathOf, writeTrustRecord } from '../record/trust-record.ts';
import { join } from 'node:path';

export interface AcceptOptions {
  workspace: WorkspacePaths;
  config: LoadedConfig;
  verifier: SignatureVerifier;
  cache: EvidenceCache;
  homeDir?: string;
  /**
   * What the user was shown, per package: its archive and signatures. A package that verifies as something
   * else by the time the answer comes (a checkout while the dialog was open) is refused, and nothing recorded.
   */
  shown?: ReadonlyMap<string, Pick<PackageReport, 'version' | 'checksum' | 'signatureDigest'>>;
}

/**
 * Records a package as it is now — its signer (or that it is unsigned) and
 * its version — so that a change the user has checked is no longer a
 * finding. The package is verified first: only a signature that verifies
 * is ever recorded, and a package failing for another reason (tampered, an
 * invalid signature) is not accepted. The record names the version and
 * checksum that verification judged, whatever the lock file says by then.
 * Returns the reports after accepting.
 */
export async function acceptChanges(names: readonly string[], options: AcceptOptions): Promise<PackageReport[]> {
  const verify = () =>
    verifyWorkspace({
      workspace: options.workspace,
      config: options.config,
      verifier: options.verifier,
      cache: options.cache,
      only: names,
      force: true,
      homeDir: options.homeDir,
      workers: 0,
    });
  const reports = await verify();
  const missing = names.filter((name) => !reports.some((r) => r.name === name));
  if (missing.length > 0)
    throw new AamError(
      'NOT_INSTALLED',
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed in ${options.workspace.lockFile}.`,
    );
  // A package installed without verification is judged as it is now, without that mark: accepting clears it.
  const context = options.config.policyContext();
  const judged = (r: PackageReport) =>
    r.checks.installedWithoutVerification
      ? decide({ ...r.checks, installedWithoutVerification: undefined }, context)
      : r.verdict;
  const refused = reports.filter((r) => judged(r).action === 'fail' || r.checks.signature.state === 'invalid');
  if (refused.length > 0) {
    throw new AamError(
      'INSTALL_REFUSED',
      `Not accepted: ${refused.map((r) => `${r.name} (${judged(r).message})`).join('; ')}`,
      { hint: 'Only a package that verifies can have its signer recorded; fix what fails first.' },
    );
  }
  const moved = reports.filter((r) => {
    const shown = options.shown?.get(r.name);
    return (
      shown &&
      (shown.version !== r.version || shown.checksum !== r.checksum || shown.signatureDigest !== r.signatureDigest)
    );
  });
  if (moved.length > 0)
    throw new AamError(
      'INSTALL_REFUSED',
      `Not accepted: ${moved.map((r) => `${r.name} is now ${r.name}@${r.version} (${r.checksum}), not what was shown`).join('; ')}. Nothing was recorded.`,
      { hint: 'The package changed while you were asked (a checkout, an install): look at it again, then accept.' },
    );
  const now = new Date().toISOString();
  await withFileLock(join(options.workspace.aamDir, '.install.lock'), async () => {
    const path = recordPathOf(options.workspace.aamDir);
    const record = await readTrustRecord(path);
    for (const report of reports) {
      const platforms = [...new Set(report.deployed.filter((c) => c.state !== 'missing').map((c) => c.platform))];
      record.packages[report.name] = recordedState(
        {
          // What was verified, not the lock file as it is now: another process may have rewritten it since,
          // and a record binds these signatures to these exact bytes.
          version: report.version,
          checksum: report.checksum,
          source: report.source,
          signatures: report.checks,
          signatureDigest: report.signatureDigest,
          platforms,
        },
        record.packages[report.name],
        now,
      );
    }
    await writeTrustRecord(path, record);
  });
  return verify();
}
