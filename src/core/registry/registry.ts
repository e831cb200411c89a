import { AamError } from '../errors.ts';
import { refusal } from '../messages/outcomes.ts';
import type { Manifest } from '../package/manifest.ts';
import { bestMatch, compareVersions, isValidVersion, parseVersion } from '../model/versions.ts';
import type { Listing, PackageMetadata, SignatureRecord, VersionEntry } from './metadata.ts';
import { own } from '../model/own.ts';

/** A signature to store with an archive. */
export interface SignatureToStore {
  type: SignatureRecord['type'];
  bytes: Buffer;
  record: Omit<SignatureRecord, 'file' | 'type'>;
  /** An OpenPGP signature's public key (armored), so an HTTP registry can check it before accepting it. */
  publicKey?: string;
}

/** A signature a registry stores with an archive. */
export interface StoredSignature {
  type: SignatureRecord['type'];
  /** Its file name in the AAM layout: `<version>.aam.sigstore.json`, `<version>.aam.asc`, or numbered (`<version>.aam.2.asc`). */
  file: string;
  /** Where it was read: a path (file registry) or a URL (HTTP registry). */
  path: string;
  bytes: Buffer;
}

export interface PublishResult {
  manifest: Manifest;
  entry: VersionEntry;
  /** Where the archive now is: a path (file registry) or its download URL (HTTP registry). */
  archivePath: string;
}

/** What a publish may say besides its archive and signatures. */
export interface PublishRequest {
  /**
   * The popular package the publisher confirms a new name is not meant to
   * pass for (an HTTP registry refuses a name like a popular one without it).
   */
  confirmName?: string | undefined;
}

/**
 * What installing, publishing and verifying need of a registry — a folder in
 * the AAM layout (LocalRegistry) or an HTTP registry (HttpRegistry).
 */
export interface Registry {
  readonly name: string;
  readonly type: 'local' | 'http';
  /** Where it is, for messages: a folder or a URL. */
  readonly location: string;
  settings(): Promise<{ requireSignatures: boolean }>;
  metadata(name: string): Promise<PackageMetadata | undefined>;
  /** The version `spec` names: exact version, dist-tag, constraint, or latest when absent. */
  resolve(name: string, spec?: string): Promise<{ metadata: PackageMetadata; entry: VersionEntry }>;
  readArchive(name: string, version: string): Promise<Buffer>;
  readSignatures(name: string, version: string): Promise<StoredSignature[]>;
  /** Why a publish of `name@version` would be refused, asked before anything is signed. */
  refusal(name: string, version: string, signed: boolean): Promise<AamError | undefined>;
  /** Why a write (`what`, in words) would be refused for want of a credential, asked before anything is signed. */
  credentialRefusal?(what: string): Promise<AamError | undefined>;
  publish(archive: Buffer, signatures: SignatureToStore[], options?: PublishRequest): Promise<PublishResult>;
  /** Adds a signature to a version already published (a co-signer's); the registry checks it covers the archive. */
  addSignature(name: string, version: string, signature: SignatureToStore): Promise<SignatureRecord>;
  /** The signed delegations and revocations the registry keeps (`delegations/`), each to be checked by the reader. */
  readDelegations(): Promise<{ name: string; bytes: Buffer }[]>;
  addDelegation(file: { name: string; bytes: Buffer }): Promise<void>;
  /** Removes a delegation (not a revocation, which stays): its operator's way to make room. */
  removeDelegation(name: string): Promise<void>;
  list(): Promise<PackageMetadata[]>;
  /** Every package, with the ones whose metadata cannot be read named rather than left out. */
  listing(): Promise<Listing>;
}

/**
 * The version of `metadata` that `spec` names, as every registry resolves it. Without a spec: the
 * `latest` dist-tag where `latest` is `'tag'` (an HTTP registry keeps it, as npm's does), else the
 * highest installable version, as `aam install` resolves a local registry (whose `latest` says
 * only which version `aam pkg publish` wrote last).
 */
export function resolveIn(
  registry: string,
  name: string,
  metadata: PackageMetadata | undefined,
  spec?: string,
  options: { approvers?: readonly string[] | undefined; latest?: 'tag' | 'highest' } = {},
): { metadata: PackageMetadata; entry: VersionEntry } {
  const { approvers, latest = 'tag' } = options;
  if (!metadata) {
    throw new AamError('PACKAGE_NOT_FOUND', `Package ${name} is not in registry "${registry}".`, {
      hint: 'Check the name, or search another registry.',
    });
  }
  const versions = metadata.versions.map((v) => v.version);
  // A yanked version is there for whoever names it exactly; a range or "latest" never picks it.
  // Nor does it pick a version waiting for approval, or rejected.
  const candidates = metadata.versions.filter((v) => !v.yanked && !v.approval).map((v) => v.version);
  const tagged = (version: string | undefined) =>
    version !== undefined && candidates.includes(version) ? version : undefined;
  // "latest" that names a version no install may pick (yanked, held) falls back to the highest one that may.
  const byLatest = spec === undefined || spec === '' || spec === 'latest';
  const taggedVersion = byLatest ? undefined : own(metadata.dist_tags, spec);
  // A tag left on a yanked version (a registry that moves only "latest" when a version is yanked) resolves to nothing.
  if (taggedVersion !== undefined && metadata.versions.find((v) => v.version === taggedVersion)?.yanked)
    throw new AamError(
      'VERSION_NOT_FOUND',
      `${name}@${spec} names ${taggedVersion}, which is yanked in registry "${registry}": a tag does not resolve to a yanked version.`,
      {
        hint: `Name the version (${name}@${taggedVersion} installs it anyway), or ask the package's owners to move the tag.`,
      },
    );
  const wanted = byLatest
    ? (tagged(latest === 'tag' ? metadata.dist_tags.latest : undefined) ?? highestVersion(candidates))
    : (taggedVersion ?? (isValidVersion(spec) ? spec : bestMatch(spec, candidates)));
  // Nothing installable, but a version waiting for approval (or rejected) would do: say that, not "not found".
  const heldVersions = metadata.versions.filter((v) => v.approval && !v.yanked).map((v) => v.version);
  const heldVersion =
    wanted !== undefined
      ? undefined
      : spec === undefined || spec === ''
        ? highestVersion(heldVersions)
        : bestMatch(spec, heldVersions);
  const held = metadata.versions.find((v) => v.version === heldVersion);
  const entry = metadata.versions.find((v) => v.version === wanted) ?? held;
  if (!entry) {
    throw new AamError('VERSION_NOT_FOUND', `${name}@${spec ?? 'latest'} is not in registry "${registry}".`, {
      hint: versions.length > 0 ? `Available versions: ${versions.join(', ')}.` : 'The package has no versions.',
    });
  }
  if (entry.approval) {
    const facts = { name, label: `${name}@${entry.version}`, registry };
    throw entry.approval === 'pending'
      ? refusal('VERSION_PENDING_APPROVAL', { ...facts, approvers })
      : refusal('VERSION_REJECTED', facts);
  }
  return { metadata, entry };
}

/**
 * `resolveIn` for a registry that can say who its approvers are: asked only
 * when the version found waits for approval, so that the refusal names them.
 */
export async function resolveNamingApprovers(
  registry: string,
  name: string,
  metadata: PackageMetadata | undefined,
  spec: string | undefined,
  approvers: () => Promise<readonly string[]>,
): Promise<{ metadata: PackageMetadata; entry: VersionEntry }> {
  try {
    return resolveIn(registry, name, metadata, spec);
  } catch (error) {
    if (!(error instanceof AamError) || error.code !== 'VERSION_PENDING_APPROVAL') throw error;
    return resolveIn(registry, name, metadata, spec, { approvers: await approvers().catch(() => undefined) });
  }
}

/** The reasons every registry refuses a publish for: unsigned where signatures are required, a version twice. */
export function refusalFor(
  registry: string,
  name: string,
  version: string,
  signed: boolean,
  requireSignatures: boolean,
  published: boolean,
): AamError | undefined {
  if (requireSignatures && !signed) {
    return new AamError('SIGNATURE_REQUIRED', 'Package must be signed. Use --sign.', {
      hint: `Registry "${registry}" has require_signatures: true. Publish with Sigstore or GPG signing (AAM: Publish Signed).`,
    });
  }
  if (published) {
    return new AamError('VERSION_EXISTS', `${name}@${version} already published.`, {
      hint: 'Bump the version in aam.yaml.',
    });
  }
  return undefined;
}

export function highestVersion(versions: string[]): string | undefined {
  const valid = versions.filter(isValidVersion).map(parseVersion);
  valid.sort(compareVersions);
  return valid[valid.length - 1]?.raw;
}
