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
import { sha256 } from '../../archive/hash.ts';
import { extractArchive, fileChecksumsOf } from '../../archive/extract.ts';
import { readArchive } from '../../archive/read.ts';
import { parseManifest } from '../../package/manifest.ts';
import { withFileLock } from '../../fs/file-lock.ts';
import { commitJournal, recoverJournal } from '../../fs/journal.ts';
import { lockFileText, readLockFile } from '../../lockfile/lockfile.ts';
import type { LockFile, WorkspacePaths } from '../../lockfile/lockfile.ts';
import { toFsName } from '../../model/names.ts';
import { readTrustRecord, recordPathOf, trustRecordText } from '../../record/trust-record.ts';
import type { RecordedRegistry, TrustRecord } from '../../record/trust-record.ts';
import type { AttestationFact, Verdict } from '../../policy/decision.ts';
import { SIGNATURE_SUFFIX } from '../../registry/layout.ts';
import type { Registry, StoredSignature } from '../../registry/registry.ts';
import type { EvidenceCache } from '../../verify/evidence/evidence-cache.ts';
import type { SignatureVerifier } from '../../signature/verifier.ts';
import { fetchAndVerify } from './fetch-verify.ts';
import type { PackageSource, Verified } from './fetch-verify.ts';
import { planInstall } from './plan.ts';
import { delegationEvidence, lockEntry, recordedEntry } from './records.ts';
import { continuityChanges } from '../../record/continuity.ts';
import { continuityFindings } from '../../verify/verdict/findings.ts';
import type { PlannedPackage } from './plan.ts';
import { HttpRegistry } from '../../registry/http-registry.ts';
import { attestationFactOf, verifyAttestation } from '../../registry/attestation.ts';
import { checkApprovals } from '../../registry/approval.ts';
import { checkRegistryLog } from '../../registry/registry-check.ts';

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
    // An HTTP registry is checked first: its key (pinned), and its audit log extending the one seen before.
    const trust =
      options.registry instanceof HttpRegistry && specs.some((s) => !s.endsWith('.aam'))
        ? await registryTrust(options.registry, record, options.config, options.acceptChanges ?? false)
        : undefined;
    const sources = await planSources(specs, options, lock, trust);
    const fetch = {
      verifier: options.verifier,
      context: options.config.policyContext(),
      platforms: options.platforms ?? deployPlatforms(options.config.merged),
      roots: { project: workspace.root, home: options.homeDir ?? homedir() },
      onStep: options.onStep,
    };
    const verified: Verified[] = [];
    for (const { plan, source } of sources) verified.push(await fetchAndVerify(plan, source, fetch));
    // Trust on first use: another signer, a removed signature or a lower version than recorded refuses the install.
    if (!options.acceptChanges && fetch.context.policy.on_signature_failure !== 'ignore') {
      const changed = verified.flatMap((v) =>
        continuityFindings(
          continuityChanges(record.packages[v.plan.name], v.plan.version, v.checks),
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
    const failed = verified.filter((v) => v.verdict.action === 'fail');
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
    const now = (options.now ?? (() => new Date()))();
    for (const item of verified) {
      options.onStep?.(`Extracting ${item.plan.name}@${item.plan.version}`);
      const target = join(staging, toFsName(item.plan.name));
      const contents = await extractArchive(item.archive, target);
      lock.packages[item.plan.name] = lockEntry(item, fileChecksumsOf(contents));
      record.packages[item.plan.name] = recordedEntry(item, fetch.platforms, now);
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
      for (const signature of item.signatures) await options.cache.put(signature.bytes).catch(() => undefined);
      for (const file of delegationEvidence(item)) await options.cache.putDelegation(file).catch(() => undefined);
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
      readDelegations: () => registry.readDelegations(),
      requiresSignatures: () => requires,
      ...(registry instanceof HttpRegistry ? { attestation: attestationsOf(registry, trust!) } : {}),
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

interface RegistryTrust {
  next: Omit<RecordedRegistry, 'recorded_at'>;
}

/**
 * An HTTP registry before anything is installed from it: its key is the one
 * configured or recorded (first use records it), and its audit log extends
 * the head recorded before. Either failing refuses the install.
 */
async function registryTrust(
  registry: HttpRegistry,
  record: TrustRecord,
  config: LoadedConfig,
  acceptChanges: boolean,
): Promise<RegistryTrust> {
  const recorded = record.registries?.[registry.name];
  const configured = config.registries.find((r) => r.name === registry.name)?.keyId;
  const check = await checkRegistryLog(registry, acceptChanges && !configured ? undefined : recorded, configured, true);
  if (!check.ok || !check.next)
    throw new AamError('INSTALL_REFUSED', `Registry "${registry.name}" cannot be trusted: ${check.reason}.`, {
      hint: check.keyChanged
        ? 'Nothing was installed. If the registry rotated its key, check it with its operator, then install with --accept-signer-change (or set key_id in its config entry).'
        : 'Nothing was installed. The registry changed what it recorded before; report it to its operator (aam-trust audit NAME shows the log).',
    });
  return { next: check.next };
}

/**
 * publish_policy.require_approval on the client: every version from the HTTP
 * registry needs an approval signed by one of the client's own approvers,
 * checked here — the registry's "approved" is a claim, the signature is proof.
 */
async function requireApprovals(
  registry: HttpRegistry,
  trust: RegistryTrust,
  verified: readonly Verified[],
  options: InstallOptions,
): Promise<void> {
  const problems: string[] = [];
  for (const item of verified) {
    if (item.source !== registry.name) continue;
    options.onStep?.(`Checking the approvals of ${item.plan.name}@${item.plan.version}`);
    const approvals = await registry.approvals(item.plan.name, item.plan.version);
    const verdict = await checkApprovals(
      approvals.approvals,
      {
        registry: trust.next.name,
        name: item.plan.name,
        version: item.plan.version,
        sha256: item.plan.entry.checksum.replace(/^sha256:/, ''),
      },
      options.config.security.publish_policy.approvers,
      options.verifier,
    );
    if (!verdict.ok) problems.push(`${item.plan.name}@${item.plan.version}: ${verdict.reason}`);
  }
  if (problems.length > 0)
    throw new AamError('APPROVAL_MISSING', `Not approved:\n${problems.join('\n')}`, {
      hint: 'Nothing was installed. Your policy (publish_policy.require_approval) installs only versions approved by one of publish_policy.approvers; ask one of them to run "aam-trust approve NAME@VERSION".',
    });
}

/** Attestations of `registry`, each checked against its pinned key (the registry's self-name is part of what is signed). */
function attestationsOf(registry: HttpRegistry, trust: RegistryTrust) {
  return async (name: string, version: string, sha256: string): Promise<{ fact: AttestationFact; bytes?: Buffer }> => {
    const bytes = await registry.attestation(name, version);
    if (!bytes)
      return {
        fact: {
          registry: registry.name,
          state: 'none',
          reason: `registry "${registry.name}" has no attestation of ${name}@${version}`,
        },
      };
    const check = verifyAttestation(bytes, {
      sha256,
      name,
      version,
      registry: trust.next.name,
      publicKey: trust.next.public_key,
    });
    return {
      bytes,
      fact: attestationFactOf(registry.name, check),
    };
  };
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
  for (const name of names)
    if (name.startsWith('.staging-')) await rm(join(workspace.aamDir, name), { recursive: true, force: true });
}
