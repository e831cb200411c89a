import type { FastifyPluginAsync } from 'fastify';
import { appendAudit } from '../audit.ts';
import { BEARER, callerOf, requirePackageOwner, requireToken } from '../auth.ts';
import { packageName } from '../context.ts';
import { ApiFailure } from '../errors.ts';
import { errors } from '../schemas.ts';
import { requireOwner, requirePackage } from '../store/packages.ts';
import { packageView } from '../store/views.ts';
import { packageRoutes, TAG_PARAM, VERSION_PARAM } from './package-routes.ts';

/** The dist-tags a package keeps at most (npm's packages keep a handful). */
export const MAX_TAGS = 100;

/** Dist-tags (spec §3.3.7): anyone reads them, owners set and remove them; "latest" follows the highest version. */
export const tagsPlugin: FastifyPluginAsync = async (app) => {
  const { db } = app.registry;

  packageRoutes(app, {
    method: 'GET',
    path: '/tags',
    schema: {
      summary: "A package's dist-tags",
      tags: ['tags'],
      response: {
        200: {
          type: 'object',
          required: ['package', 'tags'],
          additionalProperties: false,
          properties: {
            package: { type: 'string' },
            tags: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
        ...errors(400, 404),
      },
    },
    handler: async (request) => {
      const name = packageName(request.params);
      return { package: name, tags: (await packageView(db, name)).dist_tags };
    },
  });

  packageRoutes(app, {
    method: 'PUT',
    path: '/tags/:tag',
    params: { tag: TAG_PARAM },
    config: { rateLimitKind: 'write' },
    onRequest: requireToken({ scope: 'publish' }),
    preHandler: requirePackageOwner,
    bodyLimit: 4096,
    schema: {
      summary: 'Set a dist-tag (owner)',
      tags: ['tags'],
      security: BEARER,
      body: {
        type: 'object',
        required: ['version'],
        additionalProperties: false,
        properties: { version: VERSION_PARAM },
      },
      response: {
        200: {
          type: 'object',
          required: ['package', 'tag', 'version'],
          additionalProperties: false,
          properties: { package: { type: 'string' }, tag: { type: 'string' }, version: { type: 'string' } },
        },
        ...errors(400, 401, 403, 404, 409),
      },
    },
    handler: async (request) => {
      const name = packageName(request.params);
      const { tag } = request.params as { tag: string };
      const { version } = request.body as { version: string };
      const caller = callerOf(request);
      return db.transaction(async (tx) => {
        const pkg = await requirePackage(tx, name, true);
        await requireOwner(tx, caller, pkg, name);
        const exists = await tx.query<{ approval_status: string; yanked: boolean }>(
          'SELECT approval_status, yanked FROM package_versions WHERE package_id = $1 AND version = $2',
          [pkg.id, version],
        );
        if (exists.rows.length === 0)
          throw new ApiFailure(404, 'version_not_found', `Version ${version} of ${name} does not exist`);
        // A tag is how a range or "latest" finds a version: a version waiting for approval gets none.
        const status = exists.rows[0]!.approval_status;
        if (status !== 'approved')
          throw new ApiFailure(
            409,
            'conflict',
            `${name}@${version} is ${status === 'pending' ? 'waiting for approval' : 'rejected'}: it cannot be tagged.`,
          );
        // Yanked versions are left out of resolution (spec §3.3.6): a tag must not lead back to one.
        if (exists.rows[0]!.yanked)
          throw new ApiFailure(
            409,
            'conflict',
            `${name}@${version} is yanked: it cannot be tagged. Tag another version.`,
          );
        const tags = await tx.query<{ tag: string; version: string }>(
          'SELECT tag, version FROM dist_tags WHERE package_id = $1',
          [pkg.id],
        );
        const was = tags.rows.find((row) => row.tag === tag);
        // Every change is an audit-log entry that every client checking the log reads: none for no change.
        if (was?.version === version) return { package: name, tag, version };
        if (!was && tags.rows.length >= MAX_TAGS)
          throw new ApiFailure(
            409,
            'conflict',
            `${name} has ${MAX_TAGS} dist-tags, as many as a package keeps: remove one first (DELETE …/tags/TAG).`,
          );
        await tx.query(
          `INSERT INTO dist_tags (package_id, tag, version) VALUES ($1, $2, $3)
           ON CONFLICT (package_id, tag) DO UPDATE SET version = EXCLUDED.version, updated_at = NOW()`,
          [pkg.id, tag, version],
        );
        await appendAudit(tx, { event: 'tag.set', actor: caller.username, package: name, version, metadata: { tag } });
        return { package: name, tag, version };
      });
    },
  });

  packageRoutes(app, {
    method: 'DELETE',
    path: '/tags/:tag',
    params: { tag: TAG_PARAM },
    config: { rateLimitKind: 'write' },
    onRequest: requireToken({ scope: 'publish' }),
    preValidation: async (request) => {
      if ((request.params as { tag: string }).tag === 'latest')
        throw new ApiFailure(400, 'bad_request', 'The "latest" tag follows the highest version; it is not removed.');
    },
    preHandler: requirePackageOwner,
    schema: {
      summary: 'Remove a dist-tag (owner)',
      tags: ['tags'],
      security: BEARER,
      response: { 204: { type: 'null', description: 'Removed (or was not there).' }, ...errors(400, 401, 403, 404) },
    },
    handler: async (request, reply) => {
      const name = packageName(request.params);
      const { tag } = request.params as { tag: string };
      const caller = callerOf(request);
      await db.transaction(async (tx) => {
        const pkg = await requirePackage(tx, name, true);
        await requireOwner(tx, caller, pkg, name);
        const removed = await tx.query<{ version: string }>(
          'DELETE FROM dist_tags WHERE package_id = $1 AND tag = $2 RETURNING version',
          [pkg.id, tag],
        );
        if (removed.rows[0])
          await appendAudit(tx, {
            event: 'tag.remove',
            actor: caller.username,
            package: name,
            version: removed.rows[0].version,
            metadata: { tag },
          });
      });
      return reply.code(204).send();
    },
  });
};
