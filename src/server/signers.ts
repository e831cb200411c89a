import type { IncomingMessage, ServerResponse } from 'node:http';
import { sha256Hex } from '../core/archive/hash.ts';
import { messageOf } from '../core/errors.ts';
import { READ_LIMITS } from '../core/fs/safe-read.ts';
import { versionPath } from '../core/registry/http-api.ts';
import { MAX_SIGNATURES, signatureFileName } from '../core/registry/layout.ts';
import { MAX_DELEGATION_FILES } from '../core/registry/local-signatures.ts';
import { parseDocument, readSignedDocumentFile } from '../core/signature/delegation-file.ts';
import { appendAudit } from './audit.ts';
import type { BlobStore } from './blobs.ts';
import type { Database } from './db.ts';
import { isUniqueViolation } from './db.ts';
import { readMultipart } from './multipart.ts';
import type { Upload } from './multipart.ts';
import type { Caller } from './tokens.ts';

/**
 * The registry's routes for several signers (issue #23), kept apart from
 * app.ts so they move to another server as they are:
 *
 *   POST /api/v1/packages/{name}/{version}/signatures      add a signature to a published version
 *   GET  /api/v1/packages/{name}/{version}/signatures/{sha256}   one signature's bytes
 *   GET  /api/v1/delegations                               every signed delegation and revocation
 *   POST /api/v1/delegations                               store one ({name, file}, base64)
 *
 * A signature is stored only when it verifies over the archive as stored
 * (the same check a publish makes); any token with the publish scope may
 * add one, owner or not: a co-signer is often a reviewer, and a signature
 * proves its own signer. A delegation is stored once it reads as a signed
 * delegation or revocation named by its document's digest; whether it
 * trusts anyone is for each client's policy. Both are audit-log events.
 */
export interface SignerRoutes {
  db: Database;
  blobs: BlobStore;
  caller(req: IncomingMessage, scope: string): Promise<Caller>;
  version(name: string, version: string): Promise<{ id: string; archive_key: string; checksum_sha256: string }>;
  /** The upload's signature verified over `archive` (app.ts checkSignature), or undefined without one. */
  verify(
    upload: Upload,
    archive: Buffer,
  ): Promise<
    { type: 'sigstore' | 'gpg'; bytes: Buffer; record: Record<string, unknown>; publicKey?: string } | undefined
  >;
  fail(status: number, code: string, message: string): Error;
}

export async function addVersionSignature(routes: SignerRoutes, req: IncomingMessage, name: string, version: string) {
  const caller = await routes.caller(req, 'publish');
  const row = await routes.version(name, version);
  const upload = await readMultipart(req, {
    files: { signature: READ_LIMITS.signature },
    fields: { signature_type: 16, public_key: 256 * 1024 },
  }).catch((error: unknown) => {
    throw routes.fail((error as { tooLarge?: boolean }).tooLarge ? 413 : 400, 'bad_request', messageOf(error));
  });
  const archive = await routes.blobs.get(row.archive_key.trim());
  if (!archive || sha256Hex(archive) !== row.checksum_sha256.trim())
    throw routes.fail(500, 'archive_unavailable', `The archive of ${name}@${version} is missing from the blob store.`);
  const signed = await routes.verify(upload, archive);
  if (!signed) throw routes.fail(400, 'bad_request', 'The request has no "signature" file.');
  const sha256 = sha256Hex(signed.bytes);
  try {
    const position = await routes.db.transaction(async (tx) => {
      // The version row is locked: two signatures added at once get distinct positions.
      await tx.query('SELECT 1 FROM package_versions WHERE id = $1 FOR UPDATE', [row.id]);
      const { rows } = await tx.query<{ type: string; position: number }>(
        'SELECT type, position FROM version_signatures WHERE version_id = $1',
        [row.id],
      );
      if (rows.length >= MAX_SIGNATURES)
        throw routes.fail(
          409,
          'too_many_signatures',
          `${name}@${version} already carries ${MAX_SIGNATURES} signatures.`,
        );
      const next = Math.max(0, ...rows.filter((r) => r.type === signed.type).map((r) => Number(r.position))) + 1;
      await tx.query(
        `INSERT INTO version_signatures (version_id, type, bytes, sha256, record, public_key, position, added_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          row.id,
          signed.type,
          signed.bytes,
          sha256,
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
        metadata: { signature: signed.type, sha256: `sha256:${sha256}`, signer: signerText(signed.record) },
      });
      return next;
    });
    return apiSignatureOf(name, version, {
      type: signed.type,
      position,
      sha256,
      size: signed.bytes.length,
      record: signed.record,
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw routes.fail(409, 'signature_exists', `${name}@${version} already carries this signature.`);
    throw error;
  }
}

function signerText(record: Record<string, unknown>): string | null {
  return typeof record.identity === 'string'
    ? record.identity
    : typeof record.fingerprint === 'string'
      ? record.fingerprint
      : null;
}

/** A stored signature as the API lists it: the first of its kind at the spec's path, further ones by digest. */
export function apiSignatureOf(
  name: string,
  version: string,
  s: { type: 'sigstore' | 'gpg'; position: number; sha256: string; size: number; record: Record<string, unknown> },
) {
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

export async function signatureByDigest(
  routes: SignerRoutes,
  res: ServerResponse,
  name: string,
  version: string,
  sha256: string,
): Promise<void> {
  if (!/^[0-9a-f]{64}$/.test(sha256))
    throw routes.fail(400, 'bad_request', 'A signature is named by its SHA-256 (64 hex digits).');
  const row = await routes.version(name, version);
  const { rows } = await routes.db.query<{ type: string; bytes: Uint8Array }>(
    'SELECT type, bytes FROM version_signatures WHERE version_id = $1 AND sha256 = $2',
    [row.id, sha256],
  );
  if (!rows[0]) throw routes.fail(404, 'signature_not_found', `${name}@${version} has no signature ${sha256}.`);
  const bytes = Buffer.from(rows[0].bytes);
  res.writeHead(200, {
    'content-type': rows[0].type === 'sigstore' ? 'application/json' : 'application/pgp-signature',
    'content-length': String(bytes.length),
    'x-checksum-sha256': sha256,
  });
  res.end(bytes);
}

export async function listDelegations(routes: SignerRoutes) {
  const { rows } = await routes.db.query<{ name: string; file: Uint8Array }>(
    'SELECT name, file FROM delegations ORDER BY name LIMIT $1',
    [MAX_DELEGATION_FILES],
  );
  return { delegations: rows.map((r) => ({ name: r.name.trim(), file: Buffer.from(r.file).toString('base64') })) };
}

export async function addDelegation(routes: SignerRoutes, req: IncomingMessage, body: unknown) {
  const caller = await routes.caller(req, 'publish');
  const { name, file } = (body ?? {}) as { name?: unknown; file?: unknown };
  if (typeof name !== 'string' || typeof file !== 'string')
    throw routes.fail(400, 'bad_request', 'A delegation is {name, file}: its file name and its bytes (base64).');
  const bytes = Buffer.from(file, 'base64');
  const signed = readSignedDocumentFile(name, bytes);
  if ('problem' in signed) throw routes.fail(400, 'invalid_delegation', `Not a signed delegation: ${signed.problem}.`);
  const parsed = parseDocument(signed.document);
  if (!parsed) throw routes.fail(400, 'invalid_delegation', 'Not a delegation or revocation document.');
  await routes.db.transaction(async (tx) => {
    const inserted = await tx.query(
      'INSERT INTO delegations (name, file, kind, added_by) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING RETURNING name',
      [name, bytes, parsed.kind, caller.userId],
    );
    if (inserted.rows.length === 0) return;
    await appendAudit(tx, {
      event: 'delegation.add',
      actor: caller.username,
      package: parsed.kind === 'delegation' ? parsed.document.pattern : '*',
      metadata: {
        kind: parsed.kind,
        id: `sha256:${name.replace(/\.json$/, '')}`,
        ...(parsed.kind === 'revocation' ? { revokes: parsed.document.delegation } : {}),
      },
    });
  });
  return { name, kind: parsed.kind };
}
