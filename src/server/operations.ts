import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { messageOf } from '../core/errors.ts';
import { API_PREFIX } from '../core/registry/http-api.ts';
import type { RateLimitKind } from './context.ts';

/**
 * What an operator watches: `/healthz` (the process answers), `/readyz` (the
 * database and the blob store answer too: a balancer sends no traffic
 * before), and Prometheus metrics at `/metrics` — requests by route and
 * status, their latency, publishes, rate-limited requests and refusals by
 * reason, and the process's own (memory, event loop, CPU). Each instance
 * counts its own; Prometheus sums them.
 */
export class RegistryMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'aam_http_requests_total',
    help: 'HTTP requests answered, by route (its pattern), method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'aam_http_request_duration_seconds',
    help: 'Time from a request to its answer, by route and method',
    labelNames: ['route', 'method'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly publishes = new Counter({
    name: 'aam_publishes_total',
    help: 'Versions published',
    registers: [this.registry],
  });
  private readonly limited = new Counter({
    name: 'aam_rate_limited_total',
    help: 'Requests refused by a rate limit (429), by kind of route',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly refusals = new Counter({
    name: 'aam_refusals_total',
    help: 'Requests refused (4xx), by the error code of the answer',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  private readonly shedBodies = new Counter({
    name: 'aam_slow_bodies_cut_total',
    help: 'Requests whose body arrived too slowly, cut off with a 408 (stalled: under the floor in a window; too_slow: under the average rate)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  private readonly refusedConnections = new Counter({
    name: 'aam_connections_refused_total',
    help: 'Connections closed as they opened: the server held as many as it may (total), or their client address did (per_address)',
    labelNames: ['cap'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'aam_' });
  }

  rateLimited(kind: RateLimitKind): void {
    this.limited.inc({ kind });
  }

  /** A body cut off outside Fastify (transport.ts): counted here and among the refusals. */
  refusedConnection(cap: 'total' | 'per_address'): void {
    this.refusedConnections.inc({ cap });
  }

  shed(reason: 'stalled' | 'too_slow'): void {
    this.shedBodies.inc({ reason });
    this.refusals.inc({ reason: 'request_timeout' });
  }

  /** A request answered, by Fastify or by the fast path in front of it (fast-reads.ts): counted and timed. */
  answered(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method, status });
    this.latency.observe({ route, method }, seconds);
  }

  install(app: FastifyInstance): void {
    const reasons = new WeakMap<object, string>();
    app.addHook('onSend', async (request, reply, payload) => {
      if (reply.statusCode >= 400 && reply.statusCode < 500 && typeof payload === 'string')
        try {
          const code = (JSON.parse(payload) as { error?: unknown }).error;
          if (typeof code === 'string') reasons.set(request, code);
        } catch {
          // Not the spec's error body: counted by status only.
        }
      return payload;
    });
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const status = reply.statusCode;
      this.answered(route, request.method, status, reply.elapsedTime / 1000);
      if (status === 201 && request.method === 'POST' && route === `${API_PREFIX}/packages`) this.publishes.inc();
      const reason = reasons.get(request);
      if (reason) this.refusals.inc({ reason });
    });
  }
}

/** `/healthz`, `/readyz` and `/metrics`: outside the API, not in its OpenAPI document. */
export function operationsPlugin(metrics: RegistryMetrics) {
  return async (app: FastifyInstance): Promise<void> => {
    const { db, blobs } = app.registry;
    const ok = { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' } } } as const;

    app.get('/healthz', { schema: { hide: true, response: { 200: ok } } }, async () => ({ ok: true }));

    app.get(
      '/readyz',
      {
        schema: {
          hide: true,
          response: {
            200: ok,
            503: {
              type: 'object',
              required: ['ok'],
              properties: { ok: { type: 'boolean' }, database: { type: 'string' }, blobs: { type: 'string' } },
            },
          },
        },
      },
      async (_request, reply) => {
        const check = async (probe: () => Promise<unknown>) => {
          try {
            await probe();
            return undefined;
          } catch (error) {
            return messageOf(error);
          }
        };
        const [database, blobStore] = await Promise.all([
          check(() => db.query('SELECT 1')),
          check(async () => blobs.ready?.()),
        ]);
        if (!database && !blobStore) return { ok: true };
        return reply.code(503).send({
          ok: false,
          ...(database ? { database } : {}),
          ...(blobStore ? { blobs: blobStore } : {}),
        });
      },
    );

    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    );
  };
}
