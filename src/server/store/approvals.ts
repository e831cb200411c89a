import type { SignatureCheck } from '../../core/policy/decision.ts';
import { describeSigner } from '../../core/policy/trust-match.ts';
import { parseApprovalDocument } from '../../core/registry/approval.ts';
import type { ApprovalDocument } from '../../core/registry/approval.ts';
import { recordOf } from '../../core/workflows/publish.ts';
import { appendAudit } from '../audit.ts';
import type { Database } from '../db.ts';
import { ApiFailure } from '../errors.ts';
import type { Caller } from '../tokens.ts';
import { refreshLatest, untagUninstallable } from './packages.ts';

/**
 * Stores an approver's checked decision and returns the version's status
 * now. Decisions on one version are serialised (its row is locked), and the
 * most recent one by the time it was signed stands: an older approval sent
 * again (by anyone holding a token) does not undo a later rejection.
 */
export async function storeDecision(
  db: Database,
  d: {
    versionId: string;
    caller: Caller;
    name: string;
    version: string;
    document: ApprovalDocument;
    documentBytes: Buffer;
    signature: Buffer;
    signatureType: 'sigstore' | 'gpg';
    publicKey: string | null;
    check: Extract<SignatureCheck, { state: 'valid' }>;
    approverEntry: string;
  },
): Promise<'approved' | 'rejected'> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT id FROM package_versions WHERE id = $1 FOR UPDATE', [d.versionId]);
    const mine = (
      await tx.query<{ document: Uint8Array }>(
        'SELECT document FROM approvals WHERE version_id = $1 AND approver = $2',
        [d.versionId, d.caller.username],
      )
    ).rows[0];
    const before = mine && parseApprovalDocument(mine.document);
    if (before && before.at > d.document.at)
      throw new ApiFailure(
        409,
        'conflict',
        `A later decision (${before.status}, signed ${before.at}) was already sent with this token; an older one does not replace it.`,
      );
    await tx.query(
      `INSERT INTO approvals (version_id, approver, status, comment, document, signature, signature_type, public_key, signer)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (version_id, approver) DO UPDATE SET status = EXCLUDED.status, comment = EXCLUDED.comment,
         document = EXCLUDED.document, signature = EXCLUDED.signature, signature_type = EXCLUDED.signature_type,
         public_key = EXCLUDED.public_key, signer = EXCLUDED.signer, created_at = NOW()`,
      [
        d.versionId,
        d.caller.username,
        d.document.status,
        d.document.comment,
        d.documentBytes,
        d.signature,
        d.signatureType,
        d.publicKey,
        JSON.stringify({ ...(recordOf(d.check) as Record<string, unknown>), approver_entry: d.approverEntry }),
      ],
    );
    const decisions = (
      await tx.query<{ document: Uint8Array }>('SELECT document FROM approvals WHERE version_id = $1', [d.versionId])
    ).rows
      .map((r) => parseApprovalDocument(r.document))
      .filter((x): x is NonNullable<typeof x> => x !== undefined)
      .sort((a, b) => a.at.localeCompare(b.at));
    const status = decisions.at(-1)?.status ?? d.document.status;
    await tx.query('UPDATE package_versions SET approval_status = $2 WHERE id = $1', [d.versionId, status]);
    const { rows } = await tx.query<{ id: string }>(
      'SELECT id FROM packages WHERE id = (SELECT package_id FROM package_versions WHERE id = $1) FOR UPDATE',
      [d.versionId],
    );
    await refreshLatest(tx, rows[0]!.id);
    await appendAudit(tx, {
      event: d.document.status === 'approved' ? 'version.approve' : 'version.reject',
      actor: d.caller.username,
      package: d.name,
      version: d.version,
      metadata: { signer: describeSigner(d.check.signer), comment: d.document.comment || null },
    });
    await untagUninstallable(tx, rows[0]!.id, d.name, d.caller.username);
    return status;
  });
}
