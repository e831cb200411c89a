import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { LoadedConfig } from '../config/load.ts';
import { InstallRefusedError } from '../errors.ts';
import { sha256, sha256Hex } from '../archive/hash.ts';
import { extractArchive, fileChecksumsOf } from '../archive/extract.ts';
import { readArchive } from '../archive/read.ts';
import { manifestMismatch } from '../package/manifest.ts';
import { withFileLock } from '../fs/file-lock.ts';
import { commitJournal, recoverJournal } from '../fs/journal.ts';
import { lockFileText, readLockFile } from '../lockfile/lockfile.ts';
import type { LockedPackage, LockSignature, WorkspacePaths } from '../lockfile/lockfile.ts';
import { toFsName } from '../package/names.ts';
import { readTrustRecord, recordedSignatureOf, recordPathOf, trustRecordText } from '../record/trust-record.ts';
import type { RecordedPackage } from '../record/trust-record.ts';
import { decide } from '../policy/decision.ts';
import type { Checks, SignatureCheck, Verdict } from '../policy/decision.ts';
import type { LocalRegistry, StoredSignature } from '../registry/local-registry.ts';
import type { EvidenceCache } from '../verify/evidence-cache.ts';
import type { SignatureVerifier } from '../verify/signature-verifier.ts';
import { planInstall } from './plan.ts';
import type { PlannedPackage } from './plan.ts';

export interface InstallOptions {
  workspace: WorkspacePaths;
  config: LoadedConfig;
  registry: LocalRegistry;
  verifier: SignatureVerifier;
  cache: EvidenceCache;
  force?: boolean;
  onStep?: (message: string) => void;
  now?: () => Date;
}

export interface InstalledPackage {
  name: string;
  version: string;
  verdict: Verdict;
}

interface Verified {
  plan: PlannedPackage;
  archive: Buffer;
  signature: StoredSignature | undefined;
  check: SignatureCheck;
  verdict: Verdict;
}

/**
 * Installs packages from a registry, gated by the trust decision. Everything
 * is fetched and verified before anything is written; if any package fails,
 * nothing is written at all. Writing goes through a journal, so a crash
 * leaves either the old or the new state once the next run recovers it.
 */
export async function installPackages(specs: readonly string[], options: InstallOptions): Promise<InstalledPackage[]> {
  const { workspace } = options;
  await mkdir(workspace.aamDir, { recursive: true });
  return withFileLock(join(workspace.aamDir, '.install.lock'), async () => {
    await recoverInstall(workspace);
    const lock = await readLockFile(workspace.lockFile);
    const record = await readTrustRecord(recordPathOf(workspace.aamDir));
    const plan = await planInstall(specs, options.registry, options.config, lock, options.force ?? false);
    const verified: Verified[] = [];
    for (const item of plan) verified.push(await fetchAndVerify(item, options));
    const failed = verified.filter((v) => v.verdict.action === 'fail');
    if (failed.length > 0) {
      const first = failed[0]!;
      throw new InstallRefusedError(
        failed.map((v) => `${v.plan.name}@${v.plan.version}: ${v.verdict.message}`).join('\n'),
        failed.map((v) => ({ name: v.plan.name, version: v.plan.version, verdict: v.verdict })),
        `${first.verdict.hint ?? ''} Nothing was installed.`.trim(),
      );
    }
    if (verified.length === 0) return [];
    const staging = join(workspace.aamDir, `.staging-${randomBytes(6).toString('hex')}`);
    const renames: { from: string; to: string }[] = [];
    const now = (options.now ?? (() => new Date()))();
    for (const item of verified) {
      options.onStep?.(`Extracting ${item.plan.name}@${item.plan.version}`);
      const target = join(staging, toFsName(item.plan.name));
      const contents = await extractArchive(item.archive, target);
      lock.packages[item.plan.name] = lockEntry(item, options.registry.name, fileChecksumsOf(contents));
      record.packages[item.plan.name] = recordedEntry(item, options.registry.name, now);
      renames.push({ from: target, to: join(workspace.packagesDir, toFsName(item.plan.name)) });
    }
    lock.resolved_at = now.toISOString();
    await mkdir(workspace.packagesDir, { recursive: true });
    await commitJournal(journalPath(workspace), {
      renames,
      writes: [
        { path: workspace.lockFile, content: lockFileText(lock) },
        { path: recordPathOf(workspace.aamDir), content: trustRecordText(record) },
      ],
      removes: [staging],
    });
    for (const item of verified) {
      await options.cache.put(item.archive).catch(() => undefined);
      if (item.signature) await options.cache.put(item.signature.bytes).catch(() => undefined);
    }
    return verified.map((v) => ({ name: v.plan.name, version: v.plan.version, verdict: v.verdict }));
  });
}

async function fetchAndVerify(plan: PlannedPackage, options: InstallOptions): Promise<Verified> {
  options.onStep?.(`Downloading ${plan.name}@${plan.version}`);
  const archive = await options.registry.readArchive(plan.name, plan.version);
  const context = options.config.policyContext();
  const actual = sha256(archive);
  const refuse = (integrity: Extract<Checks['integrity'], { ok: false }>): Verified => {
    const checks: Checks = { integrity, signature: { state: 'none' } };
    return { plan, archive, signature: undefined, check: checks.signature, verdict: decide(checks, context) };
  };
  if (actual !== plan.entry.checksum) {
    return refuse({ ok: false, code: 'CHECKSUM_MISMATCH', expected: plan.entry.checksum, actual, detail: `Checksum verification failed for ${plan.name}@${plan.version}.` });
  }
  const mismatch = manifestMismatch((await readArchive(archive)).manifestText, plan.name, plan.version);
  if (mismatch) {
    return refuse({ ok: false, code: 'PACKAGE_MISMATCH', expected: `${plan.name}@${plan.version}`, actual: mismatch, detail: `Registry "${options.registry.name}" serves another package as ${plan.name}@${plan.version}: ${mismatch}.` });
  }
  options.onStep?.(`Verifying ${plan.name}@${plan.version}`);
  const stored = await options.registry.readSignatures(plan.name, plan.version);
  let check: SignatureCheck = { state: 'none' };
  let signature: StoredSignature | undefined;
  if (context.policy.on_signature_failure !== 'ignore') {
    signature = stored.find((s) => s.type === 'sigstore') ?? stored[0];
    const listed = plan.entry.signatures ?? [];
    if (signature) check = await options.verifier.verify(signature.type, signature.bytes, archive);
    else if (listed.length > 0) check = { state: 'invalid', type: listed[0]!.type, code: 'SIGNATURE_INVALID', reason: `the registry lists a ${listed[0]!.type} signature (${listed[0]!.file}) but the file is missing` };
  }
  return { plan, archive, signature, check, verdict: decide({ integrity: { ok: true }, signature: check }, context) };
}

function lockEntry(item: Verified, source: string, files: Record<string, string>): LockedPackage {
  const entry: LockedPackage = {
    version: item.plan.version,
    source,
    checksum: item.plan.entry.checksum,
    dependencies: item.plan.dependencies,
    file_checksums: { algorithm: 'sha256', files },
    source_name: null,
    source_commit: null,
  };
  if (item.signature && item.check.state === 'valid') entry.signature = lockSignature(item.signature, item.check);
  return entry;
}

function lockSignature(file: StoredSignature, check: Extract<SignatureCheck, { state: 'valid' }>): LockSignature {
  const signer = check.signer;
  const base = { bundle_digest: `sha256:${sha256Hex(file.bytes)}`, signed_at: signer.signedAt };
  if (signer.type === 'gpg') return { type: 'gpg', fingerprint: signer.fingerprint, identity: signer.userIds[0], ...base };
  return {
    type: 'sigstore',
    identity: signer.identity.san,
    issuer: signer.identity.issuer,
    ...(signer.tlog ? { transparency_log: { log_index: signer.tlog.logIndex, url: signer.tlog.url } } : {}),
    ...base,
  };
}

/** What the trust record keeps of an installed package: its digest, and who signed it (null: unsigned). */
function recordedEntry(item: Verified, source: string, now: Date): RecordedPackage {
  const base = { version: item.plan.version, checksum: item.plan.entry.checksum, source, recorded_at: now.toISOString() };
  if (!item.signature || item.check.state !== 'valid') return { ...base, signature: null };
  return { ...base, signature: recordedSignatureOf(item.check.signer, `sha256:${sha256Hex(item.signature.bytes)}`) };
}

function journalPath(workspace: WorkspacePaths): string {
  return join(workspace.aamDir, '.install-journal.json');
}

/** Finishes an install a crash interrupted, and removes staging folders of installs that never committed. */
export async function recoverInstall(workspace: WorkspacePaths): Promise<void> {
  await recoverJournal(journalPath(workspace));
  let names: string[] = [];
  try {
    names = await readdir(workspace.aamDir);
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith('.staging-')) await rm(join(workspace.aamDir, name), { recursive: true, force: true });
}
