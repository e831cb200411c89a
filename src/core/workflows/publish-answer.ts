import { AamError } from '../errors.ts';
import type { SignatureRecord, VersionEntry } from '../registry/metadata.ts';
import type { SignatureToStore } from '../registry/registry.ts';
import { signatureFilesFor } from '../registry/local-signatures.ts';

/**
 * What a registry answers to a publish is its word, not proof: the archive it
 * says it stored must be the one sent (same checksum), and every signature it
 * lists must be one of those sent. Anything else means it stored something
 * other than what was signed, and the publisher must hear so.
 */
export function checkPublishAnswer(
  registry: string,
  label: string,
  sent: { checksum: string; signatures: readonly SignatureToStore[] },
  answer: VersionEntry,
): void {
  if (answer.checksum.toLowerCase() !== sent.checksum.toLowerCase())
    throw storedElse(registry, label, 'an archive other than the one sent', sent.checksum, answer.checksum);
  const unmatched = [...sent.signatures];
  for (const listed of answer.signatures ?? []) {
    const i = unmatched.findIndex((s) => sameSigner(s, listed));
    if (i < 0)
      throw storedElse(
        registry,
        label,
        `a signature that was not sent (${describe(listed)})`,
        sent.signatures.map((s) => describe({ type: s.type, ...s.record })).join(', ') || 'no signatures',
        describe(listed),
      );
    unmatched.splice(i, 1);
  }
}

/**
 * The signatures a publish reports: the ones signed and verified here, with
 * the file names they are stored under. Never the registry's records, which
 * could name anyone.
 */
export function sentRecords(version: string, signatures: readonly SignatureToStore[]): SignatureRecord[] {
  const files = signatureFilesFor(version, signatures);
  return signatures.map((s, i) => ({ type: s.type, ...s.record, file: files[i]! }));
}

type Described = Pick<SignatureRecord, 'type' | 'identity' | 'issuer' | 'fingerprint'>;

/** The same signer as far as the record says: its kind, and its key or identity (and issuer) where listed. */
function sameSigner(sent: SignatureToStore, listed: Described): boolean {
  if (sent.type !== listed.type) return false;
  const same = (a: string | undefined, b: string | undefined) =>
    b === undefined || a?.toLowerCase() === b.toLowerCase();
  if (listed.type === 'gpg') return same(sent.record.fingerprint, listed.fingerprint);
  return same(sent.record.identity, listed.identity) && same(sent.record.issuer, listed.issuer);
}

function describe(record: Described): string {
  const who = record.type === 'gpg' ? (record.fingerprint ?? record.identity) : record.identity;
  return `${record.type} ${who ?? '(unnamed)'}`;
}

function storedElse(registry: string, label: string, what: string, expected: string, actual: string): AamError {
  return new AamError(
    'REGISTRY_ERROR',
    `Registry "${registry}" says it stored ${what} for ${label}: it did not store what was signed and sent.`,
    {
      hint: `Do not rely on ${label} on this registry: check what it serves (aam-trust verify), and tell its administrator.`,
      expected,
      actual,
    },
  );
}
