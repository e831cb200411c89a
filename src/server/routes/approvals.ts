import type { FastifyPluginAsync } from 'fastify';
import { describeSigner } from '../../core/policy/trust-match.ts';
import { approverMatch, parseApprovalDocument } from '../../core/registry/approval.ts';
import { BEARER, callerOf, requireToken } from '../auth.ts';
import { packageName } from '../context.ts';
import { ApiFailure } from '../errors.ts';
import { checkUploadedSignature } from '../publish-checks.ts';
import { errors } from '../schemas.ts';
import { storeDecision } from '../store/approvals.ts';
import { iso, registrySettings, versionRow } from '../store/packages.ts';
import { packageRoutes, VERSION_PARAM } from './package-routes.ts';

const STATUS = { enum: ['approved', 'rejected'] } as const;
const BASE64 = { type: 'string', pattern: '^[A-Za-z0-9+/]*={0,2}$' } as const;

interface ApproveBody {
  status: 'approved' | 'rejected';
  comment?: string;
  document: string;
  signature: string;
  signature_type: 'sigstore' | 'gpg';
  public_key?: string;
}

/**
 * Approvals (spec §3.3.8), signed by the approver: the document must name
 * this registry, package, version and archive, its signature must verify, and
 * its signer must be one of publish_policy's approvers — the token only says
 * who sent it. Anyone reads them, with what proves them.
 */
export const approvalsPlugin: FastifyPluginAsync = async (app) => {
  const { db } = app.registry;

  packageRoutes(app, {
    method: 'POST',
    path: '/:version/approve',
    config: { rateLimitKind: 'write' },
    params: { version: VERSION_PARAM },
    onRequest: requireToken(),
    bodyLimit: 2 * 1024 * 1024,
    schema: {
      summary: "Approve or reject a version (signed by one of the registry's approvers)",
      tags: ['approvals'],
      security: BEARER,
      body: {
        type: 'object',
        required: ['status', 'document', 'signature', 'signature_type'],
        additionalProperties: false,
        properties: {
          status: STATUS,
          comment: { type: 'string', maxLength: 4096 },
          document: BASE64,
          signature: BASE64,
          signature_type: { enum: ['sigstore', 'gpg'] },
          public_key: { type: 'string', maxLength: 256 * 1024 },
        },
      },
      response: {
        201: {
          type: 'object',
          required: ['approver', 'status', 'comment', 'signer', 'created_at', 'approval_status'],
          additionalProperties: false,
          properties: {
            approver: { type: 'string' },
            status: STATUS,
            comment: { type: 'string' },
            signer: { type: 'string' },
            created_at: { type: 'string', format: 'date-time' },
            approval_status: { enum: ['approved', 'pending', 'rejected'] },
          },
        },
        ...errors(400, 401, 403, 404, 409),
      },
    },
    handler: async (request, reply) => {
      const name = packageName(request.params);
      const { version } = request.params as { version: string };
      const body = request.body as ApproveBody;
      const caller = callerOf(request);
      const settings = await registrySettings(db);
      const { row } = await versionRow(db, name, version);
      const documentBytes = Buffer.from(body.document, 'base64');
      const signature = Buffer.from(body.signature, 'base64');
      const document = parseApprovalDocument(documentBytes);
      if (
        !document ||
        document.registry !== settings.name ||
        document.package !== name ||
        document.version !== version ||
        document.sha256 !== row.checksum_sha256.trim() ||
        document.status !== body.status ||
        (body.comment !== undefined && body.comment !== document.comment)
      )
        throw new ApiFailure(
          400,
          'invalid_approval',
          `The approval document must name registry "${settings.name}", ${name}@${version}, its archive's SHA-256 and the same status and comment.`,
        );
      if (!(Date.parse(document.at) <= Date.now() + 5 * 60_000))
        throw new ApiFailure(400, 'invalid_approval', 'The approval is dated in the future (or not dated).');
      if (body.signature_type === 'sigstore' && body.public_key !== undefined)
        throw new ApiFailure(
          400,
          'bad_request',
          'A Sigstore bundle carries its own certificate: public_key is for GPG.',
        );
      const check = await checkUploadedSignature(
        body.signature_type,
        signature,
        documentBytes,
        body.public_key,
        app.registry.sigstoreRoot,
      );
      if (check.state !== 'valid')
        throw new ApiFailure(
          400,
          'signature_invalid',
          `The approval's signature does not verify: ${check.state === 'invalid' ? check.reason : 'no signature'}.`,
        );
      const approver = approverMatch(check.signer, settings.approvers);
      if (!approver)
        throw new ApiFailure(
          403,
          'forbidden',
          `The approval is signed by ${describeSigner(check.signer)}, who is not one of the registry's approvers.`,
          { reason: 'not_approver', signer: describeSigner(check.signer), approvers: settings.approvers },
        );
      const status = await storeDecision(db, {
        versionId: row.id,
        caller,
        name,
        version,
        document,
        documentBytes,
        signature,
        signatureType: body.signature_type,
        publicKey: body.public_key ?? null,
        check,
        approverEntry: approver,
      });
      return reply.code(201).send({
        approver: caller.username,
        status: document.status,
        comment: document.comment,
        signer: describeSigner(check.signer),
        created_at: new Date().toISOString(),
        approval_status: status,
      });
    },
  });

  packageRoutes(app, {
    method: 'GET',
    path: '/:version/approvals',
    params: { version: VERSION_PARAM },
    schema: {
      summary: "A version's approvals, with the signed documents that prove them",
      tags: ['approvals'],
      response: {
        200: {
          type: 'object',
          required: ['package', 'version', 'approval_status', 'approvals'],
          additionalProperties: false,
          properties: {
            package: { type: 'string' },
            version: { type: 'string' },
            approval_status: { enum: ['approved', 'pending', 'rejected'] },
            approvals: {
              type: 'array',
              items: {
                type: 'object',
                required: [
                  'approver',
                  'status',
                  'comment',
                  'created_at',
                  'document',
                  'signature',
                  'signature_type',
                  'public_key',
                ],
                additionalProperties: false,
                properties: {
                  approver: { type: 'string' },
                  status: STATUS,
                  comment: { type: 'string' },
                  created_at: { type: 'string', format: 'date-time' },
                  document: {
                    type: 'string',
                    description: 'The canonical approval document (base64) the signature covers.',
                  },
                  signature: { type: 'string' },
                  signature_type: { enum: ['sigstore', 'gpg'] },
                  public_key: { type: ['string', 'null'] },
                },
              },
            },
          },
        },
        ...errors(400, 404),
      },
    },
    handler: async (request) => {
      const name = packageName(request.params);
      const { version } = request.params as { version: string };
      const { row } = await versionRow(db, name, version);
      const { rows } = await db.query<{
        approver: string;
        status: 'approved' | 'rejected';
        comment: string | null;
        document: Uint8Array;
        signature: Uint8Array;
        signature_type: 'sigstore' | 'gpg';
        public_key: string | null;
        created_at: Date;
      }>('SELECT * FROM approvals WHERE version_id = $1 ORDER BY created_at', [row.id]);
      return {
        package: name,
        version,
        approval_status: row.approval_status,
        approvals: rows.map((a) => ({
          approver: a.approver,
          status: a.status,
          comment: a.comment ?? '',
          created_at: iso(a.created_at),
          document: Buffer.from(a.document).toString('base64'),
          signature: Buffer.from(a.signature).toString('base64'),
          signature_type: a.signature_type,
          public_key: a.public_key,
        })),
      };
    },
  });
};
