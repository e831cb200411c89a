import type { FastifyPluginAsync } from 'fastify';
import { API_PREFIX } from '../../core/registry/http-api.ts';
import { packageName } from '../context.ts';
import { errors, ref } from '../schemas.ts';
import { ARTIFACT_TYPES, COUNT_CAP, LIST_CAP, searchPackages } from '../store/search.ts';
import type { SearchQuery } from '../store/search.ts';
import { SearchCache } from '../search-cache.ts';
import { packageView } from '../store/views.ts';
import { cachedHandler } from '../cached-reads.ts';
import { packageRoutes } from './package-routes.ts';
import { NOT_MODIFIED } from './versions.ts';

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
            // No NUL: PostgreSQL's text cannot hold one (the query would fail, not match nothing).
            q: { type: 'string', maxLength: 100, pattern: '^[^\\u0000]*$' },
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
                description: `Present (true) when more than ${COUNT_CAP} packages match a query: total then says ${COUNT_CAP}, and pages past the first ${COUNT_CAP} matches are empty. Without a query (a listing of every package), when there are more than ${LIST_CAP}: total says ${LIST_CAP}, and pages past the first ${LIST_CAP} packages are empty.`,
              },
              page: { type: 'integer' },
              pages: { type: 'integer' },
            },
          },
          ...errors(400, 503),
        },
      },
    },
    async (request, reply) => {
      // A page of a query asked before, with no change to any package since, is answered from memory.
      const query = request.query as SearchQuery;
      const key = SearchCache.key(query);
      const kept = app.searches.get(key);
      if (kept) {
        reply.header('x-cache', 'hit');
        return kept;
      }
      const stamp = app.searches.stamp();
      const answer = await searchPackages(app.registry.db, query);
      app.searches.put(key, stamp, answer);
      return answer;
    },
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
