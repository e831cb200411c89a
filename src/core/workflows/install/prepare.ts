import { homedir } from 'node:os';
import { basename, resolve } from 'node:path';
import type { LoadedConfig } from '../../config/load.ts';
import { deployPlatforms } from '../../config/settings.ts';
import type { HiddenFile } from '../../content/scan.ts';
import type { Finding } from '../../verify/verdict/findings.ts';
import type { Platform } from '../../model/platform.ts';
import { AamError, InstallRefusedError } from '../../errors.ts';
import { readRegularFile } from '../../fs/safe-read.ts';
import { sha256 } from '../../archive/hash.ts';
import { readArchive } from '../../archive/read.ts';
import { parseManifest } from '../../package/manifest.ts';
import type { LockFile, WorkspacePaths } from '../../lockfile/lockfile.ts';
import { SIGNATURE_SUFFIX } from '../../registry/layout.ts';
import type { Registry, StoredSignature } from '../../registry/registry.ts';
import type { EvidenceCache } from '../../verify/evidence/evidence-cache.ts';
import { pinnedHere, readRegistryPins } from '../../verify/evidence/registry-pins.ts';
import type { VerifiedLedger } from '../../verify/cached-verification.ts';
import type { SignatureVerifier } from '../../signature/verifier.ts';
import { continuityChanges } from '../../record/continuity.ts';
import { continuityFindings, hiddenFindings } from '../../verify/verdict/findings.ts';
import { HttpRegistry } from '../../registry/http-registry.ts';
import { workingState } from '../diff/state.ts';
import type { ProjectState } from '../diff/state.ts';
import { fetchAndVerify } from './fetch-verify.ts';
import type { PackageSource, Verified } from './fetch-verify.ts';
import { planInstall } from './plan.ts';
import type { PlannedPackage } from './plan.ts';
import { requireLoggedPublishes } from './logged-publishes.ts';
import { attestationsOf, registryTrust, requireApprovals } from './registry-trust.ts';
import type { RegistryTrust } from './registry-trust.ts';
import { refuseSharedFolders } from './shared-folder.ts';
import { refuseUnwritablePlaces } from './places.ts';
import { leftAndReplaced } from './left-places.ts';

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
  /** Where this machine keeps what it verified (what --use-cached-verification falls back on); an install adds to it. */
  ledger?: VerifiedLedger | undefined;
  /**
   * `--use-cached-verification`: a package whose evidence cannot be reached (its archive, signatures
   * or attestation) is judged by this machine's earlier verification of the same archive (`ledger`).
   */
  useCachedVerification?: boolean;
  onStep?: (message: string) => void;
  now?: () => Date;
}

/**
 * An install, fetched, verified and planned, with nothing written yet: what
 * an update review shows, and what committing it writes. `base` is the
 * project's lock file, trust record and config as they were read: a commit
 * refuses when they changed in between.
 */
export interface PreparedInstall {
  verified: Verified[];
  base: ProjectState;
  trust: RegistryTrust | undefined;
  registryName: string | undefined;
  platforms: readonly Platform[];
  /** Another signer, a removed signature or a lower version than recorded: refused unless accepted. */
  changes: { name: string; version: string; finding: Finding }[];
  /** Hidden content in each package's files, by package name (only packages that have some). */
  hidden: Map<string, HiddenFile[]>;
  /** `--no-verify`: when, for the trust record. */
  unverifiedAt: string | undefined;
  /** The user's home folder: a workspace there (a global install) is the user's own, links and all. */
  home: string;
  /** The verifier's trust digest: what the ledger keeps beside what this install verified ('' without a ledger). */
  trustDigest: string;
}

/**
 * Everything an install does before it writes: plan, fetch, verify, the
 * registry's key, log and approvals, signer continuity and hidden content.
 * A failing package, a missing approval or (with hidden_content: error)
 * hidden content throws, and so does a place it would write that is a
 * symbolic link or holds the wrong thing; continuity changes are returned, and only
 * `installPackages` refuses them (a review shows them first).
 */
export async function prepareInstall(specs: readonly string[], options: InstallOptions): Promise<PreparedInstall> {
  const { workspace } = options;
  const base = await workingState(workspace.root);
  const { lock, record } = base;
  const noVerify = options.noVerify ?? false;
  if (noVerify && options.config.restricted) throw NO_VERIFY_RESTRICTED;
  const unverifiedAt = noVerify ? (options.now ?? (() => new Date()))().toISOString() : undefined;
  // What the ledger keeps beside what is verified, and what an earlier verification there is held to.
  const trustDigest = options.ledger && !noVerify ? await options.verifier.trustDigest() : '';
  // An HTTP registry is checked first: its key (pinned), and its audit log extending the one seen before.
  const trust =
    !noVerify && options.registry instanceof HttpRegistry && specs.some((s) => !s.endsWith('.aam'))
      ? await registryTrust(
          options.registry,
          record,
          options.config,
          options.acceptChanges ?? false,
          pinnedHere(await readRegistryPins(options.cache.dir), options.registry.url),
        )
      : undefined;
  const sources = await planSources(specs, options, lock, trust);
  // Two names in one folder (`@acme/tool`, `acme--tool`): one package's files would overwrite the other's.
  refuseSharedFolders(
    sources.map((s) => s.plan.name),
    lock,
  );
  const platforms = options.platforms ?? deployPlatforms(options.config.merged);
  const fetch = {
    verifier: options.verifier,
    context: options.config.policyContext(),
    platforms,
    roots: { project: workspace.root, home: options.homeDir ?? homedir() },
    onStep: options.onStep,
    unverifiedAt,
    cached:
      options.useCachedVerification && options.ledger && !noVerify
        ? { ledger: options.ledger, cache: options.cache, trust: trustDigest }
        : undefined,
  };
  const verified: Verified[] = [];
  for (const { plan, source } of sources) verified.push(await fetchAndVerify(plan, source, fetch));
  // Trust on first use: another signer, a removed signature or a lower version than recorded.
  const changes =
    noVerify || fetch.context.policy.on_signature_failure === 'ignore'
      ? []
      : verified.flatMap((v) =>
          continuityFindings(
            continuityChanges(record.packages[v.plan.name], v.plan.version, v.checks),
            v.plan.name,
            fetch.context.policy.on_signer_change,
          )
            .filter((f) => f.action === 'fail')
            .map((finding) => ({ name: v.plan.name, version: v.plan.version, finding })),
        );
  refuseFailing(verified, noVerify);
  if (trust && options.registry instanceof HttpRegistry)
    await requireLoggedPublishes(options.registry, trust, verified, record);
  if (trust && options.registry instanceof HttpRegistry && options.config.security.publish_policy.require_approval)
    await requireApprovals(options.registry, trust, verified, options);
  const hidden = new Map(verified.filter((v) => v.hidden.length > 0).map((v) => [v.plan.name, v.hidden]));
  refuseHiddenContent(verified, options.config.security.hidden_content);
  // A linked `.aam`, `.cursor/prompts -> ~/.ssh`, a CLAUDE.md that is a link: refused now, not halfway through.
  const home = fetch.roots.home;
  await refuseUnwritablePlaces(workspace, verified, home);
  // For the review: what is replaced is worked out again when the install writes (keepReplaced).
  for (const item of verified)
    item.findings.push(
      ...leftAndReplaced(item, workspace, fetch.roots, platforms, lock.packages[item.plan.name]?.version),
    );
  return {
    verified,
    base,
    trust,
    registryName: options.registry?.name,
    platforms,
    changes,
    hidden,
    unverifiedAt,
    home,
    trustDigest,
  };
}

/**
 * What verify would fail refuses the install, before anything is written: a
 * failing verdict, or a finding beside it that fails (a signature that does
 * not verify beside those that decide the verdict, under
 * on_signature_failure: error). Without verification only what is never
 * configurable refuses: another archive than the one published.
 */
function refuseFailing(verified: readonly Verified[], noVerify: boolean): void {
  const refusals = verified.flatMap((v) => {
    if (noVerify) return v.verdict.status === 'tampered' ? [{ v, why: v.verdict }] : [];
    const findings = v.findings.filter((f) => f.action === 'fail');
    return [...(v.verdict.action === 'fail' ? [{ v, why: v.verdict }] : []), ...findings.map((why) => ({ v, why }))];
  });
  if (refusals.length === 0) return;
  const first = refusals[0]!.why;
  throw new InstallRefusedError(
    refusals.map(({ v, why }) => `${v.plan.name}@${v.plan.version}: ${why.message}`).join('\n'),
    refusals.map(({ v, why }) => ({ name: v.plan.name, version: v.plan.version, verdict: why })),
    `${first.hint ?? ''} Nothing was installed.`.trim(),
  );
}

/** With hidden_content: error, a package whose files hold hidden content is not installed. */
function refuseHiddenContent(verified: readonly Verified[], mode: LoadedConfig['security']['hidden_content']): void {
  const refused = verified.flatMap((v) =>
    hiddenFindings(v.hidden, mode, `${v.plan.name}@${v.plan.version}`).filter((f) => f.action === 'fail'),
  );
  if (refused.length === 0) return;
  throw new AamError('HIDDEN_CONTENT', refused.map((f) => `${f.message} First: ${f.actual}`).join('\n'), {
    hint: 'Nothing was installed (security.hidden_content: error). Review the package (aam-trust install --review) and ask its publisher.',
    expected: refused[0]!.expected,
    actual: refused[0]!.actual,
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
      fromFile: true,
      readArchive: async () => archive,
      readSignatures: async () => signatures,
      requiresSignatures: async () => false,
    },
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
