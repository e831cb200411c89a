import { parsePackageName } from '../../core/model/names.ts';
import type { Delegate } from '../../core/policy/checks.ts';
import { delegateNames, describeDelegate } from '../../core/policy/delegation.ts';
import { matchesNamePattern } from '../../core/policy/name-pattern.ts';
import { describeSigner } from '../../core/policy/trust-match.ts';
import type { Signer } from '../../core/policy/trust-match.ts';
import { approverMatch } from '../../core/registry/approval.ts';
import { parseDocument, readSignedDocumentFile } from '../../core/signature/delegation-file.ts';
import type { TrustRootSource } from '../../core/sigstore/trusted-root.ts';
import type { Queryable } from '../db.ts';
import { ApiFailure } from '../errors.ts';
import { checkUploadedSignature } from '../publish-checks.ts';
import type { SignedUpload } from '../publish-checks.ts';
import { isOperator } from '../tokens.ts';
import type { Caller } from '../tokens.ts';
import { packageOwners, registrySettings } from './packages.ts';

/**
 * Who may add a signature to a published version (F5/F6 of the registry
 * review). A co-signature is written beside an archive, in the package's
 * name, so — as with publishing, yanking and tagging — only those with a
 * reason to: the package's owners and its scope's members (the caller's
 * account says so), and signers the package's people named for it: the
 * delegate of a delegation an owner or member stored here for a pattern
 * matching the name (live, not revoked by them), or one of the registry's
 * approvers (the signature's verified signer says so). A stranger's account,
 * which anyone can make, adds nothing: it can neither fill a version's
 * signature slots nor put its signature in front of every client.
 */
export type CosignStanding =
  { by: 'account' } | { by: 'signer'; delegates: readonly Delegate[]; approvers: readonly string[] };

/**
 * The caller's standing on NAME, before the upload is read: by account
 * (operator, owner, scope member), or by signer when some delegation or
 * approver could name them; otherwise 403, with whom to ask.
 */
export async function cosignStanding(
  db: Queryable,
  caller: Caller,
  pkg: { id: string },
  name: string,
): Promise<CosignStanding> {
  const scope = parsePackageName(name).scope ?? '';
  if (isOperator(caller)) return { by: 'account' };
  const { rows } = await db.query<{ owner: boolean; member: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM package_owners WHERE package_id = $1 AND user_id = $3) AS owner,
            EXISTS (SELECT 1 FROM scope_members WHERE scope = $2 AND user_id = $3) AS member`,
    [pkg.id, scope, caller.userId],
  );
  if (rows[0]?.owner || rows[0]?.member) return { by: 'account' };
  const delegates = await delegatesFor(db, pkg.id, scope, name);
  const { approvers } = await registrySettings(db);
  if (delegates.length === 0 && approvers.length === 0) throw await notCosigner(db, caller, pkg, name);
  return { by: 'signer', delegates, approvers };
}

/** A signer's standing, once its signature verified over the archive: one of the delegates or approvers, or 403. */
export async function requireNamedSigner(
  db: Queryable,
  root: TrustRootSource,
  context: { caller: Caller; pkg: { id: string }; name: string; archive: Buffer },
  standing: CosignStanding,
  signed: SignedUpload,
): Promise<void> {
  if (standing.by === 'account') return;
  const signer = await signerOf(root, context.archive, signed);
  if (signer && standing.delegates.some((d) => delegateNames(d, signer))) return;
  if (signer && approverMatch(signer, standing.approvers)) return;
  throw await notCosigner(db, context.caller, context.pkg, context.name, signer, standing);
}

/**
 * The delegates of the live delegations for NAME that an owner of the
 * package or a member of its scope stored, less those one of them revoked.
 */
async function delegatesFor(db: Queryable, packageId: string, scope: string, name: string): Promise<Delegate[]> {
  const { rows } = await db.query<{ name: string; file: Uint8Array }>(
    `SELECT name, file FROM delegations
      WHERE added_by IN (SELECT user_id FROM package_owners WHERE package_id = $1
                         UNION SELECT user_id FROM scope_members WHERE scope = $2)`,
    [packageId, scope],
  );
  const delegations = new Map<string, Delegate>();
  const revoked = new Set<string>();
  for (const row of rows) {
    const file = row.name.trim();
    const signed = readSignedDocumentFile(file, row.file);
    const parsed = 'problem' in signed ? undefined : parseDocument(signed.document);
    if (parsed?.kind === 'revocation') revoked.add(parsed.document.delegation);
    else if (
      parsed &&
      matchesNamePattern(parsed.document.pattern, name) &&
      Date.parse(parsed.document.until) > Date.now()
    )
      delegations.set(`sha256:${file.replace(/\.json$/, '')}`, parsed.document.delegate);
  }
  return [...delegations].filter(([id]) => !revoked.has(id)).map(([, delegate]) => delegate);
}

/** Who signed an upload that checkSignature verified (the same check, for its signer). */
async function signerOf(root: TrustRootSource, archive: Buffer, signed: SignedUpload): Promise<Signer | undefined> {
  const check = await checkUploadedSignature(signed.type, signed.bytes, archive, signed.publicKey, root);
  return check.state === 'valid' ? check.signer : undefined;
}

async function notCosigner(
  db: Queryable,
  caller: Caller,
  pkg: { id: string },
  name: string,
  signer?: Signer,
  standing?: CosignStanding,
): Promise<ApiFailure> {
  const owners = await packageOwners(db, pkg.id);
  const scope = parsePackageName(name).scope;
  const who = `its owners (${owners.join(', ') || 'none'})${scope ? `, members of @${scope}` : ''}, signers they delegated it to and the registry's approvers`;
  const named =
    standing?.by === 'signer'
      ? ` Named to sign it: ${[...standing.delegates.map(describeDelegate), ...standing.approvers].join(', ')}.`
      : '';
  return new ApiFailure(
    403,
    'forbidden',
    `${caller.username} may not add a signature to ${name}${signer ? ` signed by ${describeSigner(signer)}` : ''}: only ${who} may co-sign it.${named} Ask an owner to co-sign, to add you${scope ? ` to @${scope}` : ' as an owner'}, or to delegate ${name} to your signing identity or key here (aam-trust delegate ${name} --to …).`,
    { reason: 'not_cosigner', user: caller.username },
  );
}
