import { mkdir, readdir, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { LoadedConfig } from '../../config/load.ts';
import { deployPlatforms } from '../../config/settings.ts';
import type { Platform } from '../../model/platform.ts';
import { writeDeployed } from '../../deploy/write.ts';
import { AamError, InstallRefusedError } from '../../errors.ts';
import { readRegularFile } from '../../fs/safe-read.ts';
import { sha256, sha256Hex } from '../../archive/hash.ts';
import { extractArchive, fileChecksumsOf } from '../../archive/extract.ts';
import { readArchive } from '../../archive/read.ts';
import { parseManifest } from '../../package/manifest.ts';
import { withFileLock } from '../../fs/file-lock.ts';
import { commitJournal, recoverJournal } from '../../fs/journal.ts';
import { lockFileText, readLockFile } from '../../lockfile/lockfile.ts';
import type { LockedPackage, LockFile, LockSignature, WorkspacePaths } from '../../lockfile/lockfile.ts';
import { toFsName } from '../../model/names.ts';
import { readTrustRecord, recordedSignatureOf, recordPathOf, trustRecordText } from '../../record/trust-record.ts';
import type { RecordedPackage } from '../../record/trust-record.ts';
import type { SignatureCheck, Verdict } from '../../policy/decision.ts';
import { SIGNATURE_SUFFIX } from '../../registry/layout.ts';
import type { Registry, StoredSignature } from '../../registry/registry.ts';
import type { EvidenceCache } from '../../verify/evidence/evidence-cache.ts';
import type { SignatureVerifier } from '../../signature/verifier.ts';
import { fetchAndVerify } from './fetch-verify.ts';
import type { PackageSource, Verified } from './fetch-verify.ts';
import { planInstall } from './plan.ts';
import { continuityChanges } from '../../record/continuity.ts';
import { continuityFindings } from '../../verify/verdict/findings.ts';
import type { PlannedPackage } from './plan.ts';
import { HttpRegistry } from '../../registry/http-registry.ts';
import { attestationsOf, registryTrust, requireApprovals } from './registry-trust.ts';
import type { RegistryTrust } from './registry-trust.ts';

export interface InstallOptions {
  workspace: WorkspacePaths;
  config: LoadedConfig;
  /** Where NAME[@VERSION] specs come from; a spec that is a path to a `.aam` file needs none. */
  registry: Registry | undefined;
  verifier: SignatureVerifier;
  cache: EvidenceCache;
  force?: boolean;
  /** The platforms to deploy to (default: the config's default_platform and active_platforms); [] deploys nothing. */
  platforms?: readonly Platform[];
  /** The user's home, where Codex keeps skills and prompts (default: the process's). */
  homeDir?: string;
  /** Install even when a package's signer differs from the recorded one, or its version is lower, and record that (the user checked it). */
  acceptChanges?: boolean;
  /**
   * `--no-verify` (seeds: "not recommended"): only the checksum and the archive's own name and version
   * are checked; the trust record says so, and every later verification shows it. Refused in Restricted Mode.
   */
  noVerify?: boolean;
  onStep?: (message: string) => void;
  now?: () => Date;
}

export interface InstalledPackage {
  name: string;
  version: string;
  verdict: Verdict;
}

/**
 * Installs packages from a registry (or `.aam` files), gated by the trust
 * decision, and deploys them to the agent platforms as `aam install` does.
 * Everything is fetched, verified and its deployment computed before
 * anything is written; if any package fails, nothing is written at all.
 * Writing goes through a journal, so a crash leaves either the old or the
 * new state once the next run recovers it; deployed copies follow.
 */
export async function installPackages(specs: readonly string[], options: InstallOptions): Promise<InstalledPackage[]> {
  const { workspace } = options;
  await mkdir(workspace.aamDir, { recursive: true });
  return withFileLock(join(workspace.aamDir, '.install.lock'), async () => {
    await recoverInstall(workspace);
    const lock = await readLockFile(workspace.lockFile);
    const record = await readTrustRecord(recordPathOf(workspace.aamDir));
    const noVerify = options.noVerify ?? false;
    if (noVerify && options.config.restricted) throw NO_VERIFY_RESTRICTED;
    const now = (options.now ?? (() => new Date()))();
    // An HTTP registry is checked first: its key (pinned), and its audit log extending the one seen before.
    const trust =
      !noVerify && options.registry instanceof HttpRegistry && specs.some((s) => !s.endsWith('.aam'))
        ? await registryTrust(options.registry, record, options.config, options.acceptChanges ?? false)
        : undefined;
    const sources = await planSources(specs, options, lock, trust);
    const fetch = {
      verifier: options.verifier,
      context: options.config.policyContext(),
      platforms: options.platforms ?? deployPlatforms(options.config.merged),
      roots: { project: workspace.root, home: options.homeDir ?? homedir() },
      onStep: options.onStep,
      unverifiedAt: noVerify ? now.toISOString() : undefined,
    };
    const verified: Verified[] = [];
    for (const { plan, source } of sources) verified.push(await fetchAndVerify(plan, source, fetch));
    // Trust on first use: another signer, a removed signature or a lower version than recorded refuses the install.
    if (!noVerify && !options.acceptChanges && fetch.context.policy.on_signature_failure !== 'ignore') {
      const changed = verified.flatMap((v) =>
        continuityFindings(
          continuityChanges(record.packages[v.plan.name], v.plan.version, v.check),
          v.plan.name,
          fetch.context.policy.on_signer_change,
        )
          .filter((f) => f.action === 'fail')
          .map((f) => ({ v, f })),
      );
      if (changed.length > 0) {
        throw new AamError(
          'INSTALL_REFUSED',
          changed.map(({ v, f }) => `${v.plan.name}@${v.plan.version}: ${f.message}`).join('\n'),
          {
            hint: 'Nothing was installed. If the change is expected, install with --accept-signer-change (it is recorded in .aam/trust-record.yaml).',
            expected: changed[0]!.f.expected,
            actual: changed[0]!.f.actual,
          },
        );
      }
    }
    // Without verification only what is never configurable refuses: another archive than the one published.
    const failed = verified.filter((v) => (noVerify ? v.verdict.status === 'tampered' : v.verdict.action === 'fail'));
    if (failed.length > 0) {
      const first = failed[0]!;
      throw new InstallRefusedError(
        failed.map((v) => `${v.plan.name}@${v.plan.version}: ${v.verdict.message}`).join('\n'),
        failed.map((v) => ({ name: v.plan.name, version: v.plan.version, verdict: v.verdict })),
        `${first.verdict.hint ?? ''} Nothing was installed.`.trim(),
      );
    }
    if (trust && options.registry instanceof HttpRegistry && options.config.security.publish_policy.require_approval)
      await requireApprovals(options.registry, trust, verified, options);
    if (verified.length === 0) return [];
    const staging = join(workspace.aamDir, `.staging-${randomBytes(6).toString('hex')}`);
    const renames: { from: string; to: string }[] = [];
    for (const item of verified) {
      options.onStep?.(`Extracting ${item.plan.name}@${item.plan.version}`);
      const target = join(staging, toFsName(item.plan.name));
      const contents = await extractArchive(item.archive, target);
      lock.packages[item.plan.name] = lockEntry(item, fileChecksumsOf(contents));
      record.packages[item.plan.name] = recordedEntry(item, fetch.platforms, now, noVerify);
      if (trust && options.registry)
        record.registries = {
          ...record.registries,
          [options.registry.name]: { ...trust.next, recorded_at: now.toISOString() },
        };
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
      if (item.attestation?.bytes) await options.cache.put(item.attestation.bytes).catch(() => undefined);
    }
    for (const item of verified) {
      if (item.targets.length > 0)
        options.onStep?.(
          `Deploying ${item.plan.name}@${item.plan.version} to ${[...new Set(item.targets.map((t) => t.platform))].join(', ')}`,
        );
      await writeDeployed(item.targets);
    }
    return verified.map((v) => ({ name: v.plan.name, version: v.plan.version, verdict: v.verdict }));
  });
}

/** The packages to install and where each comes from: the registry's plan, and `.aam` files as they are. */
async function planSources(
  specs: readonly string[],
  options: InstallOptions,
  lock: LockFile,
  trust: RegistryTrust | undefined,
): Promise<{ plan: PlannedPackage; source: PackageSource }[]> {
  const files = specs.filter((spec) => spec.endsWith('.aam'));
  const names = specs.filter((spec) => !spec.endsWith('.aam'));
  const out: { plan: PlannedPackage; source: PackageSource }[] = [];
  for (const file of files) out.push(await fileSource(resolve(options.workspace.root, file)));
  if (names.length > 0) {
    const registry = options.registry;
    if (!registry)
      throw new AamError('REGISTRY_NOT_FOUND', 'No registry is configured.', {
        hint: 'Add one under registries: in ~/.aam/config.yaml, or install from a .aam file.',
      });
    const requires = registry.settings().then((s) => s.requireSignatures);
    const source: PackageSource = {
      name: registry.name,
      readArchive: (n, v) => registry.readArchive(n, v),
      readSignatures: (n, v) => registry.readSignatures(n, v),
      requiresSignatures: () => requires,
      ...(registry instanceof HttpRegistry && trust ? { attestation: attestationsOf(registry, trust) } : {}),
    };
    for (const plan of await planInstall(names, registry, options.config, lock, options.force ?? false))
      out.push({ plan, source });
  }
  return out;
}

/**
 * A `.aam` file as an install source (the lock file says `source: local`, as
 * `aam install FILE.aam` writes): its manifest names the package, and a
 * signature beside it (`FILE.aam.sigstore.json` or `FILE.aam.asc`) signs it.
 */
async function fileSource(path: string): Promise<{ plan: PlannedPackage; source: PackageSource }> {
  const archive = await readRegularFile(path, 'archive');
  if (!archive) throw new AamError('ARCHIVE_UNAVAILABLE', `${path} does not exist.`);
  const manifest = parseManifest((await readArchive(archive)).manifestText, `aam.yaml in ${path}`);
  const signatures: StoredSignature[] = [];
  for (const type of ['sigstore', 'gpg'] as const) {
    const bytes = await readRegularFile(`${path}${SIGNATURE_SUFFIX[type]}`, 'signature');
    if (bytes)
      signatures.push({
        type,
        file: `${basename(path)}${SIGNATURE_SUFFIX[type]}`,
        path: `${path}${SIGNATURE_SUFFIX[type]}`,
        bytes,
      });
  }
  const entry = {
    version: manifest.version,
    published: '',
    checksum: sha256(archive),
    size: archive.length,
    dependencies: manifest.dependencies,
  };
  return {
    plan: { name: manifest.name, version: manifest.version, entry, requestedBy: undefined, dependencies: {} },
    source: {
      name: 'local',
      readArchive: async () => archive,
      readSignatures: async () => signatures,
      requiresSignatures: async () => false,
    },
  };
}

function lockEntry(item: Verified, files: Record<string, string>): LockedPackage {
  const entry: LockedPackage = {
    version: item.plan.version,
    source: item.source,
    checksum: item.plan.entry.checksum,
    dependencies: item.plan.dependencies,
    // aam verify looks for a scoped package in .aam/packages/@scope/name (it installs to scope--name), so
    // for those the lock file says what aam itself writes for a registry install: no file checksums.
    file_checksums: item.plan.name.startsWith('@') ? null : { algorithm: 'sha256', files },
    source_name: null,
    source_commit: null,
  };
  if (item.signature && item.check.state === 'valid') entry.signature = lockSignature(item.signature, item.check);
  return entry;
}

function lockSignature(file: StoredSignature, check: Extract<SignatureCheck, { state: 'valid' }>): LockSignature {
  const signer = check.signer;
  const base = { bundle_digest: `sha256:${sha256Hex(file.bytes)}`, signed_at: signer.signedAt };
  if (signer.type === 'gpg')
    return { type: 'gpg', fingerprint: signer.fingerprint, identity: signer.userIds[0], ...base };
  return {
    type: 'sigstore',
    identity: signer.identity.san,
    issuer: signer.identity.issuer,
    ...(signer.tlog ? { transparency_log: { log_index: signer.tlog.logIndex, url: signer.tlog.url } } : {}),
    ...base,
  };
}

/** What the trust record keeps of an installed package: its digest, who signed it (null: unsigned), where it was deployed. */
function recordedEntry(item: Verified, platforms: readonly Platform[], now: Date, noVerify: boolean): RecordedPackage {
  const base = {
    ...(noVerify ? { installed_without_verification: now.toISOString() } : {}),
    version: item.plan.version,
    checksum: item.plan.entry.checksum,
    source: item.source,
    ...(item.sourceRequiresSignatures ? { source_requires_signatures: true as const } : {}),
    platforms: [...platforms],
    recorded_at: now.toISOString(),
  };
  const attestation =
    item.attestation?.bytes && item.attestation.fact.state === 'valid'
      ? { attestation: { digest: `sha256:${sha256Hex(item.attestation.bytes)}`, key_id: item.attestation.fact.keyId } }
      : {};
  if (!item.signature || item.check.state !== 'valid') return { ...base, ...attestation, signature: null };
  return {
    ...base,
    ...attestation,
    signature: recordedSignatureOf(item.check.signer, `sha256:${sha256Hex(item.signature.bytes)}`),
  };
}

/** What --no-verify says before it installs anything (the CLI prints it; the trust record keeps the fact). */
export const NO_VERIFY_WARNING =
  'Installing without verification (--no-verify, not recommended): signatures, the trust policy, signer continuity, attestations and approvals are not checked; the checksum still is. The trust record says so, and every verification shows these packages as "installed without verification" until you verify and accept them (aam-trust accept NAME).';

const NO_VERIFY_RESTRICTED = new AamError(
  'USAGE',
  'Installing without verification (--no-verify) is refused in Restricted Mode (--restricted).',
  {
    hint: 'A change that is not trusted yet may not skip verification. Install verified, or trust the workspace first.',
  },
);

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
  for (const name of names)
    if (name.startsWith('.staging-')) await rm(join(workspace.aamDir, name), { recursive: true, force: true });
}
