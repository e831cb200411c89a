import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { sha256Hex } from '../../core/archive/hash.ts';
import { MAX_ARCHIVE_BYTES } from '../../core/archive/limits.ts';
import { READ_LIMITS } from '../../core/fs/safe-read.ts';
import { API_PREFIX } from '../../core/registry/http-api.ts';
import { BEARER, callerOf, requireToken } from '../auth.ts';
import { ApiFailure } from '../errors.ts';
import { refuseNewName } from '../name-policy.ts';
import { limitsOf, multipartLimits, partNames, PUBLISH_PARTS, readMultipart } from '../multipart-parts.ts';
import { checkSignature, takeField, manifestOf } from '../publish-checks.ts';
import type { Upload } from '../publish-checks.ts';
import { errors, versionProperties, versionRequired } from '../schemas.ts';
import type { RegistrySettings } from '../store/packages.ts';
import { refusePublish, storePublish } from '../store/publish.ts';
import { publishedView } from '../store/views.ts';

/** The parts a publish may have, each at most this large (declared once, with the OpenAPI body: multipart-parts.ts). */
const FILES = limitsOf(PUBLISH_PARTS, 'file');
const FIELDS = limitsOf(PUBLISH_PARTS, 'field');
/** What the reader below takes, by name (test/server/openapi.test.ts holds the OpenAPI body to it). */
export const PUBLISH_READER = { files: FILES, fields: FIELDS };
export const MAX_BODY = MAX_ARCHIVE_BYTES + READ_LIMITS.signature + 256 * 1024 + 64 * 1024;

/**
 * A publish (spec §3.3.5): the archive and its signature in one multipart
 * request. In order, and nothing written until the last step: the token and
 * its scope (before the body is read), the parts (each named once, each
 * within its limit), the archive and its manifest, the caller's right to
 * this name and version (a new name: reserved, in someone else's scope, or
 * like a popular package's, §9.4), the signature over exactly these bytes (checked
 * together, refused in that order) — then the archive is stored, and one transaction
 * stores the version and its audit entry together.
 */
export const publishPlugin: FastifyPluginAsync = async (app) => {
  await app.register(multipart, { limits: multipartLimits(PUBLISH_PARTS) });

  app.post(
    `${API_PREFIX}/packages`,
    {
      onRequest: requireToken({ scope: 'publish' }),
      config: { rateLimitKind: 'publish', multipart: PUBLISH_PARTS },
      preValidation: async (request) => {
        const declared = Number(request.headers['content-length'] ?? NaN);
        if (declared > MAX_BODY)
          throw new ApiFailure(
            413,
            'too_large',
            `The upload is ${declared} bytes; an archive may be ${MAX_ARCHIVE_BYTES} bytes.`,
          );
        if (!request.isMultipart()) throw new ApiFailure(400, 'bad_request', 'The body must be multipart/form-data.');
      },
      schema: {
        summary: `Publish a version (multipart/form-data: ${partNames(PUBLISH_PARTS)})`,
        tags: ['packages'],
        security: BEARER,
        consumes: ['multipart/form-data'],
        response: {
          201: {
            type: 'object',
            required: ['name', ...versionRequired, 'signature', 'url'],
            additionalProperties: false,
            properties: {
              name: { type: 'string' },
              ...versionProperties,
              signature: {
                type: ['object', 'null'],
                required: ['type', 'identity', 'verified'],
                additionalProperties: false,
                properties: {
                  type: { enum: ['sigstore', 'gpg'] },
                  identity: { type: ['string', 'null'] },
                  verified: { type: 'boolean' },
                },
              },
              url: { type: 'string' },
            },
          },
          ...errors(400, 401, 403, 409, 413),
        },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const upload = await readMultipart(request, readParts);
      const manifest = await manifestOf(upload.archive);
      // Independent checks, at once (each a round trip or a signature check); a refusal is still
      // reported in this order, whichever finished first.
      const checks = await Promise.allSettled([
        (async () => {
          // The package's checks and the registry's settings (one round trip); a new name's checks, only for a new name.
          const { exists, settings } = await refusePublish(app.registry.db, caller, manifest);
          if (!exists)
            await refuseNewName(app.registry.db, caller, manifest.name, upload.confirmName ? [upload.confirmName] : []);
          return settings;
        })(),
        checkSignature(app.registry.sigstoreRoot, upload),
      ]);
      for (const check of checks) if (check.status === 'rejected') throw check.reason;
      const [settings, signed] = checks.map((c) => (c as PromiseFulfilledResult<unknown>).value) as [
        RegistrySettings,
        Awaited<ReturnType<typeof checkSignature>>,
      ];
      if (!signed && settings.requireSignatures)
        throw new ApiFailure(
          400,
          'signature_required',
          `Registry "${settings.name}" requires a signature: publish with Sigstore or GPG signing.`,
        );
      const row = await storePublish(app.registry, settings, caller, manifest, upload.archive, signed, (err) =>
        request.log.warn({ err }, 'a batch of publishes failed: they are stored one by one'),
      );
      request.log.info(
        { package: manifest.name, version: manifest.version, user: caller.username, signature: signed?.type },
        'published',
      );
      return reply.code(201).send(
        publishedView(
          manifest.name,
          row,
          signed && {
            type: signed.type,
            sha256: sha256Hex(signed.bytes),
            size: signed.bytes.length,
            record: signed.record,
          },
        ),
      );
    },
  );
};

/** Every part of the upload, read within its own limit; an unknown part, or one sent twice, is refused by name. */
async function readParts(request: FastifyRequest): Promise<Upload> {
  const files: Partial<Record<keyof typeof FILES, Buffer>> = {};
  const fields: Partial<Record<keyof typeof FIELDS, string>> = {};
  for await (const part of request.parts()) {
    const name = part.fieldname;
    if (part.type === 'file') {
      const limit = FILES[name as keyof typeof FILES];
      if (limit === undefined) throw new ApiFailure(400, 'bad_request', `The upload has an unexpected file "${name}".`);
      if (files[name as keyof typeof FILES])
        throw new ApiFailure(400, 'bad_request', `The file "${name}" was sent twice.`);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of part.file as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > limit) throw new ApiFailure(413, 'too_large', `"${name}" is larger than ${limit} bytes.`);
        chunks.push(chunk);
      }
      if (part.file.truncated) throw new ApiFailure(413, 'too_large', `"${name}" is larger than ${limit} bytes.`);
      files[name as keyof typeof FILES] = Buffer.concat(chunks);
    } else {
      takeField(FIELDS, fields, name, part);
    }
  }
  if (!files.archive) throw new ApiFailure(400, 'invalid_archive', 'The request has no "archive" file.');
  return {
    archive: files.archive,
    ...(files.signature ? { signature: files.signature } : {}),
    ...(fields.signature_type !== undefined ? { signatureType: fields.signature_type } : {}),
    ...(fields.public_key !== undefined ? { publicKey: fields.public_key } : {}),
    ...(fields.confirm_name !== undefined ? { confirmName: fields.confirm_name } : {}),
  };
}
