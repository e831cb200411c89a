import { versionPath } from '../../core/registry/http-api.ts';
import type { ApiSignature } from '../../core/registry/http-api.ts';
import { MAX_SIGNATURES, signatureFileName } from '../../core/registry/layout.ts';
import { MAX_DELEGATION_FILES } from '../../core/registry/local-signatures.ts';
import { appendAudit } from '../audit.ts';
import type { Database, Queryable } from '../db.ts';
import { isUniqueViolation } from '../db.ts';
import { ApiFailure } from '../errors.ts';
import type { SignedUpload } from '../publish-checks.ts';
import type { Caller } from '../tokens.ts';

/**
 * What the registry keeps for several signers (issue #23): a version's
 * further signatures (the n-th of a kind at `position` n; the first is the
 * one a publish stored, at the spec's path), and the signed delegations and
 * revocations, each named by its document's digest.
 */

/** A stored signature as the API lists it: the first of its kind at the spec's path, further ones by digest. */
export function apiSignatureOf(
  name: string,
  version: string,
  s: { type: 'sigstore' | 'gpg'; position?: number; sha256: string; size: number; record: Record<string, unknown> },
): ApiSignature {
  const text = (key: string) => (typeof s.record[key] === 'string' ? (s.record[key] as string) : null);
  const tlog = s.record.transparency_log as { log_index?: unknown; url?: unknown } | undefined;
  const position = Number(s.position ?? 1);
  return {
    type: s.type,
    identity: text('identity'),
    issuer: text('issuer'),
    fingerprint: text('fingerprint'),
    transparency_log:
      tlog && typeof tlog.log_index === 'string'
        ? { log_index: tlog.log_index, url: typeof tlog.url === 'string' ? tlog.url : null }
        : null,
    signed_at: text('signed_at'),
    verified: true,
    sha256: s.sha256.trim(),
    size: Number(s.size),
    url:
      position === 1
        ? `${versionPath(name, version)}/signature/${s.type}`
        : `${versionPath(name, version)}/signatures/${s.sha256.trim()}`,
    file: signatureFileName(version, s.type, position),
  };
}

/**
 * Adds a verified signature to a published version, at the next position of
 * its kind, with its audit event; the version row is locked so two added at
 * once get distinct positions. The same signature twice is a 409.
 */
export async function storeVersionSignature(
  db: Database,
  caller: Caller,
  target: { id: string; name: string; version: string },
  signed: SignedUpload & { sha256: string },
): Promise<number> {
  const { name, version } = target;
  try {
    return await db.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM package_versions WHERE id = $1 FOR UPDATE', [target.id]);
      const { rows } = await tx.query<{ type: string; position: number; added_by: string | null }>(
        'SELECT type, position, added_by FROM version_signatures WHERE version_id = $1',
        [target.id],
      );
      // Only those with a reason co-sign (cosigners.ts); still, one account may not take every slot from the others.
      if (rows.filter((r) => r.added_by === caller.userId).length >= COSIGNATURES_PER_ACCOUNT)
        throw new ApiFailure(
          403,
          'cosign_quota',
          `${caller.username} has added ${COSIGNATURES_PER_ACCOUNT} signatures to ${name}@${version}, the most one account may.`,
        );
      if (rows.length >= MAX_SIGNATURES)
        throw new ApiFailure(
          409,
          'too_many_signatures',
          `${name}@${version} already carries ${MAX_SIGNATURES} signatures, the most a version carries (clients read no more): ask its owners to publish a new version signed by those it needs.`,
        );
      const next = Math.max(0, ...rows.filter((r) => r.type === signed.type).map((r) => Number(r.position))) + 1;
      await tx.query(
        `INSERT INTO version_signatures (version_id, type, bytes, sha256, record, public_key, position, added_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          target.id,
          signed.type,
          signed.bytes,
          signed.sha256,
          JSON.stringify(signed.record),
          signed.publicKey ?? null,
          next,
          caller.userId,
        ],
      );
      await appendAudit(tx, {
        event: 'signature.add',
        actor: caller.username,
        package: name,
        version,
        metadata: { signature: signed.type, sha256: `sha256:${signed.sha256}`, signer: signerText(signed.record) },
      });
      return next;
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ApiFailure(409, 'signature_exists', `${name}@${version} already carries this signature.`);
    throw error;
  }
}

/** Who signed, for the audit log: an OpenPGP key's fingerprint (its User ID is only what the key claims), else the identity. */
function signerText(record: Record<string, unknown>): string | null {
  return typeof record.fingerprint === 'string'
    ? record.fingerprint
    : typeof record.identity === 'string'
      ? record.identity
      : null;
}

/** One signature's bytes, by its SHA-256. */
export async function signatureBytes(
  db: Queryable,
  versionId: string,
  sha256: string,
): Promise<{ type: 'sigstore' | 'gpg'; bytes: Buffer } | undefined> {
  const { rows } = await db.query<{ type: 'sigstore' | 'gpg'; bytes: Uint8Array }>(
    'SELECT type, bytes FROM version_signatures WHERE version_id = $1 AND sha256 = $2',
    [versionId, sha256],
  );
  return rows[0] ? { type: rows[0].type, bytes: Buffer.from(rows[0].bytes) } : undefined;
}

export async function listDelegations(db: Queryable): Promise<{ delegations: { name: string; file: string }[] }> {
  const { rows } = await db.query<{ name: string; file: Uint8Array }>(
    'SELECT name, file FROM delegations ORDER BY name LIMIT $1',
    // One more than clients read: a client that gets more knows some are missing, and trusts none.
    [MAX_DELEGATION_FILES + 1],
  );
  return { delegations: rows.map((r) => ({ name: r.name.trim(), file: Buffer.from(r.file).toString('base64') })) };
}

/** Signatures one account may add to a version (of the MAX_SIGNATURES it carries): a co-signer signs once or twice. */
export const COSIGNATURES_PER_ACCOUNT = 2;

/** Delegations and revocations one account may store: anyone with a publish token can add them. */
export const DELEGATIONS_PER_ACCOUNT = 32;
/** Delegations the registry keeps, at most: half of what clients read, the rest left for their revocations. */
export const MAX_STORED_DELEGATIONS = MAX_DELEGATION_FILES / 2;
/**
 * One delegation or revocation file, at most: a document, its signature and an OpenPGP signer's key
 * (a Sigstore bundle is 5–10 KB, a public key a few). All of them, MAX_DELEGATION_FILES at this size,
 * in base64, stay under what a client reads of the listing (8 MiB): one account's large files, as
 * revocations with a long reason, must not make every client's read of the delegations fail.
 */
export const MAX_DELEGATION_FILE_BYTES = 24 * 1024;

/**
 * Stores a signed delegation or revocation once (the same file again changes
 * nothing), with its audit event. Clients read at most MAX_DELEGATION_FILES
 * and trust no delegation from a registry holding more, so what one account
 * may add is bounded, delegations leave room for revocations, and a
 * revocation must revoke a delegation kept here.
 */
export async function storeDelegation(
  db: Database,
  caller: Caller,
  file: { name: string; bytes: Buffer },
  parsed: {
    kind: 'delegation' | 'revocation';
    pattern?: string | undefined;
    revokes?: string | undefined;
    byDelegator?: boolean;
  },
): Promise<void> {
  await db.transaction(async (tx) => {
    // One writer at a time: the counts below hold until the commit.
    await tx.query('LOCK TABLE delegations IN SHARE ROW EXCLUSIVE MODE');
    const held = await tx.query('SELECT 1 FROM delegations WHERE name = $1', [file.name]);
    if (held.rows.length > 0) return;
    const counts = await tx.query<{
      mine: number | string;
      delegations: number | string;
      files: number | string;
      revoked: boolean;
      revokedBy: string | null;
      reserved: number | string;
    }>(
      `SELECT (SELECT count(*) FROM delegations WHERE added_by = $1) AS mine,
              (SELECT count(*) FROM delegations WHERE kind = 'delegation') AS delegations,
              (SELECT count(*) FROM delegations) AS files,
              EXISTS (SELECT 1 FROM delegations WHERE kind = 'delegation' AND name = $2) AS revoked,
              (SELECT name FROM delegations WHERE revokes = $3 AND by_delegator LIMIT 1) AS "revokedBy",
              (SELECT count(*) FROM delegations d WHERE d.kind = 'delegation' AND NOT EXISTS (
                 SELECT 1 FROM delegations r WHERE r.by_delegator AND r.revokes = 'sha256:' || left(d.name, 64)
               )) AS reserved`,
      [caller.userId, `${(parsed.revokes ?? '').replace(/^sha256:/, '')}.json`, parsed.revokes ?? ''],
    );
    const { mine, delegations, files, revoked, revokedBy, reserved } = counts.rows[0]!;
    // Room kept for each delegation's own signer to revoke it: no one else's files may take it.
    const room = MAX_DELEGATION_FILES - Number(files) - Number(reserved);
    if (Number(mine) >= DELEGATIONS_PER_ACCOUNT)
      throw new ApiFailure(
        403,
        'delegation_quota',
        `${caller.username} has stored ${DELEGATIONS_PER_ACCOUNT} delegations and revocations, the most one account may.`,
      );
    if (parsed.kind === 'revocation' && !revoked)
      throw new ApiFailure(
        400,
        'invalid_delegation',
        `It revokes ${parsed.revokes}, a delegation this registry does not keep.`,
      );
    // One revocation by a delegation's own signer (checked by the route): the room kept for it.
    if (parsed.kind === 'revocation' && parsed.byDelegator && revokedBy)
      throw new ApiFailure(
        409,
        'already_revoked',
        `${parsed.revokes} is already revoked here by its signer, in ${revokedBy.trim().slice(0, 12)}; nothing was stored.`,
      );
    if (parsed.kind === 'revocation' && !parsed.byDelegator && room < 1)
      throw new ApiFailure(
        409,
        'delegations_full',
        `The registry keeps room for each delegation's own signer to revoke it, and has none left for revocations by others; its operator can remove delegations nobody uses.`,
      );
    if (parsed.kind === 'delegation' && room < 2)
      throw new ApiFailure(
        409,
        'delegations_full',
        `The registry has no room left for a delegation and its revocation; its operator can remove delegations nobody uses.`,
      );
    if (parsed.kind === 'delegation' && Number(delegations) >= MAX_STORED_DELEGATIONS)
      throw new ApiFailure(
        409,
        'delegations_full',
        `The registry keeps ${MAX_STORED_DELEGATIONS} delegations, the most it stores (clients read at most ${MAX_DELEGATION_FILES} delegation files); its operator can remove those nobody uses.`,
      );
    // Revocations too: a client that is served more files than it reads trusts no delegation of the registry.
    if (Number(files) >= MAX_DELEGATION_FILES)
      throw new ApiFailure(
        409,
        'delegations_full',
        `The registry keeps ${MAX_DELEGATION_FILES} delegation and revocation files, the most clients read; its operator can remove delegations nobody uses.`,
      );
    const inserted = await tx.query(
      'INSERT INTO delegations (name, file, kind, added_by, revokes, by_delegator) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING RETURNING name',
      [file.name, file.bytes, parsed.kind, caller.userId, parsed.revokes ?? null, parsed.byDelegator === true],
    );
    if (inserted.rows.length === 0) return;
    await appendAudit(tx, {
      event: 'delegation.add',
      actor: caller.username,
      package: parsed.pattern ?? '*',
      metadata: {
        kind: parsed.kind,
        id: `sha256:${file.name.replace(/\.json$/, '')}`,
        ...(parsed.revokes ? { revokes: parsed.revokes } : {}),
      },
    });
  });
}

/**
 * Removes a delegation the registry keeps (its operator's way to make room).
 * A revocation by the delegation's own signer is never removed (a client
 * that captured the delegation at install would trust it again); one by
 * anyone else, or one whose signature does not verify (stored before the
 * registry checked them), its operator may remove (delegation-checks.ts). Clients that captured the delegation keep it.
 */
export async function removeDelegation(
  db: Database,
  caller: Caller,
  name: string,
  removable: (tx: Queryable, file: { name: string; bytes: Buffer }, byDelegator: boolean) => Promise<boolean>,
): Promise<void> {
  await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ kind: string; file: Buffer; by_delegator: boolean }>(
      'SELECT kind, file, by_delegator FROM delegations WHERE name = $1 FOR UPDATE',
      [name],
    );
    if (!rows[0]) throw new ApiFailure(404, 'not_found', `The registry keeps no delegation ${name.slice(0, 12)}.`);
    if (
      rows[0].kind !== 'delegation' &&
      !(await removable(tx, { name, bytes: Buffer.from(rows[0].file) }, rows[0].by_delegator))
    )
      throw new ApiFailure(
        409,
        'revocation_kept',
        `${name.slice(0, 12)} is a revocation: revocations are kept, as removing one would let a client that keeps the delegation trust it again.`,
      );
    await tx.query('DELETE FROM delegations WHERE name = $1', [name]);
    await appendAudit(tx, {
      event: 'delegation.remove',
      actor: caller.username,
      package: '*',
      metadata: { id: `sha256:${name.replace(/\.json$/, '')}` },
    });
  });
}
