import { readArchive } from '../../archive/read.ts';
import { fileChecksumsOf } from '../../archive/extract.ts';
import { manifestMismatch } from '../../package/manifest.ts';
import { messageOf } from '../../errors.ts';
import type { Checks, IntegrityCheck, SignatureEntry } from '../../policy/decision.ts';
import { signatureFileName } from '../../registry/layout.ts';
import { checkDelegationFiles } from '../../signature/delegation-file.ts';
import type { StoredSignature } from '../../registry/local-registry.ts';
import { describeDifferences, isClean } from '../../scan/installed-files.ts';
import { scanInstalled } from '../../scan/scan-installed.ts';
import type { InstalledScan } from '../../scan/scan-installed.ts';
import type { SignatureVerifier } from '../../signature/verifier.ts';
import { evidenceDigest } from '../evidence/evidence.ts';
import type { PackageEvidence } from '../evidence/evidence.ts';
import { checkDeployment } from './check-deployed.ts';
import type { DeploySource } from './check-deployed.ts';
import type { DeployedCopy } from '../../deploy/check.ts';
import type { FileStamp } from '../../scan/stamps.ts';
import { hiddenFiles } from '../../content/scan.ts';
import type { HiddenFile } from '../../content/scan.ts';

export interface CheckOptions {
  /** on_signature_failure: ignore — no signature is even looked at. */
  skipSignature: boolean;
  /** The previous scan of the installed folder: unchanged, settled files are not re-read. */
  previousScan?: InstalledScan;
  /** Where the deployed copies are; undefined: they are not checked. */
  deploy?: DeploySource | undefined;
  /** Where every path looked at is stamped (deployed copies included), so an unchanged result can be trusted later. */
  stamps?: Record<string, FileStamp | null>;
  /** The trust record says the source registry required signatures when the package was installed. */
  sourceRequiredSignatures?: boolean;
  /** The verification run it is part of: what all its packages look at alike is looked at once (see perRun). */
  run?: string | undefined;
}

export interface PackageChecks {
  checks: Checks;
  signatureFile: StoredSignature | undefined;
  /** Stamps and hashes of the installed folder, when it was scanned. */
  scan: InstalledScan | undefined;
  /** The deployed copies found, each compared with the signed archive. */
  deployed: DeployedCopy[];
  /** SHA-256 of the signature file checked, when one was. */
  signatureDigest?: string | undefined;
  /** Hidden content in the archive's files (what agents will load), when the archive could be read. */
  hidden: HiddenFile[];
  /** The installed aam.yaml's text, when the scan found it to be the archive's (so it need not be read again). */
  installedManifest?: string | undefined;
}

/** Runs every check the trust decision needs, with nothing decided yet. */
export async function checkPackage(
  evidence: PackageEvidence,
  verifier: SignatureVerifier,
  options: CheckOptions,
): Promise<PackageChecks> {
  const { integrity, scan, deployed, hidden, installedManifest } = await checkIntegrity(evidence, options);
  // Deployed copies that differ leave the archive authentic: its signature is still checked, as the
  // difference may turn out to be another package's same-named artifact (decided with all packages).
  const archiveHolds = integrity.ok || integrity.code === 'DEPLOYED_MODIFIED';
  if (!archiveHolds || options.skipSignature)
    return {
      checks: { name: evidence.name, from: evidence.from, integrity, signature: { state: 'none' } },
      signatureFile: undefined,
      scan,
      deployed,
      hidden,
      installedManifest,
    };
  const { entries, files } = await checkSignatures(evidence, verifier);
  // Delegations matter only to a valid signature: for the rest there is nothing to trust through them.
  const delegations =
    (evidence.delegationFiles.length > 0 || evidence.delegationsUnread) &&
    entries.some((e) => e.check.state === 'valid')
      ? await checkDelegationFiles(evidence.delegationFiles, verifier, evidence.name, evidence.delegationsUnread)
      : undefined;
  // Recorded at install, or said by the registry now: either way the registry promised every package is signed.
  const requires = options.sourceRequiredSignatures || evidence.registryRequiresSignatures;
  const source = requires ? { name: evidence.entry.source, requiresSignatures: true as const } : undefined;
  const first = evidence.capturedMissing.length > 0 ? undefined : files[0];
  return {
    checks: {
      name: evidence.name,
      from: evidence.from,
      integrity,
      signature: entries[0]?.check ?? { state: 'none' },
      ...(entries.length > 0 ? { signatures: entries } : {}),
      ...(delegations && (delegations.delegations.length > 0 || delegations.delegationsUnread) ? delegations : {}),
      ...(delegations && evidence.revocationsUnknown ? { revocationsUnknown: evidence.revocationsUnknown } : {}),
      source,
    },
    signatureFile: first,
    scan,
    deployed,
    signatureDigest: entries[0]?.digest,
    hidden,
    installedManifest,
  };
}

async function checkIntegrity(
  evidence: PackageEvidence,
  options: CheckOptions,
): Promise<{
  integrity: IntegrityCheck;
  scan: InstalledScan | undefined;
  deployed: DeployedCopy[];
  hidden: HiddenFile[];
  installedManifest: string | undefined;
}> {
  const early = await checkArchive(evidence);
  if (!early.ok)
    return { integrity: early.integrity, scan: undefined, deployed: [], hidden: [], installedManifest: undefined };
  // The archive's own bytes, so the result is one per archive digest: it is stored and reused with the rest.
  const hidden = hiddenFiles([...early.contents].map(([path, data]) => ({ path, data })));
  const { diff, scan } = scanInstalled(
    evidence.installedDir,
    early.files,
    options.previousScan,
    early.contents,
    early.links,
  );
  // Read (or vouched for by its stamp) and found to hash as the archive's own aam.yaml: the same text.
  const installedManifest =
    early.files['aam.yaml'] !== undefined && scan.files['aam.yaml']?.sha256 === early.files['aam.yaml']
      ? early.manifestText
      : undefined;
  const deployment = options.deploy
    ? checkDeployment(
        evidence.name,
        early.manifestText,
        early.contents,
        options.deploy,
        options.stamps ?? {},
        options.run,
      )
    : { copies: [], failure: undefined };
  if (!isClean(diff)) {
    return {
      scan,
      integrity: {
        ok: false,
        code: 'FILES_MODIFIED',
        expected: diff.example
          ? `${diff.example.path}: ${diff.example.expected}`
          : 'the installed files of the archive',
        actual: diff.example ? `${diff.example.path}: ${diff.example.actual}` : describeDifferences(diff),
        detail: `Installed files of ${evidence.name} differ from what was installed (${describeDifferences(diff)}).`,
      },
      deployed: deployment.copies,
      hidden,
      installedManifest,
    };
  }
  return {
    integrity: deployment.failure ?? { ok: true },
    scan,
    deployed: deployment.copies,
    hidden,
    installedManifest,
  };
}

/** The archive's checksum, and its file list against the lock file's; on success, the files it holds. */
async function checkArchive(evidence: PackageEvidence): Promise<
  | {
      ok: true;
      files: Record<string, string>;
      contents: Map<string, Uint8Array>;
      links: Record<string, string>;
      manifestText: string;
    }
  | { ok: false; integrity: Extract<IntegrityCheck, { ok: false }> }
> {
  const { entry, archive, name } = evidence;
  const fail = (integrity: Extract<IntegrityCheck, { ok: false }>) => ({ ok: false as const, integrity });
  // Evidence gathering hashed the archive: it hands over only bytes whose SHA-256 is the lock file's checksum.
  if (!archive) {
    return fail({
      ok: false,
      code: 'ARCHIVE_UNAVAILABLE',
      expected: entry.checksum,
      actual: 'no archive',
      detail: `The archive of ${name}@${entry.version} is not available: ${evidence.archiveOrigin}.`,
    });
  }
  let archived: Record<string, string>;
  let contents: Map<string, Uint8Array>;
  const links: Record<string, string> = {};
  let manifestText: string;
  try {
    const read = await readArchive(archive);
    archived = fileChecksumsOf(read);
    contents = new Map(read.files.map((f) => [f.path, f.data]));
    for (const f of read.files) if (f.link !== undefined) links[f.path] = f.link;
    manifestText = read.manifestText;
  } catch (error) {
    return fail({
      ok: false,
      code: 'CHECKSUM_MISMATCH',
      expected: 'a readable archive',
      actual: messageOf(error),
      detail: `The archive of ${name}@${entry.version} cannot be read.`,
    });
  }
  const mismatch = manifestMismatch(manifestText, name, entry.version);
  if (mismatch) {
    return fail({
      ok: false,
      code: 'PACKAGE_MISMATCH',
      expected: `${name}@${entry.version}`,
      actual: mismatch.replace(/^its aam.yaml says /, ''),
      detail: `The archive installed as ${name}@${entry.version} is not that package: ${mismatch}.`,
    });
  }
  const recorded = entry.file_checksums?.files;
  if (recorded) {
    // The Python CLI leaves hidden files out of file_checksums; that omission alone is not an edit.
    const hidden = (path: string) => path.split('/').some((segment) => segment.startsWith('.'));
    const lockDiff = Object.keys({ ...recorded, ...archived }).filter(
      (path) => recorded[path] !== archived[path] && !(recorded[path] === undefined && hidden(path)),
    );
    if (lockDiff.length > 0) {
      return fail({
        ok: false,
        code: 'CHECKSUM_MISMATCH',
        expected: `file checksums of the archive`,
        actual: `the lock file differs for ${lockDiff.slice(0, 3).join(', ')}`,
        detail: `The lock file's file checksums for ${name} do not match its archive; the lock file was edited.`,
      });
    }
  }
  return { ok: true, files: archived, contents, links, manifestText };
}

/** Every signature, each checked on its own; one captured at install that is gone is an invalid one. */
async function checkSignatures(
  evidence: PackageEvidence,
  verifier: SignatureVerifier,
): Promise<{ entries: SignatureEntry[]; files: StoredSignature[] }> {
  const entries: SignatureEntry[] = evidence.capturedMissing.map((missing) => ({
    file: missing.file ?? signatureFileName(evidence.entry.version, missing.type),
    digest: missing.digest,
    check: {
      state: 'invalid',
      type: missing.type,
      code: 'SIGNATURE_INVALID',
      reason: `the ${missing.type} signature recorded at install or since (${missing.digest}) is gone: neither the registry nor the evidence cache has it`,
    },
  }));
  for (const file of evidence.signatures)
    entries.push({
      file: file.file,
      digest: evidenceDigest(file.bytes),
      // Evidence gathering handed over only an archive whose SHA-256 is the lock file's checksum.
      check: await verifier.verify(
        file.type,
        file.bytes,
        evidence.archive!,
        Buffer.from(evidence.entry.checksum.slice('sha256:'.length), 'hex'),
      ),
    });
  return { entries, files: evidence.signatures };
}
