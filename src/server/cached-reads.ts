import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { API_PREFIX } from '../core/registry/http-api.ts';
import { ArchiveCache, DownloadCounter } from './archives.ts';
import { packageName } from './context.ts';
import { etagOf, matches, ReadCache } from './read-cache.ts';
import { SearchCache } from './search-cache.ts';

/** Marks a cachedHandler, so the route it answers can be checked (see installReadCache). */
const CACHED = Symbol('cachedHandler');

declare module 'fastify' {
  interface FastifyInstance {
    /** Metadata answers kept by URL until their package changes (see ReadCache). */
    reads: ReadCache;
    /** Search answers kept until any package changes (see SearchCache). */
    searches: SearchCache;
    archives: ArchiveCache;
    downloads: DownloadCounter;
  }
  interface FastifyRequest {
    /** Set by a cached route on a miss: where its answer goes once serialized. */
    cacheSlot: { url: string; name: string; route: string; stamp: string } | null;
  }
}

/**
 * Reads near the floor (issue #28): package and version metadata answered
 * from memory while their package is unchanged, with a strong ETag and
 * `Cache-Control: no-cache`, so a client that has the answer gets a 304;
 * archives as the immutable, content-addressed things they are. A write on
 * this instance drops its package before its own answer is sent, so this
 * instance never answers from before a write it made; writes elsewhere
 * arrive as the database's notifications.
 */
export async function installReadCache(app: FastifyInstance): Promise<void> {
  const { db } = app.registry;
  const reads = new ReadCache();
  const stop = await reads.listen(db);
  const downloads = new DownloadCounter(db);
  app.decorate('reads', reads);
  // AAM_SEARCH_CACHE_ENTRIES=0 keeps no search answer (what the bench measures a search's own cost with).
  app.decorate('searches', new SearchCache(reads, Number(process.env.AAM_SEARCH_CACHE_ENTRIES ?? 2_000)));
  app.decorate('archives', new ArchiveCache());
  app.decorate('downloads', downloads);
  app.decorateRequest('cacheSlot', null);
  // A kept answer is sent by the fast path (fast-reads.ts) without the route's own hooks: a cached
  // route may have none (a limit or a check added to one would be skipped on every hit).
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!(CACHED in route.handler)) return;
    const own = (['onRequest', 'preParsing', 'preValidation', 'preHandler'] as const).filter((hook) => route[hook]);
    if (own.length > 0 || route.config?.rateLimitKind)
      throw new Error(
        `${route.url} answers from the read cache, which the fast path serves without its ${own.join(', ') || 'rate limit'}.`,
      );
  });
  app.addHook('onClose', async () => {
    await stop();
    await downloads.close();
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      if (reply.statusCode < 400 && request.url.startsWith(`${API_PREFIX}/packages`)) {
        const params = request.params as { name?: string } | undefined;
        if (params?.name) reads.changed(packageName(params));
        else reads.clear();
      }
      return payload;
    }
    const slot = request.cacheSlot;
    if (reply.statusCode !== 200 || typeof payload !== 'string') return payload;
    if (!slot) return conditional(request, reply, payload);
    const etag = reads.put(slot.url, slot.name, slot.route, slot.stamp, payload);
    reply.header('etag', etag).header('cache-control', 'no-cache');
    if (!matches(request.headers['if-none-match'], etag)) return payload;
    reply.code(304);
    return '';
  });
}

/** A metadata route's handler, answered from the cache when it can be. */
export function cachedHandler(
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
): (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> {
  const cached = async function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
    const reads = request.server.reads;
    const name = packageName(request.params);
    const hit = reads.get(request.url);
    if (hit) {
      reply.header('etag', hit.etag).header('cache-control', 'no-cache').header('x-cache', 'hit');
      if (matches(request.headers['if-none-match'], hit.etag)) return reply.code(304).send();
      return reply.type('application/json; charset=utf-8').send(hit.body);
    }
    request.cacheSlot = { url: request.url, name, route: request.routeOptions.url ?? '', stamp: reads.stamp(name) };
    return handler(request, reply);
  };
  return Object.assign(cached, { [CACHED]: true });
}

/**
 * Any other public JSON read (search, the registry's settings, proofs, the
 * log's pages) answers If-None-Match too: its ETag is its own hash, so a
 * client asking again for something unchanged gets a 304. Answers to a
 * request with a token stay `no-store`.
 */
function conditional(request: FastifyRequest, reply: FastifyReply, payload: string): string {
  if (request.headers.authorization || reply.hasHeader('etag')) return payload;
  if (!String(reply.getHeader('content-type') ?? '').startsWith('application/json')) return payload;
  const etag = etagOf(payload);
  reply.header('etag', etag).header('cache-control', 'no-cache');
  if (!matches(request.headers['if-none-match'], etag)) return payload;
  reply.code(304);
  return '';
}
