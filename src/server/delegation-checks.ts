import { signerKeyOf } from '../core/policy/trust-match.ts';
import type { Signer } from '../core/policy/trust-match.ts';
import { parseDocument, readSignedDocumentFile } from '../core/signature/delegation-file.ts';
import type { TrustRootSource } from '../core/sigstore/trusted-root.ts';
import type { Queryable } from './db.ts';
import { ApiFailure } from './errors.ts';
import { checkUploadedSignature } from './publish-checks.ts';

/**
 * What the registry checks of a delegation or revocation file before it
 * keeps it. Whether a delegation trusts anyone is each reader's policy, but
 * a file the registry keeps takes one of the few places every client reads
 * (MAX_DELEGATION_FILES), and a revocation is never removed: unchecked,
 * throwaway accounts filled them with revocations of garbage signatures of
 * their own delegation, and the delegator's revocation of a lost key no
 * longer fitted (delegation-review F1). So the file's signature must verify
 * as a client verifies it (the registry's Sigstore root, or the OpenPGP key
 * the file brings); a delegation's own signer revokes it once, and room is
 * kept for that among the files clients read, whoever else revokes it.
 */
export type CheckedDocument =
  | { kind: 'delegation'; pattern: string; signer: Signer }
  | { kind: 'revocation'; revokes: string; signer: Signer; byDelegator: boolean };

/** The signer of a signed document, checked with the key it brings or the Sigstore root. */
/** A file as it would be kept: parsed, its signature verified, a revocation's signer the delegation's. */
export async function checkedDocument(
  db: Queryable,
  root: TrustRootSource,
  file: { name: string; bytes: Buffer },
): Promise<CheckedDocument> {
  const signed = readSignedDocumentFile(file.name, file.bytes);
  if ('problem' in signed)
    throw new ApiFailure(400, 'invalid_delegation', `Not a signed delegation: ${signed.problem}.`);
  const parsed = parseDocument(signed.document);
  if (!parsed) throw new ApiFailure(400, 'invalid_delegation', 'Not a delegation or revocation document.');
  const { type, bytes, publicKey } = signed.signature;
  const check = await checkUploadedSignature(type, bytes, signed.document, publicKey, root);
  if (check.state !== 'valid')
    throw new ApiFailure(
      400,
      'signature_invalid',
      `The ${parsed.kind}'s signature does not verify: ${check.state === 'invalid' ? check.reason : 'no signature'}.`,
    );
  if (parsed.kind === 'delegation')
    return { kind: 'delegation', pattern: parsed.document.pattern, signer: check.signer };
  const revokes = parsed.document.delegation;
  const delegator = await delegatorOf(db, root, revokes);
  if (!delegator)
    throw new ApiFailure(400, 'invalid_delegation', `It revokes ${revokes}, a delegation this registry does not keep.`);
  // Another signer's counts for a client that trusts that signer (an organisation's root revoking a delegation
  // made with a lost key, diff3-review 2); room is kept for the delegator's own (store/signers.ts).
  const byDelegator = signerKeyOf(delegator) === signerKeyOf(check.signer);
  return { kind: 'revocation', revokes, signer: check.signer, byDelegator };
}

/** The signer of a delegation the registry keeps, or undefined when it keeps none by that id (or it does not verify). */
async function delegatorOf(db: Queryable, root: TrustRootSource, id: string): Promise<Signer | undefined> {
  const name = `${id.replace(/^sha256:/, '')}.json`;
  const { rows } = await db.query<{ file: Buffer }>(
    "SELECT file FROM delegations WHERE name = $1 AND kind = 'delegation'",
    [name],
  );
  const signed = rows[0] && readSignedDocumentFile(name, rows[0].file);
  if (!signed || 'problem' in signed) return undefined;
  const { type, bytes, publicKey } = signed.signature;
  const check = await checkUploadedSignature(type, bytes, signed.document, publicKey, root);
  return check.state === 'valid' ? check.signer : undefined;
}

/**
 * Whether its operator may remove a kept revocation: never the delegator's
 * own (stored as such, or one kept before this was stored that verifies as
 * it); any other, and one whose signature does not verify (stored before the
 * registry checked them) or whose delegation is gone, may go: once its
 * delegation is removed, another signer's revocation would stay for good
 * (diff4-review F11).
 */
export async function removable(
  db: Queryable,
  root: TrustRootSource,
  file: { name: string; bytes: Buffer },
  byDelegator: boolean,
): Promise<boolean> {
  if (byDelegator) return false;
  try {
    const checked = await checkedDocument(db, root, file);
    return checked.kind === 'revocation' && !checked.byDelegator;
  } catch (error) {
    if (error instanceof ApiFailure) return true;
    throw error;
  }
}
