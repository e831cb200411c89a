import type { FastifyPluginAsync } from 'fastify';
import { API_PREFIX } from '../../core/registry/http-api.ts';
import { packageName } from '../context.ts';
import { errors, ref } from '../schemas.ts';
import { ApiFailure } from '../errors.ts';
import { listPackagesAfter, MAX_LISTING_PAGE } from '../store/listing.ts';
import { ARTIFACT_TYPES, COUNT_CAP, LIST_CAP, searchPackages } from '../store/search.ts';
import type { SearchQuery } from '../store/search.ts';
import { SearchCache } from '../search-cache.ts';
import { packageView } from '../store/views.ts';
import { cachedHandler } from '../cached-reads.ts';
import { packageRoutes } from './package-routes.ts';
import { NOT_MODIFIED } from './versions.ts';

/** A page of a search or of a listing by page holds at most this many packages. */
const MAX_PAGE = 100;

/**
 * Search and package metadata (spec §3.3.1, §3.3.2): public reads. `listCap`
 * (LIST_CAP unless a test lowers it) is how far a listing by page goes.
 */
export const packagesPlugin: FastifyPluginAsync<{ listCap?: number }> = async (app, { listCap = LIST_CAP }) => {
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
            after: {
              type: 'string',
              maxLength: 300,
              pattern: '^[^\\u0000]*$',
              description: `Lists every package after this name ('' for the first page), by scope then name in byte order (unscoped packages first), with no cap: the answer's next is the name to ask after for the next page (null after the last). Not with q or page; limit up to ${MAX_LISTING_PAGE}. What a client reads to see every package of a registry of any size.`,
            },
            limit: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_LISTING_PAGE,
              default: 20,
              description: `Packages a page: at most ${MAX_PAGE} by page, ${MAX_LISTING_PAGE} after a name.`,
            },
          },
        },
        response: {
          200: {
            type: 'object',
            description: 'A search or a listing by page has total, page and pages; a listing after a name has next.',
            required: ['packages'],
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
                description: `Present (true) when more than ${COUNT_CAP} packages match a query: total then says ${COUNT_CAP}, and pages past the first ${COUNT_CAP} matches are empty. Without a query (a listing by page), when there are more than ${LIST_CAP}: total says ${LIST_CAP}, and pages past the first ${LIST_CAP} packages are empty — list after a name (after) to see every package.`,
              },
              page: { type: 'integer' },
              pages: { type: 'integer' },
              next: {
                type: ['string', 'null'],
                description: 'With after: the name to ask after for the next page; null when this page is the last.',
              },
            },
          },
          ...errors(400, 503),
        },
      },
    },
    async (request, reply) => {
      const query = request.query as SearchQuery & { after?: string };
      if (query.after !== undefined) {
        // page defaults to 1: a page past the first cannot go with after.
        if (query.q !== undefined || query.page !== 1)
          throw new ApiFailure(400, 'bad_request', 'after lists every package: it goes with neither q nor page.');
        return listPackagesAfter(app.registry.db, {
          after: query.after,
          limit: query.limit,
          ...(query.type ? { type: query.type } : {}),
        });
      }
      if (query.limit > MAX_PAGE)
        throw new ApiFailure(
          400,
          'bad_request',
          `limit is at most ${MAX_PAGE} for a page (${MAX_LISTING_PAGE} with after).`,
        );
      // A page of a query asked before, with no change to any package since, is answered from memory.
      const key = SearchCache.key(query);
      const kept = app.searches.get(key);
      if (kept) {
        reply.header('x-cache', 'hit');
        return kept;
      }
      const stamp = app.searches.stamp();
      const answer = await searchPackages(app.registry.db, query, listCap);
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
