import { sha256, sha256Hex } from '../../archive/hash.ts';
import { readArchive } from '../../archive/read.ts';
import type { ArchiveContents } from '../../archive/read.ts';
import { deployTargets } from '../../deploy/platforms.ts';
import type { DeployRoots, DeployTarget, Platform } from '../../deploy/platforms.ts';
import { AamError, messageOf } from '../../errors.ts';
import { manifestMismatch, parseManifest } from '../../package/manifest.ts';
import { decide } from '../../policy/decision.ts';
import type {
  AttestationFact,
  Checks,
  PolicyContext,
  SignatureCheck,
  SignatureEntry,
  Verdict,
} from '../../policy/decision.ts';
import { checkDelegationFiles } from '../../signature/delegation-file.ts';
import { delegationsUnread } from '../../registry/local-signatures.ts';
import type { StoredSignature } from '../../registry/registry.ts';
import type { SignatureVerifier } from '../../signature/verifier.ts';
import { signatureFindings } from '../../verify/verdict/findings.ts';
import type { Finding } from '../../verify/verdict/findings.ts';
import type { PlannedPackage } from './plan.ts';
import { hiddenFiles } from '../../content/scan.ts';
import type { HiddenFile } from '../../content/scan.ts';
import { cachedArchive, checksFromLedger, unreachable } from './cached.ts';
import type { CachedVerification } from './cached.ts';

/** Where an install reads archives and signatures: a registry, or a `.aam` file named on the command line. */
export interface PackageSource {
  name: string;
  readArchive(name: string, version: string): Promise<Buffer>;
  readSignatures(name: string, version: string): Promise<StoredSignature[]>;
  /** Whether the source refuses unsigned packages (a registry's `require_signatures`). */
  requiresSignatures(): Promise<boolean>;
  /** The signed delegations and revocations the source keeps (a registry's `delegations/`); a file has none. */
  readDelegations?(): Promise<{ name: string; bytes: Buffer }[]>;
  /** A `.aam` file (the evidence cache notes it, as that exempts its archive from allowed_registries). */
  fromFile?: true;
  /** An HTTP registry's attestation of the version, checked with its pinned key (other sources have none). */
  attestation?(name: string, version: string, sha256: string): Promise<{ fact: AttestationFact; bytes?: Buffer }>;
}

/** A planned package, fetched and judged; what an install writes when every one passes. */
export interface Verified {
  plan: PlannedPackage;
  source: string;
  fromFile?: true | undefined;
  archive: Buffer;
  /** The first signature (what one-signature readers see), and all of them. */
  signature: StoredSignature | undefined;
  signatures: StoredSignature[];
  check: SignatureCheck;
  /** What the verdict was decided from (every signature, the delegations that cover the package). */
  checks: Checks;
  /** The delegation files the registry served for this package's name (kept as evidence). */
  delegationFiles: { name: string; bytes: Buffer }[];
  verdict: Verdict;
  /**
   * What verification finds beside the verdict, decided as verify decides it: each signature that does
   * not verify beside those that decide the verdict (failing or warning as on_signature_failure says).
   */
  findings: Finding[];
  /** Its deployed copies on every platform the install deploys to (computed before anything is written). */
  targets: DeployTarget[];
  sourceRequiresSignatures: boolean;
  /** The registry's attestation, as checked (its bytes are kept as evidence). */
  attestation?: { fact: AttestationFact; bytes?: Buffer | undefined } | undefined;
  /** Hidden content in the archive's files. */
  hidden: HiddenFile[];
}

export interface FetchOptions {
  verifier: SignatureVerifier;
  context: PolicyContext;
  platforms: readonly Platform[];
  roots: DeployRoots;
  onStep?: ((message: string) => void) | undefined;
  /** `--no-verify`: the signature is kept as evidence, not checked, and the verdict says when it was installed unverified. */
  unverifiedAt?: string | undefined;
  /** `--use-cached-verification`: evidence that cannot be reached is stood in for by this machine's earlier verification. */
  cached?: CachedVerification | undefined;
}

/**
 * Fetches a planned package and runs the trust decision on it: checksum,
 * the archive's own name and version, the signature, the policy (and the
 * source's `require_signatures`). The deployed copies are computed here too,
 * so an artifact aam could not deploy refuses the install before any write.
 */
export async function fetchAndVerify(
  plan: PlannedPackage,
  source: PackageSource,
  options: FetchOptions,
): Promise<Verified> {
  const { context } = options;
  const label = `${plan.name}@${plan.version}`;
  options.onStep?.(`Downloading ${label}`);
  // Evidence that cannot be reached: with --use-cached-verification, what this machine verified before.
  let unreached: AamError | undefined;
  const archive = await source.readArchive(plan.name, plan.version).catch(async (error: unknown) => {
    if (!options.cached || !unreachable(error)) throw error;
    unreached = error;
    return cachedArchive(plan, options.cached, error);
  });
  const sourceRequiresSignatures = await source.requiresSignatures();
  const result = (checks: Checks, rest: Partial<Verified> = {}): Verified => {
    const verdict = decide(checks, context);
    return {
      plan,
      source: source.name,
      fromFile: source.fromFile,
      archive,
      signature: undefined,
      signatures: [],
      check: checks.signature,
      checks,
      delegationFiles: [],
      verdict,
      findings: signatureFindings(verdict, context.policy.on_signature_failure),
      targets: [],
      sourceRequiresSignatures,
      hidden: [],
      ...rest,
    };
  };
  const refuse = (integrity: Extract<Checks['integrity'], { ok: false }>) =>
    result({ name: plan.name, integrity, signature: { state: 'none' } });
  const actual = sha256(archive);
  if (actual !== plan.entry.checksum) {
    return refuse({
      ok: false,
      code: 'CHECKSUM_MISMATCH',
      expected: plan.entry.checksum,
      actual,
      detail: `Checksum verification failed for ${label}.`,
    });
  }
  const contents = await readArchive(archive);
  const mismatch = manifestMismatch(contents.manifestText, plan.name, plan.version);
  if (mismatch) {
    return refuse({
      ok: false,
      code: 'PACKAGE_MISMATCH',
      expected: label,
      actual: mismatch,
      detail: `"${source.name}" serves another package as ${label}: ${mismatch}.`,
    });
  }
  if (options.unverifiedAt) {
    const stored = await source.readSignatures(plan.name, plan.version);
    return result(
      {
        name: plan.name,
        integrity: { ok: true },
        signature: { state: 'none' },
        installedWithoutVerification: { at: options.unverifiedAt },
      },
      {
        signature: stored.find((s) => s.type === 'sigstore') ?? stored[0],
        signatures: stored,
        targets: targetsOf(contents, label, options),
      },
    );
  }
  options.onStep?.(`Verifying ${label}`);
  const earlier = (error: AamError) =>
    result(checksFromLedger(plan, options.cached!, error, source.name), {
      targets: targetsOf(contents, label, options),
      hidden: hiddenFiles(contents.files),
    });
  if (unreached) return earlier(unreached);
  try {
    return await checkEvidence(plan, source, options, { archive, actual, contents, sourceRequiresSignatures }, result);
  } catch (error) {
    if (!options.cached || !unreachable(error)) throw error;
    return earlier(error);
  }
}

/** The signatures, delegations and attestation of a package whose archive holds, read and checked. */
async function checkEvidence(
  plan: PlannedPackage,
  source: PackageSource,
  options: FetchOptions,
  read: { archive: Buffer; actual: string; contents: ArchiveContents; sourceRequiresSignatures: boolean },
  result: (checks: Checks, rest?: Partial<Verified>) => Verified,
): Promise<Verified> {
  const { context } = options;
  const { archive, actual, contents, sourceRequiresSignatures } = read;
  const label = `${plan.name}@${plan.version}`;
  let entries: SignatureEntry[] = [];
  let stored: StoredSignature[] = [];
  let delegations: Pick<Checks, 'delegations' | 'revocations'> = {};
  let delegationFiles: { name: string; bytes: Buffer }[] = [];
  if (context.policy.on_signature_failure !== 'ignore') {
    stored = await source.readSignatures(plan.name, plan.version);
    const listed = plan.entry.signatures ?? [];
    for (const file of stored)
      entries.push({
        file: file.file,
        digest: `sha256:${sha256Hex(file.bytes)}`,
        check: await options.verifier.verify(file.type, file.bytes, archive),
      });
    if (stored.length === 0 && listed.length > 0)
      entries = [
        {
          file: listed[0]!.file,
          check: {
            state: 'invalid',
            type: listed[0]!.type,
            code: 'SIGNATURE_INVALID',
            reason: `the registry lists a ${listed[0]!.type} signature (${listed[0]!.file}) but the file is missing`,
          },
        },
      ];
    if (entries.some((e) => e.check.state === 'valid') && source.readDelegations) {
      delegationFiles = await source.readDelegations();
      const unread = delegationsUnread(`registry "${source.name}"`, delegationFiles.length);
      const checked = await checkDelegationFiles(delegationFiles, options.verifier, plan.name, unread);
      if (checked.delegations.length > 0 || checked.delegationsUnread) delegations = checked;
    }
  }
  const attestation = await source.attestation?.(plan.name, plan.version, actual.replace(/^sha256:/, ''));
  const checks: Checks = {
    name: plan.name,
    integrity: { ok: true },
    signature: entries[0]?.check ?? { state: 'none' },
    ...(entries.length > 0 ? { signatures: entries } : {}),
    ...delegations,
    source: sourceRequiresSignatures ? { name: source.name, requiresSignatures: true } : undefined,
    ...(attestation ? { attestation: attestation.fact } : {}),
  };
  return result(checks, {
    signature: stored[0],
    signatures: stored,
    check: checks.signature,
    delegationFiles,
    attestation,
    targets: targetsOf(contents, label, options),
    hidden: hiddenFiles(contents.files),
  });
}

function targetsOf(contents: ArchiveContents, label: string, options: FetchOptions): DeployTarget[] {
  const files = new Map(contents.files.map((f) => [f.path, { data: f.data, executable: f.executable }]));
  try {
    const manifest = parseManifest(contents.manifestText, `aam.yaml of ${label}`);
    return options.platforms.flatMap((platform) => deployTargets(manifest, files, platform, options.roots));
  } catch (error) {
    throw new AamError('INSTALL_REFUSED', `${label} cannot be deployed the way aam deploys it: ${messageOf(error)}.`, {
      hint: 'Nothing was installed. Ask the publisher to fix the package.',
      cause: error,
    });
  }
}
