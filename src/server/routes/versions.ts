import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { parsePackageName } from '../../core/model/names.ts';
import { appendAudit } from '../audit.ts';
import { BEARER, callerOf, requirePackageOwner, requireToken } from '../auth.ts';
import { packageName } from '../context.ts';
import { ApiFailure } from '../errors.ts';
import { errors, SIGNATURE_BYTES, ref } from '../schemas.ts';
import { iso, refreshLatest, requireOwner, requirePackage, untagUninstallable, versionRow } from '../store/packages.ts';
import { versionView } from '../store/views.ts';
import { cachedHandler } from '../cached-reads.ts';
import { checkedArchive } from '../archives.ts';
import type { ArchiveRow } from '../archives.ts';
import { matches } from '../read-cache.ts';
import { packageRoutes, VERSION_PARAM } from './package-routes.ts';

/** A conditional request whose ETag still names the answer. */
export const NOT_MODIFIED = {
  type: 'null',
  description: 'Not modified: the ETag in If-None-Match is current.',
} as const;

/** A version's archive row, from memory while its package is unchanged. */
async function archiveRow(app: FastifyInstance, name: string, version: string): Promise<ArchiveRow> {
  const stamp = app.reads.stamp(name);
  const id = `${name}@${version}`;
  const kept = app.reads.usable ? app.archives.row(id, stamp) : undefined;
  if (kept) return kept;
  const { pkg, row } = await versionRow(app.registry.db, name, version);
  const found = {
    versionId: row.id,
    packageId: pkg.id,
    checksum: row.checksum_sha256.trim(),
    key: row.archive_key.trim(),
  };
  if (app.reads.usable) app.archives.keepRow(id, stamp, found);
  return found;
}

const binary = (type: string, description: string) => ({
  description,
  content: { [type]: { schema: { type: 'string', format: 'binary' } } },
});

/** A version: its metadata, archive, signature bytes and attestation (§3.3.3, §3.3.4), and yanking it (§3.3.6). */
export const versionsPlugin: FastifyPluginAsync = async (app) => {
  const { db, blobs } = app.registry;
  const versionParams = { version: VERSION_PARAM };

  packageRoutes(app, {
    method: 'GET',
    path: '/:version',
    params: versionParams,
    schema: {
      summary: 'Version metadata',
      tags: ['versions'],
      response: { 200: ref('VersionDetail'), 304: NOT_MODIFIED, ...errors(400, 404) },
    },
    handler: cachedHandler(async (request) =>
      versionView(db, packageName(request.params), (request.params as { version: string }).version),
    ),
  });

  packageRoutes(app, {
    method: 'GET',
    path: '/:version/download',
    params: versionParams,
    config: { rateLimitKind: 'download' },
    schema: {
      summary: 'Download the archive',
      tags: ['versions'],
      response: {
        200: binary('application/gzip', 'The .aam archive, exactly as published.'),
        304: NOT_MODIFIED,
        ...errors(400, 404, 500),
      },
    },
    handler: async (request, reply) => {
      const name = packageName(request.params);
      const { version } = request.params as { version: string };
      const row = await archiveRow(app, name, version);
      // Content-addressed: these bytes are what this URL names for ever (a version is never republished).
      const etag = `"${row.checksum}"`;
      reply
        .header('etag', etag)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('x-checksum-sha256', row.checksum);
      if (matches(request.headers['if-none-match'], etag)) return reply.code(304).send();
      let bytes = app.archives.blob(row.key);
      if (!bytes || row.key !== row.checksum) {
        bytes = await checkedArchive(blobs, { name, version, key: row.key, checksum: row.checksum });
        app.archives.keepBlob(row.key, bytes);
      }
      // Counted once the whole archive is on its way, in batches (see DownloadCounter); a HEAD is not a download.
      if (request.method === 'GET') reply.raw.once('finish', () => app.downloads.count(row.versionId, row.packageId));
      return reply
        .type('application/gzip')
        .header('content-disposition', `attachment; filename="${parsePackageName(name).name}-${version}.aam"`)
        .send(bytes);
    },
  });

  packageRoutes(app, {
    method: 'GET',
    path: '/:version/signature/:type',
    params: { ...versionParams, type: { enum: ['sigstore', 'gpg'] } },
    schema: {
      summary: "The signature's exact bytes (an extension of the spec)",
      tags: ['versions'],
      response: {
        200: SIGNATURE_BYTES,
        ...errors(400, 404),
      },
    },
    handler: async (request, reply) => {
      const name = packageName(request.params);
      const { version, type } = request.params as { version: string; type: 'sigstore' | 'gpg' };
      const { row } = await versionRow(db, name, version);
      const { rows } = await db.query<{ bytes: Uint8Array; sha256: string }>(
        'SELECT bytes, sha256 FROM version_signatures WHERE version_id = $1 AND type = $2 ORDER BY position LIMIT 1',
        [row.id, type],
      );
      const found = rows[0];
      if (!found) throw new ApiFailure(404, 'signature_not_found', `${name}@${version} has no ${type} signature.`);
      return reply
        .type(type === 'sigstore' ? 'application/json' : 'application/pgp-signature')
        .header('x-checksum-sha256', found.sha256.trim())
        .send(Buffer.from(found.bytes));
    },
  });

  packageRoutes(app, {
    method: 'GET',
    path: '/:version/attestation',
    params: versionParams,
    schema: {
      summary: "The registry's attestation of the version (a DSSE envelope)",
      tags: ['versions'],
      response: {
        200: {
          type: 'object',
          required: ['payloadType', 'payload', 'signatures'],
          additionalProperties: false,
          properties: {
            payloadType: { type: 'string' },
            payload: { type: 'string' },
            signatures: {
              type: 'array',
              items: {
                type: 'object',
                required: ['keyid', 'sig'],
                additionalProperties: false,
                properties: { keyid: { type: 'string' }, sig: { type: 'string' } },
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
      if (!row.attestation)
        throw new ApiFailure(404, 'attestation_not_found', `${name}@${version} has no registry attestation.`);
      return row.attestation;
    },
  });

  packageRoutes(app, {
    method: 'DELETE',
    path: '/:version',
    params: versionParams,
    config: { rateLimitKind: 'write' },
    onRequest: requireToken({ scope: 'yank' }),
    preHandler: requirePackageOwner,
    schema: {
      summary: 'Yank a version (owner)',
      tags: ['versions'],
      security: BEARER,
      response: {
        200: {
          type: 'object',
          required: ['name', 'version', 'yanked', 'yanked_at'],
          additionalProperties: false,
          properties: {
            name: { type: 'string' },
            version: { type: 'string' },
            yanked: { type: 'boolean' },
            yanked_at: { type: 'string', format: 'date-time' },
          },
        },
        ...errors(400, 401, 403, 404),
      },
    },
    handler: async (request) => {
      const name = packageName(request.params);
      const { version } = request.params as { version: string };
      const caller = callerOf(request);
      return db.transaction(async (tx) => {
        const pkg = await requirePackage(tx, name, true);
        await requireOwner(tx, caller, pkg, name);
        const { rows } = await tx.query<{ yanked: boolean; yanked_at: Date | null }>(
          'SELECT yanked, yanked_at FROM package_versions WHERE package_id = $1 AND version = $2',
          [pkg.id, version],
        );
        if (!rows[0]) throw new ApiFailure(404, 'version_not_found', `Version ${version} of ${name} does not exist`);
        // Yanked already: the same answer, and no second entry in the log every client reads (tags a registry
        // from before untagUninstallable left on it are taken off now, and "latest" moves: diff9-review F7).
        if (rows[0].yanked) {
          await refreshLatest(tx, pkg.id);
          await untagUninstallable(tx, pkg.id, name, caller.username);
          return { name, version, yanked: true, yanked_at: iso(rows[0].yanked_at ?? new Date()) };
        }
        const yanked = await tx.query<{ yanked_at: Date }>(
          `UPDATE package_versions SET yanked = TRUE, yanked_at = NOW()
            WHERE package_id = $1 AND version = $2 RETURNING yanked_at`,
          [pkg.id, version],
        );
        await appendAudit(tx, { event: 'version.yank', actor: caller.username, package: name, version });
        await refreshLatest(tx, pkg.id);
        await untagUninstallable(tx, pkg.id, name, caller.username);
        return { name, version, yanked: true, yanked_at: iso(yanked.rows[0]!.yanked_at) };
      });
    },
  });
};
