import type { FastifyPluginAsync } from 'fastify';
import { API_PREFIX } from '../../core/registry/http-api.ts';
import { packageName } from '../context.ts';
import type { Queryable } from '../db.ts';
import { errors, ref } from '../schemas.ts';
import { iso } from '../store/packages.ts';
import type { PackageRow } from '../store/packages.ts';
import { packageView } from '../store/views.ts';
import { packageRoutes } from './package-routes.ts';

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
    schema: { summary: 'Package metadata', tags: ['packages'], response: { 200: ref('Package'), ...errors(400, 404) } },
    handler: async (request) => packageView(app.registry.db, packageName(request.params)),
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
        ...errors(400, 404),
      },
    },
    handler: async (request) => {
      const name = packageName(request.params);
      return { name, versions: (await packageView(app.registry.db, name)).versions };
    },
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
    values.push(`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const p = `$${values.length}`;
    conditions.push(
      `((CASE WHEN p.scope = '' THEN p.name ELSE '@' || p.scope || '/' || p.name END) ILIKE ${p} OR p.description ILIKE ${p} OR p.author ILIKE ${p}
        OR EXISTS (SELECT 1 FROM package_keywords k WHERE k.package_id = p.id AND k.keyword ILIKE ${p}))`,
    );
  }
  if (query.type) {
    values.push(query.type);
    conditions.push(
      `EXISTS (SELECT 1 FROM artifacts a JOIN package_versions v ON v.id = a.version_id WHERE v.package_id = p.id AND a.artifact_type = $${values.length})`,
    );
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const total = Number(
    (await db.query<{ count: number }>(`SELECT COUNT(*)::int AS count FROM packages p ${where}`, values)).rows[0]
      ?.count ?? 0,
  );
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
    page,
    pages: Math.max(1, Math.ceil(total / limit)),
  };
}
