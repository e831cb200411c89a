import type { FastifyPluginAsync } from 'fastify';
import { API_PREFIX } from '../../core/registry/http-api.ts';
import { BEARER, callerOf, requireToken } from '../auth.ts';
import { ApiFailure } from '../errors.ts';
import { errors, ref, SCOPE_PATTERN } from '../schemas.ts';
import { scopeMembers } from '../store/scopes.ts';
import { isOperator } from '../tokens.ts';

const MEMBERS = {
  type: 'object',
  required: ['scope', 'members'],
  additionalProperties: false,
  properties: {
    scope: { type: 'string' },
    members: {
      type: 'array',
      items: {
        type: 'object',
        required: ['username', 'role'],
        additionalProperties: false,
        properties: { username: { type: 'string' }, role: { enum: ['owner', 'member'] } },
      },
    },
  },
} as const;

const SCOPE_PARAMS = {
  type: 'object',
  required: ['scope'],
  additionalProperties: false,
  properties: { scope: { type: 'string', pattern: SCOPE_PATTERN } },
} as const;

/**
 * Who a scope (`@acme/…`) belongs to (spec §9.4): its first publisher is its
 * owner; owners add and remove members, and every member may publish new
 * packages in it. An organization is a scope with several members.
 */
export const scopesPlugin: FastifyPluginAsync = async (app) => {
  const { db } = app.registry;

  app.get(
    `${API_PREFIX}/scopes/:scope`,
    {
      schema: {
        summary: "A scope's members",
        tags: ['owners'],
        params: SCOPE_PARAMS,
        response: { 200: MEMBERS, ...errors(400, 404) },
      },
    },
    async (request) => {
      const { scope } = request.params as { scope: string };
      const members = await scopeMembers(db, scope);
      if (!members) throw new ApiFailure(404, 'not_found', `No one has published in @${scope} yet.`);
      return { scope, members };
    },
  );

  app.put(
    `${API_PREFIX}/scopes/:scope/members/:username`,
    {
      // Who may publish in a scope is managed like a package's owners: with the `admin` scope (spec §6.2.2).
      onRequest: requireToken({ scope: 'admin' }),
      bodyLimit: 1024,
      schema: {
        summary: 'Add a member to a scope, or change their role (an owner of the scope, with an admin-scoped token)',
        tags: ['owners'],
        security: BEARER,
        params: {
          ...SCOPE_PARAMS,
          required: ['scope', 'username'],
          properties: { ...SCOPE_PARAMS.properties, username: ref('Username') },
        },
        body: {
          type: 'object',
          required: ['role'],
          additionalProperties: false,
          properties: { role: { enum: ['owner', 'member'] } },
        },
        response: { 200: MEMBERS, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { scope, username } = request.params as { scope: string; username: string };
      const { role } = request.body as { role: 'owner' | 'member' };
      const caller = callerOf(request);
      return db.transaction(async (tx) => {
        const members = await scopeMembers(tx, scope);
        if (!members) throw new ApiFailure(404, 'not_found', `No one has published in @${scope} yet.`);
        const isOwner = members.some((m) => m.username === caller.username && m.role === 'owner');
        if (!isOwner && !isOperator(caller))
          throw new ApiFailure(403, 'scope_forbidden', `Only an owner of @${scope} adds its members.`);
        const user = await tx.query<{ id: string }>('SELECT id FROM users WHERE username = $1', [username]);
        if (!user.rows[0]) throw new ApiFailure(404, 'user_not_found', `No user named ${username} on this registry.`);
        await tx.query(
          `INSERT INTO scope_members (scope, user_id, role) VALUES ($1, $2, $3)
           ON CONFLICT (scope, user_id) DO UPDATE SET role = EXCLUDED.role`,
          [scope, user.rows[0].id, role],
        );
        return { scope, members: (await scopeMembers(tx, scope))! };
      });
    },
  );
};
