import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { messageOf } from '../../core/errors.ts';
import { API_PREFIX } from '../../core/registry/http-api.ts';
import { registryKeyOf } from '../../core/registry/attestation.ts';
import { ApiFailure } from '../errors.ts';
import { errors, ref } from '../schemas.ts';
import { registrySettings } from '../store/packages.ts';
import { createToken, SCOPES, tokenHash } from '../tokens.ts';

/** The registry itself: its settings, its public key, and the operator's token route. */
export const registryPlugin: FastifyPluginAsync = async (app) => {
  const { db } = app.registry;

  app.get(
    '/.well-known/aam-registry.json',
    {
      schema: {
        summary: "The registry's name and the public key of its attestations and audit-log heads",
        tags: ['registry'],
        response: {
          200: {
            type: 'object',
            required: ['name', 'key_id', 'public_key', 'algorithm'],
            additionalProperties: false,
            properties: {
              name: { type: 'string' },
              key_id: { type: 'string' },
              public_key: { type: 'string', description: 'PEM SubjectPublicKeyInfo' },
              algorithm: { const: 'ecdsa-p256-sha256' },
            },
          },
        },
      },
    },
    async () => ({ name: (await registrySettings(db)).name, ...registryKeyOf(app.registry.key) }),
  );

  app.get(
    `${API_PREFIX}/registry`,
    {
      schema: {
        summary: 'How the registry describes itself',
        tags: ['registry'],
        response: {
          200: {
            type: 'object',
            required: ['name', 'require_signatures', 'api_version', 'publish_policy', 'registration'],
            additionalProperties: false,
            properties: {
              name: { type: 'string' },
              require_signatures: { type: 'boolean' },
              api_version: { const: 1 },
              publish_policy: {
                type: 'object',
                required: ['require_approval', 'approvers'],
                additionalProperties: false,
                properties: {
                  require_approval: { type: 'boolean' },
                  approvers: { type: 'array', items: { type: 'string' } },
                },
              },
              registration: { type: 'boolean', description: 'Whether anyone may register an account.' },
            },
          },
        },
      },
    },
    async () => {
      const settings = await registrySettings(db);
      return {
        name: settings.name,
        require_signatures: settings.requireSignatures,
        api_version: 1,
        publish_policy: { require_approval: settings.requireApproval, approvers: settings.approvers },
        registration: settings.registration,
      };
    },
  );

  // A token made by the host's operator (who can read the data folder's admin key), for `registry token create`.
  app.post(
    `${API_PREFIX}/admin/tokens`,
    {
      onRequest: async (request) => {
        const key = request.headers['x-aam-admin-key'];
        const expected = app.registry.adminKeyHash;
        if (
          !expected ||
          typeof key !== 'string' ||
          !timingSafeEqual(Buffer.from(tokenHash(key)), Buffer.from(expected))
        )
          throw new ApiFailure(403, 'forbidden', 'Only the registry host can create tokens this way.');
      },
      bodyLimit: 8 * 1024,
      schema: {
        summary: "The operator's token route (registry token create, while an embedded database is served)",
        tags: ['registry'],
        body: {
          type: 'object',
          required: ['user'],
          additionalProperties: false,
          properties: {
            user: ref('Username'),
            scopes: { type: 'array', uniqueItems: true, items: { enum: SCOPES } },
            name: { type: 'string', pattern: '^[\\x20-\\x7e]{1,64}$' },
          },
        },
        response: {
          201: {
            type: 'object',
            required: ['token', 'user', 'scopes'],
            additionalProperties: false,
            properties: {
              token: { type: 'string' },
              user: { type: 'string' },
              scopes: { type: 'array', items: { type: 'string' } },
            },
          },
          ...errors(400, 403),
        },
      },
    },
    async (request, reply) => {
      const body = request.body as { user: string; scopes?: string[]; name?: string };
      try {
        return reply
          .code(201)
          .send(await createToken(db, { user: body.user, scopes: body.scopes ?? [], name: body.name }));
      } catch (error) {
        throw new ApiFailure(400, 'bad_request', messageOf(error));
      }
    },
  );
};
