import type { FastifyPluginAsync } from 'fastify';
import { API_PREFIX } from '../../core/registry/http-api.ts';
import { BEARER, callerOf, requireToken } from '../auth.ts';
import { ApiFailure } from '../errors.ts';
import { errors, ref, tokenProperties, tokenRequired } from '../schemas.ts';
import {
  isOperator,
  issueTokenWithin,
  listTokens,
  MAX_LIVE_API_TOKENS,
  OPERATOR,
  revokeToken,
  SCOPES,
} from '../tokens.ts';

/**
 * A user's own API tokens (spec §6.2): made with a session token (so a
 * leaked API token cannot mint more), each with scopes and an optional
 * expiry; listed without the token itself; revoked by their user — a token
 * may revoke itself (a logout). A user's token has the spec's scopes only:
 * the operator's scope is the operator's to give (`registry token create`).
 */
export const tokensPlugin: FastifyPluginAsync = async (app) => {
  const { db } = app.registry;

  app.post(
    `${API_PREFIX}/users/tokens`,
    {
      onRequest: requireToken({ kind: 'session' }),
      bodyLimit: 8 * 1024,
      schema: {
        summary: 'Create an API token (needs a session token from a login)',
        tags: ['tokens'],
        security: BEARER,
        body: {
          type: 'object',
          required: ['name', 'scopes'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', pattern: '^[\\x20-\\x7e]{1,64}$' },
            scopes: {
              type: 'array',
              minItems: 1,
              uniqueItems: true,
              items: { enum: SCOPES },
              description:
                'read, publish, yank, admin (manage the owners of your own packages and scopes); "operator" is the registry operator\'s and is refused (403).',
            },
            expires_at: {
              type: 'string',
              format: 'date-time',
              description: 'When it stops working; never, if absent.',
            },
          },
        },
        response: {
          201: {
            type: 'object',
            required: ['token', ...tokenRequired],
            additionalProperties: false,
            properties: {
              token: { type: 'string', description: 'Shown once: only its SHA-256 is kept.' },
              ...tokenProperties,
            },
          },
          ...errors(400, 401, 403, 409),
        },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const body = request.body as { name: string; scopes: string[]; expires_at?: string };
      if (body.scopes.includes(OPERATOR))
        throw new ApiFailure(
          403,
          'forbidden',
          `The "${OPERATOR}" scope (any package, reserved names, others' scopes) is the registry operator's: only "aam-trust registry token create --scope ${OPERATOR}", run with access to the registry's data folder, gives it. A user's token may have read, publish, yank and admin (managing the owners of the user's own packages).`,
          { reason: 'operator_only', scope: OPERATOR },
        );
      const expiresAt = body.expires_at === undefined ? null : new Date(body.expires_at);
      if (expiresAt && expiresAt.getTime() <= Date.now())
        throw new ApiFailure(400, 'bad_request', `body/expires_at (${body.expires_at}) is not in the future.`);
      const issued = await issueTokenWithin(
        db,
        { userId: caller.userId, kind: 'api', scopes: body.scopes, name: body.name, expiresAt },
        MAX_LIVE_API_TOKENS,
      );
      if (!issued)
        throw new ApiFailure(
          409,
          'token_limit',
          `${caller.username} holds ${MAX_LIVE_API_TOKENS} API tokens that still work, the most one account may. Revoke those no longer used (GET /api/v1/users/tokens lists them; DELETE /api/v1/users/tokens/ID revokes one), then try again.`,
          { limit: MAX_LIVE_API_TOKENS },
        );
      const { token, info } = issued;
      request.log.info({ user: caller.username, token: info.id, scopes: info.scopes }, 'token created');
      return reply.code(201).send({ token, ...info });
    },
  );

  app.get(
    `${API_PREFIX}/users/tokens`,
    {
      onRequest: requireToken(),
      schema: {
        summary: 'Your tokens that still work (never the tokens themselves)',
        tags: ['tokens'],
        security: BEARER,
        response: {
          200: {
            type: 'object',
            required: ['tokens'],
            additionalProperties: false,
            properties: { tokens: { type: 'array', items: ref('Token') } },
          },
          ...errors(401),
        },
      },
    },
    async (request) => ({ tokens: await listTokens(db, callerOf(request).userId) }),
  );

  app.delete(
    `${API_PREFIX}/users/tokens/:id`,
    {
      onRequest: requireToken(),
      schema: {
        summary: 'Revoke one of your tokens',
        tags: ['tokens'],
        security: BEARER,
        params: {
          type: 'object',
          required: ['id'],
          additionalProperties: false,
          properties: { id: { type: 'string', format: 'uuid' } },
        },
        response: { 204: { type: 'null', description: 'Revoked.' }, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const caller = callerOf(request);
      const { id } = request.params as { id: string };
      // A session (a password) or the operator revokes any; an API token itself, or one that can do no more than it.
      const free = id === caller.tokenId || caller.kind === 'session' || isOperator(caller);
      const outcome = await revokeToken(db, caller.userId, id, free ? undefined : caller.scopes);
      if (outcome === 'missing') throw new ApiFailure(404, 'token_not_found', `You have no live token ${id}.`);
      if (outcome === 'wider')
        throw new ApiFailure(
          403,
          'forbidden',
          `This token (scopes: ${[...caller.scopes].join(', ') || 'none'}) cannot revoke a token that can do more than it: log in with your password, or use a token that has those scopes.`,
        );
      request.log.info({ user: caller.username, token: id }, 'token revoked');
      return reply.code(204).send();
    },
  );
};
