import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { callerFor } from '../auth.ts';
import type { RateLimitKind } from '../context.ts';
import { ApiFailure } from '../errors.ts';
import { ref } from '../schemas.ts';
import { DatabaseRateLimitStore } from './rate-limit-store.ts';

/** Requests a minute by kind of route; `false` turns a kind's limit off. */
export type RateLimits = Partial<Record<RateLimitKind, number | false>>;

/** The spec's table (§9.3): search 100, download 1000, publish 10, auth (login, register) 20 a minute. */
export const DEFAULT_RATE_LIMITS: Readonly<Record<RateLimitKind, number>> = {
  search: 100,
  download: 1000,
  publish: 10,
  auth: 20,
};

/**
 * Who a limit counts against: a signed-in account (whichever of its tokens
 * it uses, so minting more tokens buys nothing), else the client's address
 * (from X-Forwarded-For only behind a trusted proxy, see --trust-proxy). An
 * unknown token counts as no token: inventing tokens buys nothing either.
 */
async function whoAsks(request: FastifyRequest): Promise<string> {
  const caller = request.caller ?? (await callerFor(request, request.server.registry.db));
  return caller ? `user:${caller.userId}` : `ip:${request.ip}`;
}

/**
 * The spec's rate limits on every instance, counted in the shared database
 * (so two instances behind one balancer allow what one would). A refused
 * request is a 429 with Retry-After and the spec's error body; it is refused
 * before its body is read. `onLimited` hears of each one (for /metrics).
 */
export async function installRateLimits(
  app: FastifyInstance,
  limits: RateLimits,
  onLimited: (kind: RateLimitKind) => void = () => {},
  /** A minute, unless a test shortens it (so it can wait out a limit in seconds). */
  windowMs = 60_000,
): Promise<void> {
  const effective = { ...DEFAULT_RATE_LIMITS, ...limits };
  app.addHook('onRoute', (route: RouteOptions) => {
    const kind: RateLimitKind | undefined = route.config?.rateLimitKind;
    const max = kind && effective[kind];
    if (!kind || !max) return;
    route.config = {
      ...route.config,
      rateLimit: {
        max,
        timeWindow: windowMs,
        keyGenerator: async (request: FastifyRequest) => `${kind}:${await whoAsks(request)}`,
        onExceeded: () => onLimited(kind),
      },
    };
    // The OpenAPI document says which routes may answer 429.
    const response = (route.schema as { response?: Record<number, unknown> } | undefined)?.response;
    if (response && !response[429]) response[429] = ref('Error');
  });
  const db = app.registry.db;
  await app.register(rateLimit, {
    global: false,
    // The plugin makes its store with `new`, from its own options: this one only needs the database.
    store: class extends DatabaseRateLimitStore {
      constructor() {
        super(db);
      }
    } as never,
    errorResponseBuilder: (_request, context) =>
      new ApiFailure(
        429,
        'rate_limited',
        `Too many requests: at most ${context.max} ${windowMs === 60_000 ? 'a minute' : `in ${windowMs / 1000} s`}; try again in ${context.after}.`,
      ),
  });
}
