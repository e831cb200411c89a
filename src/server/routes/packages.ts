import type { FastifyPluginAsync } from 'fastify';
import { API_PREFIX } from '../../core/registry/http-api.ts';
import { packageName } from '../context.ts';
import type { Queryable } from '../db.ts';
import { errors, ref } from '../schemas.ts';
import { iso } from '../store/packages.ts';
import type { PackageRow } from '../store/packages.ts';
import { packageView } from '../store/views.ts';
import { cachedHandler } from '../cached-reads.ts';
import { packageRoutes } from './package-routes.ts';
import { NOT_MODIFIED } from './versions.ts';

/** Search counts its matches exactly up to this many. */
const COUNT_CAP = 10_000;

const ARTIFACT_TYPES = ['skill', 'agent', 'prompt', 'instruction'] as const;

/** Search and package metadata (spec §3.3.1, §3.3.2): public reads. */
export const packagesPlugin: FastifyPluginAsync = async (app) => {
  app.get(
    `${API_PREFIX}/packages`,
    {
      config: { rateLimitKind: 'search' },
      schema: {
        summary: 'Search or list packages',
        tags: ['packages'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            q: { type: 'string', maxLength: 100 },
            type: { enum: ARTIFACT_TYPES },
            page: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['packages', 'total', 'page', 'pages'],
            additionalProperties: false,
            properties: {
              packages: {
                type: 'array',
                items: {
                  type: 'object',
                  required: [
                    'name',
                    'scope',
                    'description',
                    'author',
                    'latest_version',
                    'keywords',
                    'artifact_types',
                    'downloads',
                    'updated_at',
                  ],
                  additionalProperties: false,
                  properties: {
                    name: { type: 'string' },
                    scope: { type: ['string', 'null'] },
                    description: { type: 'string' },
                    author: { type: ['string', 'null'] },
                    latest_version: { type: ['string', 'null'] },
                    keywords: { type: 'array', items: { type: 'string' } },
                    artifact_types: { type: 'array', items: { type: 'string' } },
                    downloads: { type: 'integer' },
                    updated_at: { type: 'string', format: 'date-time' },
                  },
                },
              },
              total: { type: 'integer' },
              total_capped: {
                type: 'boolean',
                description: `Present (true) when more than ${COUNT_CAP} packages match: total then says ${COUNT_CAP}.`,
              },
              page: { type: 'integer' },
              pages: { type: 'integer' },
            },
          },
          ...errors(400),
        },
      },
    },
    async (request) => search(app.registry.db, request.query as SearchQuery),
  );

  packageRoutes(app, {
    method: 'GET',
    path: '',
    schema: {
      summary: 'Package metadata',
      tags: ['packages'],
      response: { 200: ref('Package'), 304: NOT_MODIFIED, ...errors(400, 404) },
    },
    handler: cachedHandler(async (request) => packageView(app.registry.db, packageName(request.params))),
  });

  packageRoutes(app, {
    method: 'GET',
    path: '/versions',
    schema: {
      summary: "A package's versions",
      tags: ['packages'],
      response: {
        200: {
          type: 'object',
          required: ['name', 'versions'],
          additionalProperties: false,
          properties: { name: { type: 'string' }, versions: { type: 'array', items: ref('Version') } },
        },
        304: NOT_MODIFIED,
        ...errors(400, 404),
      },
    },
    handler: cachedHandler(async (request) => {
      const name = packageName(request.params);
      return { name, versions: (await packageView(app.registry.db, name)).versions };
    }),
  });
};

interface SearchQuery {
  q?: string;
  type?: (typeof ARTIFACT_TYPES)[number];
  page: number;
  limit: number;
}

async function search(db: Queryable, query: SearchQuery) {
  const q = (query.q ?? '').trim();
  const { page, limit } = query;
  const conditions: string[] = [];
  const values: unknown[] = [];
  if (q) {
    values.push(`%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const p = `$${values.length}`;
    // search_text is the full name, description and author, lowercased; both it and the keywords
    // have a trigram index (pg_trgm), which answers a substring match without reading every row.
    conditions.push(
      `p.id IN (SELECT id FROM packages WHERE search_text LIKE ${p} UNION SELECT package_id FROM package_keywords WHERE keyword LIKE ${p})`,
    );
  }
  if (query.type) {
    values.push(query.type);
    conditions.push(
      `EXISTS (SELECT 1 FROM artifacts a JOIN package_versions v ON v.id = a.version_id WHERE v.package_id = p.id AND a.artifact_type = $${values.length})`,
    );
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  // Counted exactly up to COUNT_CAP: beyond it a count costs a read of every match, for a number no one pages through.
  const counted = Number(
    (
      await db.query<{ count: number }>(
        `SELECT COUNT(*)::int AS count FROM (SELECT 1 FROM packages p ${where} LIMIT ${COUNT_CAP + 1}) AS matches`,
        values,
      )
    ).rows[0]?.count ?? 0,
  );
  const total = Math.min(counted, COUNT_CAP);
  const { rows } = await db.query<PackageRow & { types: string[] | null; keywords: string[] | null }>(
    `SELECT p.*,
            (SELECT array_agg(DISTINCT a.artifact_type) FROM artifacts a JOIN package_versions v ON v.id = a.version_id WHERE v.package_id = p.id) AS types,
            (SELECT array_agg(k.keyword ORDER BY k.keyword) FROM package_keywords k WHERE k.package_id = p.id) AS keywords
       FROM packages p ${where}
      ORDER BY p.scope, p.name LIMIT ${limit} OFFSET ${(page - 1) * limit}`,
    values,
  );
  return {
    packages: rows.map((p) => ({
      name: p.scope ? `@${p.scope}/${p.name}` : p.name,
      scope: p.scope || null,
      description: p.description ?? '',
      author: p.author,
      latest_version: p.latest_version,
      keywords: p.keywords ?? [],
      artifact_types: p.types ?? [],
      downloads: Number(p.downloads_total),
      updated_at: iso(p.updated_at),
    })),
    total,
    ...(counted > COUNT_CAP ? { total_capped: true } : {}),
    page,
    pages: Math.max(1, Math.ceil(total / limit)),
  };
}
