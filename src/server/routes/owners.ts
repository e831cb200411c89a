import type { FastifyPluginAsync } from 'fastify';
import { appendAudit } from '../audit.ts';
import { BEARER, callerOf, requirePackageOwner, requireToken } from '../auth.ts';
import { packageName } from '../context.ts';
import { ApiFailure } from '../errors.ts';
import { errors, ref } from '../schemas.ts';
import { packageOwners, requireOwner, requirePackage } from '../store/packages.ts';
import { packageRoutes } from './package-routes.ts';

const OWNERS = {
  type: 'object',
  required: ['package', 'owners'],
  additionalProperties: false,
  properties: { package: { type: 'string' }, owners: { type: 'array', items: { type: 'string' } } },
} as const;

/**
 * Who owns a package (spec §6.3: owners publish, yank and tag). Setting the
 * owners is a transfer when the caller leaves themselves out, and an audit
 * event like every change of who may publish.
 */
export const ownersPlugin: FastifyPluginAsync = async (app) => {
  const { db } = app.registry;

  packageRoutes(app, {
    method: 'GET',
    path: '/owners',
    schema: { summary: "A package's owners", tags: ['owners'], response: { 200: OWNERS, ...errors(400, 404) } },
    handler: async (request) => {
      const name = packageName(request.params);
      return { package: name, owners: await packageOwners(db, (await requirePackage(db, name)).id) };
    },
  });

  packageRoutes(app, {
    method: 'PUT',
    path: '/owners',
    config: { rateLimitKind: 'write' },
    // Spec §6.2.2: `admin` is the scope that manages package owners (§6.3: an owner adds and removes owners).
    onRequest: requireToken({ scope: 'admin' }),
    preHandler: requirePackageOwner,
    bodyLimit: 16 * 1024,
    schema: {
      summary: "Set a package's owners (an owner, with an admin-scoped token)",
      tags: ['owners'],
      security: BEARER,
      body: {
        type: 'object',
        required: ['owners'],
        additionalProperties: false,
        properties: {
          owners: { type: 'array', minItems: 1, maxItems: 100, uniqueItems: true, items: ref('Username') },
        },
      },
      response: { 200: OWNERS, ...errors(400, 401, 403, 404) },
    },
    handler: async (request) => {
      const name = packageName(request.params);
      const caller = callerOf(request);
      const next = [...(request.body as { owners: string[] }).owners].sort();
      return db.transaction(async (tx) => {
        const pkg = await requirePackage(tx, name, true);
        await requireOwner(tx, caller, pkg, name);
        const users = await tx.query<{ id: string; username: string }>(
          'SELECT id, username FROM users WHERE username = ANY($1::text[])',
          [next],
        );
        const unknown = next.filter((u) => !users.rows.some((r) => r.username === u));
        if (unknown.length > 0)
          throw new ApiFailure(404, 'user_not_found', `No user named ${unknown.join(', ')} on this registry.`);
        const before = await packageOwners(tx, pkg.id);
        if (before.join('\n') === next.join('\n')) return { package: name, owners: next };
        await tx.query('DELETE FROM package_owners WHERE package_id = $1', [pkg.id]);
        for (const user of users.rows)
          await tx.query('INSERT INTO package_owners (package_id, user_id) VALUES ($1, $2)', [pkg.id, user.id]);
        await appendAudit(tx, {
          event: 'ownership.transfer',
          actor: caller.username,
          package: name,
          version: null,
          metadata: { from: before.join(', '), to: next.join(', ') },
        });
        return { package: name, owners: next };
      });
    },
  });
};
