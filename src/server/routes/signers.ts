import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { sha256Hex } from '../../core/archive/hash.ts';
import { READ_LIMITS } from '../../core/fs/safe-read.ts';
import { API_PREFIX } from '../../core/registry/http-api.ts';
import { BEARER, callerOf, requireToken } from '../auth.ts';
import { packageName } from '../context.ts';
import { checkedDocument, removable } from '../delegation-checks.ts';
import { ApiFailure } from '../errors.ts';
import { checkedArchive } from '../archives.ts';
import { limitsOf, multipartLimits, partNames, SIGNATURE_PARTS, readMultipart } from '../multipart-parts.ts';
import { checkSignature, takeField } from '../publish-checks.ts';
import { errors, SIGNATURE_BYTES, ref } from '../schemas.ts';
import { cosignStanding, requireNamedSigner } from '../store/cosigners.ts';
import type { CosignStanding } from '../store/cosigners.ts';
import { requirePackage, versionRow } from '../store/packages.ts';
import {
  apiSignatureOf,
  listDelegations,
  signatureBytes,
  removeDelegation,
  MAX_DELEGATION_FILE_BYTES,
  storeDelegation,
  storeVersionSignature,
} from '../store/signers.ts';
import { packageRoutes, VERSION_PARAM } from './package-routes.ts';

/** The fields a co-signature may have, each at most this large (declared once, with the OpenAPI body: multipart-parts.ts). */
const FIELDS = limitsOf(SIGNATURE_PARTS, 'field');
const FILES = limitsOf(SIGNATURE_PARTS, 'file');
/** What the reader below takes, by name (test/server/openapi.test.ts holds the OpenAPI body to it). */
export const SIGNATURE_READER = { files: FILES, fields: FIELDS };

/** Each co-signing request's standing, from its preHandler to its handler. */
const standings = new WeakMap<FastifyRequest, CosignStanding>();

const DELEGATION_FILE = { type: 'string', pattern: '^[0-9a-f]{64}\\.json$' } as const;

/**
 * Several signers (issue #23), extensions of the spec:
 *
 *   POST /api/v1/packages/{name}/{version}/signatures            add a signature to a published version
 *   GET  /api/v1/packages/{name}/{version}/signatures/{sha256}   one signature's bytes
 *   GET  /api/v1/delegations                                     every signed delegation and revocation
 *   POST /api/v1/delegations                                     store one ({name, file}, base64)
 *   DELETE /api/v1/delegations/{name}                            remove a delegation (operator; revocations stay)
 *
 * A signature is stored only when it verifies over the archive as stored
 * (the check a publish makes), and only from those with a reason to add one
 * (store/cosigners.ts): the package's owners and scope members, and signers
 * its owners delegated it to or the registry's approvers — a stranger's
 * account, which anyone can make, adds nothing. A delegation is stored once
 * it reads as a signed delegation or revocation named by its document's
 * digest; whether it trusts anyone is for each client's policy. Both are
 * audit-log events.
 */
export const signersPlugin: FastifyPluginAsync = async (app) => {
  const { db, blobs, sigstoreRoot } = app.registry;
  await app.register(multipart, { limits: multipartLimits(SIGNATURE_PARTS) });
  const versionParams = { version: VERSION_PARAM };

  packageRoutes(app, {
    method: 'POST',
    path: '/:version/signatures',
    params: versionParams,
    onRequest: requireToken({ scope: 'publish' }),
    config: { rateLimitKind: 'publish', multipart: SIGNATURE_PARTS },
    preValidation: async (request) => {
      if (!request.isMultipart()) throw new ApiFailure(400, 'bad_request', 'The body must be multipart/form-data.');
    },
    // Who may co-sign, before the upload is read: an owner or member, or maybe a delegated signer or approver.
    preHandler: async (request) => {
      const name = packageName(request.params);
      const pkg = await requirePackage(db, name);
      standings.set(request, await cosignStanding(db, callerOf(request), pkg, name));
    },
    schema: {
      summary: `Add a signature to a published version, as its owner, a member of its scope, or a signer its owners delegated it to (multipart/form-data: ${partNames(SIGNATURE_PARTS)})`,
      tags: ['versions'],
      security: BEARER,
      consumes: ['multipart/form-data'],
      response: { 201: ref('Signature'), ...errors(400, 401, 403, 404, 409, 413, 500) },
    },
    handler: async (request, reply) => {
      const name = packageName(request.params);
      const { version } = request.params as { version: string };
      const caller = callerOf(request);
      const { pkg, row } = await versionRow(db, name, version);
      const upload = await readMultipart(request, readSignatureParts);
      const archive = await checkedArchive(blobs, {
        name,
        version,
        key: row.archive_key.trim(),
        checksum: row.checksum_sha256.trim(),
      });
      const signed = await checkSignature(sigstoreRoot, { archive, ...upload });
      if (!signed) throw new ApiFailure(400, 'bad_request', 'The request has no "signature" file.');
      // Fail closed: a request that skipped the preHandler has no standing by account.
      const standing = standings.get(request) ?? { by: 'signer', delegates: [], approvers: [] };
      await requireNamedSigner(db, sigstoreRoot, { caller, pkg, name, archive }, standing, signed);
      const sha256 = sha256Hex(signed.bytes);
      const position = await storeVersionSignature(db, caller, { id: row.id, name, version }, { ...signed, sha256 });
      return reply.code(201).send(
        apiSignatureOf(name, version, {
          type: signed.type,
          position,
          sha256,
          size: signed.bytes.length,
          record: signed.record,
        }),
      );
    },
  });

  packageRoutes(app, {
    method: 'GET',
    path: '/:version/signatures/:sha256',
    params: { ...versionParams, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
    schema: {
      summary: "One of a version's signatures, by its SHA-256 (an extension of the spec)",
      tags: ['versions'],
      response: {
        200: SIGNATURE_BYTES,
        ...errors(400, 404),
      },
    },
    handler: async (request, reply) => {
      const name = packageName(request.params);
      const { version, sha256 } = request.params as { version: string; sha256: string };
      const { row } = await versionRow(db, name, version);
      const found = await signatureBytes(db, row.id, sha256);
      if (!found) throw new ApiFailure(404, 'signature_not_found', `${name}@${version} has no signature ${sha256}.`);
      return reply
        .type(found.type === 'sigstore' ? 'application/json' : 'application/pgp-signature')
        .header('x-checksum-sha256', sha256)
        .send(found.bytes);
    },
  });

  app.get(
    `${API_PREFIX}/delegations`,
    {
      schema: {
        summary: 'Every signed delegation and revocation the registry keeps (an extension of the spec)',
        tags: ['delegations'],
        response: {
          200: {
            type: 'object',
            required: ['delegations'],
            additionalProperties: false,
            properties: {
              delegations: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['name', 'file'],
                  additionalProperties: false,
                  properties: { name: DELEGATION_FILE, file: { type: 'string', description: 'base64' } },
                },
              },
            },
          },
        },
      },
    },
    async () => listDelegations(db),
  );

  app.post(
    `${API_PREFIX}/delegations`,
    {
      config: { rateLimitKind: 'write' },
      onRequest: requireToken({ scope: 'publish' }),
      bodyLimit: 64 * 1024,
      schema: {
        summary: 'Store a signed delegation or revocation (an extension of the spec)',
        tags: ['delegations'],
        security: BEARER,
        body: {
          type: 'object',
          required: ['name', 'file'],
          additionalProperties: false,
          properties: {
            name: DELEGATION_FILE,
            // Base64 of MAX_DELEGATION_FILE_BYTES.
            file: { type: 'string', maxLength: Math.ceil(MAX_DELEGATION_FILE_BYTES / 3) * 4 },
          },
        },
        response: {
          201: {
            type: 'object',
            required: ['name', 'kind'],
            additionalProperties: false,
            properties: { name: DELEGATION_FILE, kind: { enum: ['delegation', 'revocation'] } },
          },
          ...errors(400, 401, 403, 409, 413),
        },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { name, file } = request.body as { name: string; file: string };
      const bytes = Buffer.from(file, 'base64');
      const checked = await checkedDocument(db, sigstoreRoot, { name, bytes });
      await storeDelegation(db, caller, { name, bytes }, checked);
      return reply.code(201).send({ name, kind: checked.kind });
    },
  );

  app.delete(
    `${API_PREFIX}/delegations/:name`,
    {
      config: { rateLimitKind: 'write' },
      onRequest: requireToken({ scope: 'operator' }),
      schema: {
        summary:
          "Remove a delegation, or a revocation not by its delegation's signer (the operator's way to make room)",
        tags: ['delegations'],
        security: BEARER,
        params: { type: 'object', required: ['name'], properties: { name: DELEGATION_FILE } },
        response: { 204: { type: 'null' }, ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await removeDelegation(
        db,
        callerOf(request),
        (request.params as { name: string }).name,
        (tx, file, byDelegator) => removable(tx, sigstoreRoot, file, byDelegator),
      );
      return reply.code(204).send();
    },
  );
};

/** The signature and its fields, each within its limit; an unknown part, or one sent twice, is refused by name. */
type SignatureUpload = { signature?: Buffer; signatureType?: string; publicKey?: string };

async function readSignatureParts(request: FastifyRequest): Promise<SignatureUpload> {
  let signature: Buffer | undefined;
  const fields: Partial<Record<keyof typeof FIELDS, string>> = {};
  for await (const part of request.parts()) {
    const name = part.fieldname;
    if (part.type === 'file') {
      if (!(name in FILES)) throw new ApiFailure(400, 'bad_request', `The upload has an unexpected file "${name}".`);
      if (signature) throw new ApiFailure(400, 'bad_request', `The file "${name}" was sent twice.`);
      const bytes = await part.toBuffer().catch(() => {
        throw new ApiFailure(413, 'too_large', `"signature" is larger than ${READ_LIMITS.signature} bytes.`);
      });
      if (part.file.truncated || bytes.length > READ_LIMITS.signature)
        throw new ApiFailure(413, 'too_large', `"signature" is larger than ${READ_LIMITS.signature} bytes.`);
      signature = bytes;
    } else {
      takeField(FIELDS, fields, name, part);
    }
  }
  return {
    ...(signature ? { signature } : {}),
    ...(fields.signature_type !== undefined ? { signatureType: fields.signature_type } : {}),
    ...(fields.public_key !== undefined ? { publicKey: fields.public_key } : {}),
  };
}
