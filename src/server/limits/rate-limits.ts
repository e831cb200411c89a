import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler, RouteOptions } from 'fastify';
import { callerFor } from '../auth.ts';
import type { RateLimitKind } from '../context.ts';
import { ApiFailure } from '../errors.ts';
import { ref } from '../schemas.ts';
import { DatabaseRateLimitStore } from './rate-limit-store.ts';

/** Requests a minute by kind of route; `false` turns a kind's limit off. */
export type RateLimits = Partial<Record<RateLimitKind, number | false>>;

/**
 * The spec's table (§9.3): search 100, download 1000, publish 10, auth (login, register) 20 a minute; and the
 * other writes that append to the audit log, which every client that checks it reads for ever, 60.
 */
export const DEFAULT_RATE_LIMITS: Readonly<Record<RateLimitKind, number>> = {
  search: 100,
  download: 1000,
  publish: 10,
  auth: 20,
  write: 60,
};

/**
 * Every request counts twice, as the issue asks ("per token and per
 * address"): against the client's address (from X-Forwarded-For only behind
 * a trusted proxy, see --trust-proxy; an IPv6 address by its /64, as the
 * plugin does), and, when its token is a live one, against its account
 * (whichever of its tokens it uses, so minting more tokens buys nothing,
 * and neither do more accounts from one address). Over either, a 429.
 */
type Limiter = (request: FastifyRequest) => Promise<{
  isAllowed: boolean;
  max?: number;
  remaining?: number;
  ttlInSeconds?: number;
  isExceeded?: boolean;
}>;

/**
 * The spec's rate limits on every instance, counted in the shared database
 * (so two instances behind one balancer allow what one would). A refused
 * request is a 429 with Retry-After and the spec's error body. The limit is
 * the route's first `onRequest` hook: it runs before the token is checked
 * and before the body is read, so a flood of requests with a bad token or
 * none is limited like any other (the plugin's own per-route hook would run
 * after the route's `requireToken`, never counting what that refuses).
 * `onLimited` hears of each one (for /metrics).
 */
export async function installRateLimits(
  app: FastifyInstance,
  limits: RateLimits,
  onLimited: (kind: RateLimitKind) => void = () => {},
  /** A minute, unless a test shortens it (so it can wait out a limit in seconds). */
  windowMs = 60_000,
): Promise<void> {
  const effective = { ...DEFAULT_RATE_LIMITS, ...limits };
  const db = app.registry.db;
  await app.register(rateLimit, {
    global: false,
    // The plugin makes its store with `new`, from its own options: this one only needs the database.
    store: class extends DatabaseRateLimitStore {
      constructor() {
        super(db);
      }
    } as never,
  });
  const per = windowMs === 60_000 ? 'a minute' : `in ${windowMs / 1000} s`;
  app.addHook('onRoute', (route: RouteOptions) => {
    const kind: RateLimitKind | undefined = route.config?.rateLimitKind;
    const max = kind && effective[kind];
    if (!kind || !max) return;
    const options = { max, timeWindow: windowMs };
    const byAddress: Limiter = app.createRateLimit({
      ...options,
      keyGenerator: (request) => `${kind}:ip:${normalizeIP(request.ip, 64)}`,
    });
    const byAccount: Limiter = app.createRateLimit({
      ...options,
      keyGenerator: async (request) => `${kind}:user:${(await callerFor(request, db))?.userId ?? ''}`,
    });
    const when = route.config?.rateLimitWhen;
    const limit: onRequestAsyncHookHandler = async (request, reply) => {
      if (when && !when(request)) return;
      const counts = [await byAddress(request)];
      if (!counts[0]!.isExceeded && (await callerFor(request, db))) counts.push(await byAccount(request));
      // The one that refuses, else the one closest to refusing.
      const tightest =
        counts.find((c) => c.isExceeded) ??
        counts.reduce((a, b) => ((b.remaining ?? max) < (a.remaining ?? max) ? b : a));
      if (tightest.isAllowed) return;
      void reply.header('x-ratelimit-limit', max);
      void reply.header('x-ratelimit-remaining', tightest.remaining ?? 0);
      void reply.header('x-ratelimit-reset', tightest.ttlInSeconds ?? 0);
      if (!tightest.isExceeded) return;
      onLimited(kind);
      const seconds = Math.max(1, tightest.ttlInSeconds ?? 1);
      void reply.header('retry-after', seconds);
      const who = tightest === counts[0] ? 'from this address' : 'by this account';
      throw new ApiFailure(
        429,
        'rate_limited',
        `Too many requests: at most ${max} ${per} ${who} (${kind} requests); try again in ${seconds} s.`,
      );
    };
    route.onRequest = [limit, ...[route.onRequest ?? []].flat()];
    // The OpenAPI document says which routes may answer 429.
    const response = (route.schema as { response?: Record<number, unknown> } | undefined)?.response;
    if (response && !response[429]) response[429] = ref('Error');
  });
}
