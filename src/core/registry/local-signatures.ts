import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from '../archive/hash.ts';
import { AamError } from '../errors.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { withFileLock } from '../fs/file-lock.ts';
import { commitJournal } from '../fs/journal.ts';
import { readRegularFile } from '../fs/safe-read.ts';
import { parseDocument, readSignedDocumentFile } from '../signature/delegation-file.ts';
import { toYamlText } from '../yaml/io.ts';
import {
  delegationsDirIn,
  MAX_SIGNATURES,
  parseSignatureFileName,
  signatureFileName,
  signatureFilesOf,
} from './layout.ts';
import type { PackageMetadata, SignatureRecord } from './metadata.ts';
import type { SignatureToStore, StoredSignature } from './registry.ts';

/** What these functions need of a registry folder (LocalRegistry). */
export interface RegistryFolder {
  readonly name: string;
  readonly root: string;
  packageDir(name: string): string;
  archivePath(name: string, version: string): string;
  metadata(name: string): Promise<PackageMetadata | undefined>;
  recover(locked?: boolean): Promise<void>;
}

/** The files of a version's signatures that are there now, in reading order (a link or FIFO is refused). */
export async function readVersionSignatures(
  registry: RegistryFolder,
  name: string,
  version: string,
): Promise<StoredSignature[]> {
  const dir = join(registry.archivePath(name, version), '..');
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: StoredSignature[] = [];
  for (const file of signatureFilesOf(version, names)) {
    const path = join(dir, file);
    const bytes = await readRegularFile(path, 'signature');
    if (bytes) found.push({ type: parseSignatureFileName(version, file)!.type, file, path, bytes });
  }
  return found;
}

/** The file names the signatures of a publish go to: the first of each kind by the SPEC §1 name, then numbered. */
export function signatureFilesFor(version: string, signatures: readonly SignatureToStore[]): string[] {
  const count = { sigstore: 0, gpg: 0 };
  return signatures.map((s) => signatureFileName(version, s.type, ++count[s.type]));
}

/**
 * Adds a signature to a version already published (a co-signer's): it goes
 * to the first free file of its kind and into the version's `signatures:`,
 * under the publish lock. The archive must still be the one published; a
 * signature stored already is refused.
 */
export async function addSignatureTo(
  registry: RegistryFolder,
  name: string,
  version: string,
  signature: SignatureToStore,
): Promise<SignatureRecord> {
  return withFileLock(join(registry.root, '.publish.lock'), async () => {
    await registry.recover(true);
    const metadata = await registry.metadata(name);
    const entry = metadata?.versions.find((v) => v.version === version);
    if (!metadata || !entry)
      throw new AamError('VERSION_NOT_FOUND', `${name}@${version} is not in registry "${registry.name}".`);
    const archive = await readRegularFile(registry.archivePath(name, version), 'archive');
    if (!archive || sha256(archive) !== entry.checksum)
      throw new AamError(
        'CHECKSUM_MISMATCH',
        `The archive of ${name}@${version} in "${registry.name}" is not the one published.`,
        {
          expected: entry.checksum,
          actual: archive ? sha256(archive) : 'no archive',
        },
      );
    const existing = await readVersionSignatures(registry, name, version);
    if (existing.some((s) => s.bytes.equals(signature.bytes)))
      throw new AamError('VERSION_EXISTS', `${name}@${version} already carries this signature.`);
    if (existing.length >= MAX_SIGNATURES)
      throw new AamError(
        'REGISTRY_INVALID',
        `${name}@${version} already carries ${MAX_SIGNATURES} signatures, the most that are read.`,
      );
    const taken = new Set(existing.map((s) => s.file));
    let n = 1;
    while (taken.has(signatureFileName(version, signature.type, n))) n++;
    const file = signatureFileName(version, signature.type, n);
    await writeFileAtomic(join(registry.archivePath(name, version), '..', file), signature.bytes);
    const record: SignatureRecord = { type: signature.type, ...signature.record, file };
    const versions = metadata.versions.map((v) =>
      v.version === version ? { ...v, signatures: [...(v.signatures ?? []), record] } : v,
    );
    await commitJournal(join(registry.root, '.publish-journal.json'), {
      writes: [
        { path: join(registry.packageDir(name), 'metadata.yaml'), content: toYamlText({ ...metadata, versions }) },
      ],
      removes: [],
    });
    return record;
  });
}

/**
 * At most this many files of `delegations/` are read. A reader takes one
 * more, to know when there are more: then none is trusted (`delegationsUnread`),
 * as those left out could be the revocations — a limit that quietly kept the
 * first ones would let anyone who can add delegations hide a revocation.
 */
export const MAX_DELEGATION_FILES = 256;

/** Why no delegation is trusted from `where`, when it holds more files than are read (`count`: as many as were listed). */
export function delegationsUnread(where: string, count: number): string | undefined {
  if (count <= MAX_DELEGATION_FILES) return undefined;
  return `${where} holds more than ${MAX_DELEGATION_FILES} delegation files, the most that are read: a revocation could be among those left out, so no delegation is trusted (its operator can remove the delegations nobody uses)`;
}

/** The files of a registry's `delegations/` (each checked by whoever reads it), one more than are read when there are more. */
export async function readDelegationFiles(root: string): Promise<{ name: string; bytes: Buffer }[]> {
  const dir = delegationsDirIn(root);
  const names = (await readdir(dir).catch(() => [] as string[]))
    .filter((n) => /^[0-9a-f]{64}\.json$/.test(n))
    .sort()
    .slice(0, MAX_DELEGATION_FILES + 1);
  const out: { name: string; bytes: Buffer }[] = [];
  for (const name of names) {
    const bytes = await readRegularFile(join(dir, name), 'delegation').catch(() => undefined);
    if (bytes) out.push({ name, bytes });
  }
  return out;
}

/** Removes a delegation from `delegations/`; a revocation stays (a client keeping the delegation would trust it again). */
export async function removeDelegationFrom(root: string, name: string): Promise<void> {
  const path = join(delegationsDirIn(root), name);
  const bytes = await readRegularFile(path, 'delegation').catch(() => undefined);
  if (!bytes) throw new AamError('USAGE', `The registry keeps no delegation ${name.slice(0, 12)}.`);
  const signed = readSignedDocumentFile(name, bytes);
  if (!('problem' in signed) && parseDocument(signed.document)?.kind === 'revocation')
    throw new AamError('USAGE', `${name.slice(0, 12)} is a revocation: revocations are kept.`);
  await rm(path, { force: true });
}

/** Stores a signed delegation or revocation in `delegations/`, once it reads as one (its signature is for readers to judge). */
export async function addDelegationTo(root: string, file: { name: string; bytes: Buffer }): Promise<void> {
  const signed = readSignedDocumentFile(file.name, file.bytes);
  if ('problem' in signed) throw new AamError('USAGE', `Not a signed delegation: ${signed.problem}.`);
  if (!parseDocument(signed.document)) throw new AamError('USAGE', 'Not a delegation or revocation document.');
  await writeFileAtomic(join(delegationsDirIn(root), file.name), file.bytes);
}
