import { sha256Hex } from '../../archive/hash.ts';
import type { LockedPackage, LockSignature } from '../../lockfile/lockfile.ts';
import type { Platform } from '../../model/platform.ts';
import type { SignatureCheck } from '../../policy/decision.ts';
import { signerKeyOf } from '../../policy/trust-match.ts';
import { recordedState } from '../../record/continuity.ts';
import type { RecordedPackage } from '../../record/trust-record.ts';
import type { Verified } from './fetch-verify.ts';

/**
 * What an install writes about a package it verified: its lock-file entry
 * (the `aam` CLI's fields, and the signatures it was verified with) and its
 * trust-record entry. Only valid signatures are captured, each signer once:
 * the first as `signature:` (what readers of one signature know), the others
 * as `cosignatures:`.
 */
export function lockEntry(item: Verified, files: Record<string, string>): LockedPackage {
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
  const [first, ...more] = capturedSignatures(item);
  if (first) entry.signature = first;
  if (more.length > 0) entry.cosignatures = more;
  return entry;
}

function capturedSignatures(item: Verified): LockSignature[] {
  const seen = new Set<string>();
  return item.signatures.flatMap((file) => {
    const digest = `sha256:${sha256Hex(file.bytes)}`;
    const judged = item.verdict.signatures.find((j) => j.check.state === 'valid' && j.file === file.file);
    const entry = item.checks.signatures?.find((e) => e.digest === digest);
    if (!entry || entry.check.state !== 'valid' || seen.has(signerKeyOf(entry.check.signer))) return [];
    seen.add(signerKeyOf(entry.check.signer));
    const links = judged?.standing.state === 'delegated' ? judged.standing.links.map((l) => l.id) : undefined;
    return [lockSignature(digest, file.file, entry.check, links)];
  });
}

function lockSignature(
  digest: string,
  file: string,
  check: Extract<SignatureCheck, { state: 'valid' }>,
  delegations: string[] | undefined,
): LockSignature {
  const signer = check.signer;
  const numbered = !/\.aam\.(sigstore\.json|asc)$/.test(file);
  const base = {
    bundle_digest: digest,
    signed_at: signer.signedAt,
    ...(numbered ? { file } : {}),
    ...(delegations ? { delegations } : {}),
  };
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

/** What the trust record keeps of an installed package: its digest, its signers (none: unsigned), where it was deployed. */
export function recordedEntry(
  item: Verified,
  platforms: readonly Platform[],
  now: Date,
  unverifiedAt?: string,
): RecordedPackage {
  const state = recordedState(
    {
      version: item.plan.version,
      checksum: item.plan.entry.checksum,
      source: item.source,
      signatures: item.checks,
      signatureDigest: item.signature ? `sha256:${sha256Hex(item.signature.bytes)}` : undefined,
      platforms: [...platforms],
    },
    undefined,
    now.toISOString(),
  );
  return {
    ...(unverifiedAt ? { installed_without_verification: unverifiedAt } : {}),
    ...state,
    ...(item.sourceRequiresSignatures ? { source_requires_signatures: true as const } : {}),
    platforms: [...platforms],
    ...(item.attestation?.bytes && item.attestation.fact.state === 'valid'
      ? { attestation: { digest: `sha256:${sha256Hex(item.attestation.bytes)}`, key_id: item.attestation.fact.keyId } }
      : {}),
  };
}

/**
 * The delegation files an install keeps as evidence, in the cache every
 * project on the machine reads (which trusts none of its delegations past
 * the files clients read): the delegations a signature was trusted through,
 * and the revocations of those and of delegations kept before (`kept`, by
 * id). Not every valid delegation that covers the package: a registry may
 * serve hundreds, signed by anyone, and it filled the cache until no
 * delegation counted anywhere (delegation-review F2).
 */
export function delegationEvidence(item: Verified, kept: ReadonlySet<string>): { name: string; bytes: Buffer }[] {
  const used = new Set(
    item.verdict.signatures.flatMap((j) => (j.standing.state === 'delegated' ? j.standing.links.map((l) => l.id) : [])),
  );
  const ids = new Set([
    ...used,
    ...(item.checks.revocations ?? []).filter((r) => used.has(r.delegation) || kept.has(r.delegation)).map((r) => r.id),
  ]);
  return item.delegationFiles.filter((f) => ids.has(`sha256:${f.name.replace(/\.json$/, '')}`));
}
